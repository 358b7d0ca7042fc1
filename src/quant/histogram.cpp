#include "quant/histogram.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "quant/value_stats.h"
#include "util/cpu_features.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(OCTET_X86_DISPATCH)
#include <immintrin.h>
#endif

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

ActivationHistogram::ActivationHistogram(double tail_fraction)
    : counts_(2 * kBins + kZeroSlots, 0),
      inv_width_{std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity()},
      min_(std::numeric_limits<float>::infinity()),
      max_(-std::numeric_limits<float>::infinity()) {
  if (tail_fraction > 0.0 && tail_fraction < kMaxTailFraction) tail_fraction_ = tail_fraction;
}

void ActivationHistogram::add(std::span<const float> values) {
  // Chunk by chunk, so that the values read from memory once stay in the L1
  // cache for the passes over them.
  for (std::size_t done = 0; done < values.size(); done += kChunk) {
    const std::span<const float> chunk = values.subspan(done, std::min(kChunk, values.size() - done));
    if (!add_in_range(chunk)) add_each(chunk);  // values beyond the range, NaN or Inf: one by one
  }
  if (tail_fraction_ > 0.0) {
    maybe_set_band(kPositive);
    maybe_set_band(kNegative);
  }
}

void ActivationHistogram::maybe_set_band(Half half) {
  Band& band = band_[half];
  if (band.hi > band.lo || !initialised_[half]) return;
  std::vector<std::uint64_t> bins(counts(half).begin(), counts(half).end());
  if (half == kPositive) bins[0] -= zeros_;  // exact zeros are never in a band
  std::uint64_t total = 0;
  for (const std::uint64_t c : bins) total += c;
  if (total < kTailWarmupValues) return;
  const auto tail = static_cast<std::uint64_t>(std::ceil(tail_fraction_ * static_cast<double>(total)));
  // lo: the fewest bottom bins holding `tail` values; hi: likewise from the top.
  // The bottom of a half (its smallest magnitudes) lies next to the exact
  // zeros and, past them, the other half: a quantile reaches it only through
  // them, so when they hold `tail` values the band starts at bin 0 (exact
  // zeros stay counted apart).
  const Half other = half == kPositive ? kNegative : kPositive;
  std::uint64_t beyond_bottom = zeros_ + band_[other].counted;
  for (const std::uint64_t c : counts(other)) beyond_bottom += c;
  if (half == kNegative) beyond_bottom -= zeros_;  // they are in bin 0 of the positive half, counted above
  std::size_t lo = 0;
  for (std::uint64_t below = beyond_bottom; lo < kBins && below < tail; ++lo) below += bins[lo];
  std::size_t hi = kBins;
  for (std::uint64_t above = 0; hi > 0 && above < tail; --hi) above += bins[hi - 1];
  if (lo >= hi) return;  // too concentrated for a band yet: retried after the next values
  band.lo = static_cast<std::uint32_t>(lo);
  band.hi = static_cast<std::uint32_t>(hi);
}

void ActivationHistogram::count(Half half, std::size_t bin) {
  const Band& band = band_[half];
  if (bin >= band.lo && bin < band.hi) {
    ++band_[half].counted;
  } else {
    ++counts_[(half == kNegative ? kBins : 0) + bin];
  }
}

