#include "quant/histogram.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace octet::quant {

namespace {

constexpr float kBinsFloat = static_cast<float>(ActivationHistogram::kBins);

// The smallest e >= kMinExponent with 2^e > magnitude (magnitude finite, >= 0).
int exponent_above(float magnitude) {
  if (magnitude <= 0.0F) return ActivationHistogram::kMinExponent;
  int exponent = 0;
  std::frexp(magnitude, &exponent);  // magnitude = m 2^exponent, m in [0.5, 1)
  return std::max(exponent, ActivationHistogram::kMinExponent);
}

}  // namespace

ActivationHistogram::ActivationHistogram()
    : counts_(2 * kBins, 0),
      inv_width_{std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity()},
      min_(std::numeric_limits<float>::infinity()),
      max_(-std::numeric_limits<float>::infinity()) {}

void ActivationHistogram::add(std::span<const float> values) {
  // The hot loop: one multiply and one increment per value. Values beyond a
  // half's range, non-finite values and the first value of a half take add_slow().
  std::uint64_t* const counts = counts_.data();
  float inv_positive = inv_width_[kPositive];
  float inv_negative = inv_width_[kNegative];
  float lo = min_;
  float hi = max_;
  std::uint64_t zeros = 0;
  finite_ += values.size();  // add_slow() takes the non-finite ones back out
  for (const float x : values) {
    const bool negative = x < 0.0F;
    const float position = std::fabs(x) * (negative ? inv_negative : inv_positive);
    if (position < kBinsFloat) {
      ++counts[(negative ? kBins : 0) + static_cast<std::size_t>(position)];
      zeros += x == 0.0F ? 1U : 0U;
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    } else {
      min_ = lo;
      max_ = hi;
      add_slow(x);
      lo = min_;
      hi = max_;
      inv_positive = inv_width_[kPositive];
      inv_negative = inv_width_[kNegative];
    }
  }
  min_ = lo;
  max_ = hi;
  zeros_ += zeros;
}

void ActivationHistogram::add_slow(float x) {
  if (!std::isfinite(x)) {
    ++non_finite_;
    --finite_;
    return;
  }
  const Half half = x < 0.0F ? kNegative : kPositive;
  const float magnitude = std::fabs(x);
  const int needed = exponent_above(magnitude);
  if (!initialised_[half]) {
    initialised_[half] = true;
    exponent_[half] = needed;
    inv_width_[half] = std::ldexp(1.0F, kBinsLog2 - needed);
  } else if (needed > exponent_[half]) {
    grow(half, needed);
  }
  const auto bin = static_cast<std::size_t>(magnitude * inv_width_[half]);
  ++counts_[(half == kNegative ? kBins : 0) + std::min(bin, kBins - 1)];
  if (x == 0.0F) ++zeros_;
  min_ = std::min(min_, x);
  max_ = std::max(max_, x);
}

void ActivationHistogram::grow(Half half, int exponent) {
  const auto shift = static_cast<unsigned>(exponent - exponent_[half]);
  const std::span<std::uint64_t> bins(counts_.data() + (half == kNegative ? kBins : 0), kBins);
  // New bin j gathers old bins [j << shift, (j + 1) << shift). Writing bin j
  // only overwrites old bins already gathered (j <= j << shift), so in place.
  const std::size_t kept = shift >= static_cast<unsigned>(kBinsLog2) ? 1 : kBins >> shift;
  for (std::size_t j = 0; j < kept; ++j) {
    std::uint64_t sum = 0;
    const std::size_t begin = j << std::min(shift, static_cast<unsigned>(kBinsLog2));
    const std::size_t end = j + 1 == kept ? kBins : (j + 1) << shift;
    for (std::size_t i = begin; i < end; ++i) sum += bins[i];
    bins[j] = sum;
  }
  std::fill(bins.begin() + static_cast<std::ptrdiff_t>(kept), bins.end(), 0);
  exponent_[half] = exponent;
  inv_width_[half] = std::ldexp(1.0F, kBinsLog2 - exponent);
}

std::span<const std::uint64_t> ActivationHistogram::counts(Half half) const {
  return {counts_.data() + (half == kNegative ? kBins : 0), kBins};
}

double ActivationHistogram::range(Half half) const {
  return initialised_[half] ? std::ldexp(1.0, exponent_[half]) : 0.0;
}

double ActivationHistogram::bin_width(Half half) const {
  return initialised_[half] ? std::ldexp(1.0, exponent_[half] - kBinsLog2) : 0.0;
}

double ActivationHistogram::absolute_bin_width() const {
  return std::max(bin_width(kPositive), bin_width(kNegative));
}

std::vector<std::uint64_t> ActivationHistogram::absolute_counts() const {
  std::vector<std::uint64_t> out(kBins, 0);
  const int coarse = std::max(initialised_[kPositive] ? exponent_[kPositive] : kMinExponent,
                              initialised_[kNegative] ? exponent_[kNegative] : kMinExponent);
  for (const Half half : {kPositive, kNegative}) {
    if (!initialised_[half]) continue;
    const auto shift = static_cast<unsigned>(std::min(coarse - exponent_[half], kBinsLog2));
    const std::span<const std::uint64_t> bins = counts(half);
    for (std::size_t i = 0; i < kBins; ++i) out[std::min(i >> shift, kBins - 1)] += bins[i];
  }
  return out;
}

}  // namespace octet::quant
