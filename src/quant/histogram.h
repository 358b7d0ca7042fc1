#pragma once
// A one-pass histogram of float activations whose range grows as data comes:
// two one-sided halves (x >= 0 and x < 0), each kBins equal bins over
// [0, 2^e) of |x|. When a value reaches 2^e, e grows and groups of 2^k
// neighbouring bins merge into one, which is exact because every range is a
// power of two. Exact zeros are counted apart (an int8 grid represents them
// exactly). Memory is constant (2 x kBins counters) whatever the sample count.
//
// Tail mode (what the percentile method needs): once a half has seen
// kTailWarmupValues values, its middle bins stop being incremented. A band
// of bins [lo, hi) is chosen so that at least `tail_fraction` of the half's
// values so far lie below it and as many above it; later values falling in
// the band are only counted (one vector compare instead of a scattered
// increment, the histogram's main cost). Bins outside the band stay exact,
// and so does the band's total mass, so any quantile that lands outside the
// band equals the one of the full histogram; in_band() tells whether it did.
// Band growth: when the range grows, the band widens to the merged bins that
// hold any of its old bins, so the bins outside it stay exact.
// Pending increments (tail mode): the few values outside the bands scatter
// over counters that the rest of a forward pass has pushed out of the caches,
// a cache miss each; their counter slots are queued instead and applied
// kPendingSlots at a time (and before the counters are read or the range
// grows), so the misses are paid once per batch.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace octet::quant {

class ActivationHistogram {
 public:
  // Bins per half.
  static constexpr std::size_t kBins = 2048;
  // log2(kBins): the width of a bin of a half over [0, 2^e) is 2^(e - kBinsLog2).
  static constexpr int kBinsLog2 = 11;
  // Smallest range exponent: |x| < 2^-100 all fall in bin 0. Keeps 1/width
  // (2^(kBinsLog2 - e)) a finite float.
  static constexpr int kMinExponent = -100;

  // Values a half must have seen before its band is set (tail mode).
  static constexpr std::uint64_t kTailWarmupValues = 10000;
  // Tail fractions from this one up are not worth a band.
  static constexpr double kMaxTailFraction = 0.25;

  // tail_fraction 0: every value is binned; in (0, 0.5): tail mode.
  explicit ActivationHistogram(double tail_fraction = 0.0);

  // Adds every value; NaN and +-Inf are counted in non_finite() and otherwise ignored.
  void add(std::span<const float> values);

  enum Half : std::size_t { kPositive = 0, kNegative = 1 };
  // Counts of |x| bins of a half: bin i holds |x| in [i w, (i + 1) w), w = bin_width(half).
  // Exact zeros are counted in bin 0 of the positive half, and also in zero_count().
  // In tail mode these are the raw counters: a band's bins hold only what
  // they had when it was set; band_counts() spreads its mass over them.
  std::span<const std::uint64_t> counts(Half half) const;
  // Counts with each band's total mass (its bins plus the values only
  // counted) spread evenly over its bins; equal to counts() without a band.
  std::vector<std::uint64_t> band_counts(Half half) const;
  // Whether `value` falls in a bin of a band, where band_counts() is not exact.
  bool in_band(double value) const;
  bool empty(Half half) const { return !initialised_[half]; }
  // 2^e, the end of the half's range; 0 for an empty half.
  double range(Half half) const;
  double bin_width(Half half) const;

  std::uint64_t zero_count() const { return zeros_; }
  std::uint64_t finite_count() const { return finite_; }
  std::uint64_t non_finite() const { return non_finite_; }
  // Of the finite values; 0 when there were none.
  float min() const { return finite_ > 0 ? min_ : 0.0F; }
  float max() const { return finite_ > 0 ? max_ : 0.0F; }

  // Counts of |x| over both halves on one grid: kBins bins of the coarser
  // half's width (the finer half merges into it exactly). Exact zeros are in bin 0.
  std::vector<std::uint64_t> absolute_counts() const;
  double absolute_bin_width() const;

  // Values are counted in chunks of this many (a stack buffer of slots).
  static constexpr std::size_t kChunk = 1024;
  // Slots a vector pass may write beyond the last one it keeps (one AVX-512 store).
  static constexpr std::size_t kSlotSlack = 16;
  // Scratch counters for exact zeros, after the two halves (see add_in_range).
  static constexpr std::size_t kZeroSlots = 4;
  static constexpr std::uint32_t kZeroSlot = 2 * kBins;
  // Queued counter slots applied at once (tail mode).
  static constexpr std::size_t kPendingSlots = std::size_t{1} << 14;

 private:

  // Counts a chunk of finite values if all fall inside their half's range
  // (the fast, common case); false, with nothing counted, otherwise.
  bool add_in_range(std::span<const float> chunk);
  // Sets the band of a half once it has seen enough values (tail mode).
  void maybe_set_band(Half half);
  // Counts one value of bin `bin` of a half: an increment, or the band's count.
  void count(Half half, std::size_t bin);
  // Counts values one by one, growing the halves as needed; min and max too.
  void add_each(std::span<const float> values);
  void add_slow(float x);
  // Grows a half so that 2^exponent > magnitude, merging bins.
  void grow(Half half, int exponent);

  // Applies the queued increments; const because readers call it (the counts
  // they see are the same either way).
  void apply_pending() const;

  // kBins positive, kBins negative, kZeroSlots scratch; mutable for apply_pending.
  mutable std::vector<std::uint64_t> counts_;
  mutable std::vector<std::uint32_t> pending_;  // counter slots not yet incremented
  std::array<int, 2> exponent_{kMinExponent, kMinExponent};
  std::array<float, 2> inv_width_;  // +inf while a half is empty: every value takes the slow path
  std::array<bool, 2> initialised_{false, false};
  // Bins [lo, hi) of a half only counted (lo == hi: no band), and how many values were.
  struct Band {
    std::uint32_t lo = 0;
    std::uint32_t hi = 0;
    std::uint64_t counted = 0;
  };
  double tail_fraction_ = 0.0;
  std::array<Band, 2> band_{};
  std::uint64_t zeros_ = 0;
  std::uint64_t finite_ = 0;
  std::uint64_t non_finite_ = 0;
  float min_;
  float max_;
};

}  // namespace octet::quant