namespace {

// What pass 1 of add_in_range produced.
struct SlotFill {
  std::size_t count = 0;   // slots written
  std::uint32_t zeros = 0;  // exact zeros among the values
  bool in_range = true;    // every value inside its half's range
  bool banded = false;     // band values were left out of the slots (and counted in band_values)
  float min = 0.0F;        // of the values (meaningful when in_range)
  float max = 0.0F;
  std::array<std::uint32_t, 2> band_values{0, 0};  // per half
};

// The bins [lo, hi) of each half that are only counted (tail mode).
struct BandBins {
  std::array<std::uint32_t, 2> lo{0, 0};
  std::array<std::uint32_t, 2> hi{0, 0};
  bool any() const { return hi[0] > lo[0] || hi[1] > lo[1]; }
};

#if defined(OCTET_X86_DISPATCH)
__attribute__((target("avx512f"))) std::uint32_t lane_sum(__m512i v) {
  constexpr std::size_t kLanes = 16;
  alignas(64) std::uint32_t lanes[kLanes];
  _mm512_store_si512(lanes, v);
  std::uint32_t total = 0;
  for (const std::uint32_t lane : lanes) total += lane;
  return total;
}

// Pass 1 of add_in_range with AVX-512: the slots of the non-zero values only,
// packed (exact zeros are only counted), 16 lanes at a time; a scalar tail.
// Band membership is tested on the values themselves: a bin b of a half with
// width w (a power of two) is in [lo, hi) exactly when |x| is in [lo w, hi w),
// so a vector whose lanes are all zeros or band values skips the bin
// computation altogether (most vectors in tail mode).
// kNegativeBand false: the negative half has no band (a ReLU output's, which
// has no negative values at all), and its two compares are skipped.
template <bool kNegativeBand>
__attribute__((target("avx512f"))) SlotFill fill_slots_avx512(std::span<const float> chunk, float inv_positive,
                                                               float inv_negative, const BandBins& bands,
                                                               std::uint32_t* slot) {
  constexpr std::size_t kLanes = 16;
  constexpr __mmask16 kAllLanes = 0xFFFF;
  const __m512 zero = _mm512_setzero_ps();
  const __m512 inv_pos = _mm512_set1_ps(inv_positive);
  const __m512 inv_neg = _mm512_set1_ps(inv_negative);
  const __m512 bins = _mm512_set1_ps(kBinsFloat);
  const __m512i negative_base = _mm512_set1_epi32(static_cast<int>(ActivationHistogram::kBins));
  // Band edges as values: positive band [pos_lo, pos_hi), negative band
  // (-neg_hi, -neg_lo]; +inf (never) for a half without a band. The lower
  // edge is at least the smallest positive float, so exact zeros stay out.
  const auto edge = [&](std::size_t half, std::uint32_t bin) {
    if (bands.hi[half] <= bands.lo[half]) return std::numeric_limits<float>::infinity();
    const float width = 1.0F / (half == 0 ? inv_positive : inv_negative);
    return std::max(static_cast<float>(bin) * width, std::numeric_limits<float>::denorm_min());
  };
  const __m512 pos_lo = _mm512_set1_ps(edge(0, bands.lo[0]));
  const __m512 pos_hi = _mm512_set1_ps(edge(0, bands.hi[0]));
  const __m512 neg_lo = _mm512_set1_ps(-edge(1, bands.lo[1]));
  const __m512 neg_hi = _mm512_set1_ps(-edge(1, bands.hi[1]));
  __mmask16 inside_all = kAllLanes;
  __m512 lo = _mm512_set1_ps(std::numeric_limits<float>::infinity());
  __m512 hi = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
  // Per-lane counts of zeros and of band values (positive, negative half).
  const __m512i one = _mm512_set1_epi32(1);
  __m512i zero_lanes = _mm512_setzero_si512();
  __m512i band_pos_lanes = _mm512_setzero_si512();
  __m512i band_neg_lanes = _mm512_setzero_si512();
  SlotFill fill;
  fill.banded = true;
  std::size_t i = 0;
  for (; i + kLanes <= chunk.size(); i += kLanes) {
    const __m512 x = _mm512_loadu_ps(chunk.data() + i);
    lo = _mm512_maskz_min_ps(kAllLanes, x, lo);  // maskz forms: see value_stats.cpp (GCC bug 105593)
    hi = _mm512_maskz_max_ps(kAllLanes, x, hi);
    const __mmask16 band_pos = _mm512_mask_cmp_ps_mask(_mm512_cmp_ps_mask(x, pos_lo, _CMP_GE_OQ), x, pos_hi, _CMP_LT_OQ);
    __mmask16 band_neg = 0;
    if constexpr (kNegativeBand) {
      band_neg = _mm512_mask_cmp_ps_mask(_mm512_cmp_ps_mask(x, neg_lo, _CMP_LE_OQ), x, neg_hi, _CMP_GT_OQ);
    }
    const __mmask16 zeros = _mm512_cmp_ps_mask(x, zero, _CMP_EQ_OQ);
    zero_lanes = _mm512_mask_add_epi32(zero_lanes, zeros, zero_lanes, one);
    band_pos_lanes = _mm512_mask_add_epi32(band_pos_lanes, band_pos, band_pos_lanes, one);
    if constexpr (kNegativeBand) band_neg_lanes = _mm512_mask_add_epi32(band_neg_lanes, band_neg, band_neg_lanes, one);
    const auto kept = static_cast<__mmask16>(~(band_pos | band_neg | zeros));
    if (kept == 0) continue;
    // NaN, Inf and values beyond the range are kept and fail `inside`.
    const __mmask16 negative = _mm512_cmp_ps_mask(x, zero, _CMP_LT_OQ);
    const __m512 inv = _mm512_mask_blend_ps(negative, inv_pos, inv_neg);
    const __m512 position = _mm512_mul_ps(_mm512_abs_ps(x), inv);
    const __mmask16 inside = _mm512_mask_cmp_ps_mask(kept, position, bins, _CMP_LT_OQ);
    inside_all &= static_cast<__mmask16>(inside | ~kept);
    const __m512i bin = _mm512_maskz_cvttps_epi32(inside, position);  // 0 outside
    const __m512i index = _mm512_mask_add_epi32(bin, negative, bin, negative_base);
    // Compress in a register, then store all 16 lanes: the slot buffer has
    // room, and a masked compressing store to memory is slow on some CPUs.
    _mm512_storeu_si512(slot + fill.count, _mm512_maskz_compress_epi32(kept, index));
    fill.count += static_cast<std::size_t>(__builtin_popcount(kept));
  }
  fill.zeros = lane_sum(zero_lanes);
  fill.band_values[0] = lane_sum(band_pos_lanes);
  fill.band_values[1] = lane_sum(band_neg_lanes);
  fill.in_range = inside_all == kAllLanes;
  alignas(64) float lo_lanes[kLanes], hi_lanes[kLanes];
  _mm512_store_ps(lo_lanes, lo);
  _mm512_store_ps(hi_lanes, hi);
  fill.min = *std::min_element(lo_lanes, lo_lanes + kLanes);
  fill.max = *std::max_element(hi_lanes, hi_lanes + kLanes);
  for (; i < chunk.size(); ++i) {
    const float x = chunk[i];
    fill.min = std::min(fill.min, x);
    fill.max = std::max(fill.max, x);
    const bool negative = x < 0.0F;
    const float position = std::fabs(x) * (negative ? inv_negative : inv_positive);
    const bool inside = position < kBinsFloat;
    fill.in_range = fill.in_range && inside;
    if (x == 0.0F) {
      ++fill.zeros;
      continue;
    }
    const auto bin = static_cast<std::uint32_t>(inside ? position : 0.0F);
    const std::size_t h = negative ? 1 : 0;
    if (bin >= bands.lo[h] && bin < bands.hi[h]) {
      ++fill.band_values[h];
      continue;
    }
    slot[fill.count++] = (negative ? static_cast<std::uint32_t>(ActivationHistogram::kBins) : 0U) + bin;
  }
  return fill;
}
#endif

// Pass 1 of add_in_range without AVX-512: one slot per value, exact zeros
// sent to the scratch slots in turn (counting long runs of zeros, ReLU
// outputs, in one counter would chain every increment on the one before).
SlotFill fill_slots_sse2(std::span<const float> chunk, float inv_positive, float inv_negative, std::uint32_t* slot) {
  constexpr std::size_t kZeroSlots = ActivationHistogram::kZeroSlots;
  constexpr std::uint32_t kZeroSlot = ActivationHistogram::kZeroSlot;
  constexpr auto kBins = static_cast<std::uint32_t>(ActivationHistogram::kBins);
  std::uint32_t in_range = 1;
  std::uint32_t zeros = 0;
  std::size_t i = 0;
#if defined(__SSE2__)
  static_assert(kZeroSlots == 4, "one zero slot per SSE lane");
  {
    constexpr std::size_t kLanes = 4;
    const __m128 zero = _mm_setzero_ps();
    const __m128 abs_mask = _mm_castsi128_ps(_mm_set1_epi32(0x7FFFFFFF));
    const __m128 inv_pos = _mm_set1_ps(inv_positive);
    const __m128 inv_neg = _mm_set1_ps(inv_negative);
    const __m128 bins = _mm_set1_ps(kBinsFloat);
    const __m128i negative_base = _mm_set1_epi32(static_cast<int>(kBins));
    const __m128i zero_slots = _mm_setr_epi32(static_cast<int>(kZeroSlot), static_cast<int>(kZeroSlot + 1),
                                              static_cast<int>(kZeroSlot + 2), static_cast<int>(kZeroSlot + 3));
    __m128 inside_all = _mm_cmpeq_ps(zero, zero);  // all ones
    __m128i zero_lanes = _mm_setzero_si128();
    for (; i + kLanes <= chunk.size(); i += kLanes) {
      const __m128 x = _mm_loadu_ps(chunk.data() + i);
      const __m128 negative = _mm_cmplt_ps(x, zero);
      const __m128 inv = _mm_or_ps(_mm_and_ps(negative, inv_neg), _mm_andnot_ps(negative, inv_pos));
      const __m128 position = _mm_mul_ps(_mm_and_ps(x, abs_mask), inv);
      const __m128 inside = _mm_cmplt_ps(position, bins);  // false for NaN: 0 * inf, Inf, NaN
      inside_all = _mm_and_ps(inside_all, inside);
      const __m128i bin = _mm_cvttps_epi32(_mm_and_ps(position, inside));
      const __m128i index = _mm_add_epi32(_mm_and_si128(_mm_castps_si128(negative), negative_base), bin);
      const __m128i is_zero = _mm_castps_si128(_mm_cmpeq_ps(x, zero));
      zero_lanes = _mm_sub_epi32(zero_lanes, is_zero);  // a true lane is -1
      const __m128i chosen = _mm_or_si128(_mm_and_si128(is_zero, zero_slots), _mm_andnot_si128(is_zero, index));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(slot + i), chosen);
    }
    constexpr int kAllLanes = 0xF;
    in_range = _mm_movemask_ps(inside_all) == kAllLanes ? 1U : 0U;
    alignas(16) std::uint32_t lanes[kLanes];
    _mm_store_si128(reinterpret_cast<__m128i*>(lanes), zero_lanes);
    zeros = lanes[0] + lanes[1] + lanes[2] + lanes[3];
  }
#endif
  for (; i < chunk.size(); ++i) {
    const float x = chunk[i];
    const bool negative = x < 0.0F;
    const float position = std::fabs(x) * (negative ? inv_negative : inv_positive);
    const bool inside = position < kBinsFloat;
    in_range &= inside ? 1U : 0U;
    const auto bin = static_cast<std::uint32_t>(inside ? position : 0.0F);
    const bool zero = x == 0.0F;
    zeros += zero ? 1U : 0U;
    slot[i] = zero ? kZeroSlot + static_cast<std::uint32_t>(i % kZeroSlots) : (negative ? kBins : 0U) + bin;
  }
  SlotFill fill{chunk.size(), zeros, in_range != 0};
  const SpanMinMax range = span_min_max(chunk);
  fill.min = range.min;
  fill.max = range.max;
  return fill;
}

}  // namespace

