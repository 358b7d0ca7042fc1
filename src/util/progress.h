#pragma once
// A one-line progress bar on stderr for long work. It draws only when enabled
// and stderr is a terminal, at most a few times a second.

#include <chrono>
#include <cstddef>
#include <string>

namespace octet {

class ProgressBar {
 public:
  ProgressBar(std::string label, std::size_t total, bool enabled);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void set_total(std::size_t total) { total_ = total; }
  void update(std::size_t done);
  // Draws the final state and ends the line.
  void finish();

 private:
  void draw(std::size_t done);

  std::string label_;
  std::size_t total_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  std::size_t last_done_ = 0;
};

}  // namespace octet
