#include "util/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

namespace octet {

namespace {
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);
constexpr std::size_t kBarWidth = 30;
}  // namespace

ProgressBar::ProgressBar(std::string label, std::size_t total, bool enabled)
    : label_(std::move(label)),
      total_(total),
      enabled_(enabled && ::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() {
  if (drawn_) std::fputc('\n', stderr);
}

void ProgressBar::update(std::size_t done) {
  last_done_ = done;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  draw(done);
}

void ProgressBar::finish() {
  if (!enabled_) return;
  draw(last_done_);
  std::fputc('\n', stderr);
  drawn_ = false;
}

void ProgressBar::draw(std::size_t done) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double fraction =
      total_ == 0 ? 1.0 : std::min(1.0, static_cast<double>(done) / static_cast<double>(total_));
  const auto filled = static_cast<std::size_t>(fraction * static_cast<double>(kBarWidth));
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
  std::string eta = "--";
  if (rate > 0 && done < total_) {
    eta = fmt::format("{:.0f}s", static_cast<double>(total_ - done) / rate);
  } else if (done >= total_) {
    eta = fmt::format("{:.1f}s", seconds);
  }
  fmt::print(stderr, "\r{} [{}{}] {}/{} {:.0f}/s {}\x1b[K", label_, std::string(filled, '#'),
             std::string(kBarWidth - filled, '.'), done, total_, rate, eta);
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace octet