bool ActivationHistogram::add_in_range(std::span<const float> chunk) {
  // Pass 1, vectorised: each value's counter slot, and whether all of them
  // fall inside their half's current range (false for the first value of an
  // empty half: its inverse width is +inf).
  std::array<std::uint32_t, kChunk + kSlotSlack> slot;
  const float inv_positive = inv_width_[kPositive];
  const float inv_negative = inv_width_[kNegative];
  BandBins bands;
  for (const Half half : {kPositive, kNegative}) {
    bands.lo[half] = band_[half].lo;
    bands.hi[half] = band_[half].hi;
  }
#if defined(OCTET_X86_DISPATCH)
  const SlotFill fill = cpu_has_avx512f()
                            ? (bands.hi[kNegative] > bands.lo[kNegative]
                                   ? fill_slots_avx512<true>(chunk, inv_positive, inv_negative, bands, slot.data())
                                   : fill_slots_avx512<false>(chunk, inv_positive, inv_negative, bands, slot.data()))
                            : fill_slots_sse2(chunk, inv_positive, inv_negative, slot.data());
#else
  const SlotFill fill = fill_slots_sse2(chunk, inv_positive, inv_negative, slot.data());
#endif
  if (!fill.in_range) return false;  // also for NaN and Inf: they are never inside
  min_ = std::min(min_, fill.min);
  max_ = std::max(max_, fill.max);
  // Pass 2: the increments.
  std::uint64_t* const counts = counts_.data();
  if (fill.banded && bands.any()) {
    // Tail mode: the slots are few and their counters cold (see histogram.h).
    if (pending_.empty()) pending_.reserve(kPendingSlots + kChunk);
    pending_.insert(pending_.end(), slot.begin(), slot.begin() + static_cast<std::ptrdiff_t>(fill.count));
    if (pending_.size() >= kPendingSlots) apply_pending();
    band_[kPositive].counted += fill.band_values[kPositive];
    band_[kNegative].counted += fill.band_values[kNegative];
  } else if (fill.banded || !bands.any()) {
    for (std::size_t k = 0; k < fill.count; ++k) ++counts[slot[k]];
    band_[kPositive].counted += fill.band_values[kPositive];
    band_[kNegative].counted += fill.band_values[kNegative];
  } else {
    for (std::size_t k = 0; k < fill.count; ++k) {
      const std::uint32_t s = slot[k];
      if (s >= kZeroSlot) {
        ++counts[s];  // scratch
      } else {
        count(s >= kBins ? kNegative : kPositive, s % kBins);
      }
    }
  }
  counts[0] += fill.zeros;  // exact zeros belong to bin 0 of the positive half
  zeros_ += fill.zeros;
  finite_ += chunk.size();
  return true;
}

void ActivationHistogram::add_each(std::span<const float> values) {
  // One value at a time: values beyond a half's range, non-finite values and
  // the first value of a half take add_slow().
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
      const auto bin = static_cast<std::size_t>(position);
      if (x == 0.0F) {
        ++counts[0];
      } else {
        count(negative ? kNegative : kPositive, bin);
      }
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
  if (x == 0.0F) {
    ++counts_[0];
    ++zeros_;
  } else {
    count(half, std::min(bin, kBins - 1));
  }
  min_ = std::min(min_, x);
  max_ = std::max(max_, x);
}

void ActivationHistogram::apply_pending() const {
  std::uint64_t* const counts = counts_.data();
  for (const std::uint32_t s : pending_) ++counts[s];
  pending_.clear();
}

void ActivationHistogram::grow(Half half, int exponent) {
  apply_pending();  // queued slots index the bins before the merge
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
  Band& band = band_[half];
  if (band.hi > band.lo) {
    // The merged bins holding any old band bin join the band: the rest stay exact.
    const unsigned s = std::min(shift, static_cast<unsigned>(kBinsLog2));
    band.lo >>= s;
    band.hi = (band.hi + (1U << s) - 1U) >> s;
  }
  exponent_[half] = exponent;
  inv_width_[half] = std::ldexp(1.0F, kBinsLog2 - exponent);
}

std::span<const std::uint64_t> ActivationHistogram::counts(Half half) const {
  apply_pending();
  return {counts_.data() + (half == kNegative ? kBins : 0), kBins};
}

std::vector<std::uint64_t> ActivationHistogram::band_counts(Half half) const {
  const std::span<const std::uint64_t> raw = counts(half);
  std::vector<std::uint64_t> out(raw.begin(), raw.end());
  const Band& band = band_[half];
  if (band.hi <= band.lo) return out;
  // Exact zeros stay in bin 0 of the positive half; everything else in the band is spread.
  const std::uint64_t zeros_in_band = half == kPositive && band.lo == 0 ? zeros_ : 0;
  std::uint64_t mass = band.counted;
  for (std::size_t i = band.lo; i < band.hi; ++i) mass += out[i];
  mass -= zeros_in_band;
  const std::size_t n = band.hi - band.lo;
  for (std::size_t i = band.lo; i < band.hi; ++i) {
    const std::size_t k = i - band.lo;
    out[i] = mass / n + (k < mass % n ? 1 : 0);
  }
  out[band.lo] += zeros_in_band;
  return out;
}

bool ActivationHistogram::in_band(double value) const {
  if (value == 0.0) return false;  // exact zeros are always counted exactly
  const Half half = value < 0.0 ? kNegative : kPositive;
  const Band& band = band_[half];
  if (band.hi <= band.lo) return false;
  const double bin = std::floor(std::fabs(value) / bin_width(half));
  return bin >= static_cast<double>(band.lo) && bin < static_cast<double>(band.hi);
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
    const std::vector<std::uint64_t> bins = band_counts(half);
    for (std::size_t i = 0; i < kBins; ++i) out[std::min(i >> shift, kBins - 1)] += bins[i];
  }
  return out;
}

}  // namespace octet::quant
