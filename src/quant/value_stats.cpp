#include "quant/value_stats.h"

#include <algorithm>
#include <limits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace octet::quant {

namespace {

// Scalar tail (and the whole span without SSE2). `x < lo ? x : lo` ignores a
// NaN x exactly as _mm_min_ps(x, lo) does.
void scalar_min_max(std::span<const float> values, float& lo, float& hi, bool& finite) {
  for (const float x : values) {
    finite &= (x - x) == 0.0F;  // 0 for finite x, NaN for NaN and +-Inf
    lo = x < lo ? x : lo;
    hi = x > hi ? x : hi;
  }
}

}  // namespace

SpanMinMax span_min_max(std::span<const float> values) {
  float lo = std::numeric_limits<float>::infinity();
  float hi = -std::numeric_limits<float>::infinity();
  bool finite = true;
  std::size_t done = 0;
#if defined(__SSE2__)
  // Four independent 4-lane accumulators hide the min/max latency.
  constexpr std::size_t kLanes = 4;
  constexpr std::size_t kStep = 4 * kLanes;
  if (values.size() >= kStep) {
    const float* p = values.data();
    __m128 lo_v[4], hi_v[4], ok_v[4];
    const __m128 zero = _mm_setzero_ps();
    for (int k = 0; k < 4; ++k) {
      lo_v[k] = _mm_set1_ps(lo);
      hi_v[k] = _mm_set1_ps(hi);
      ok_v[k] = _mm_cmpeq_ps(zero, zero);  // all ones
    }
    for (; done + kStep <= values.size(); done += kStep) {
      for (std::size_t k = 0; k < 4; ++k) {
        const __m128 x = _mm_loadu_ps(p + done + k * kLanes);
        // min/max return the second operand when the first is NaN: NaNs are skipped.
        lo_v[k] = _mm_min_ps(x, lo_v[k]);
        hi_v[k] = _mm_max_ps(x, hi_v[k]);
        ok_v[k] = _mm_and_ps(ok_v[k], _mm_cmpeq_ps(_mm_sub_ps(x, x), zero));
      }
    }
    const __m128 lo4 = _mm_min_ps(_mm_min_ps(lo_v[0], lo_v[1]), _mm_min_ps(lo_v[2], lo_v[3]));
    const __m128 hi4 = _mm_max_ps(_mm_max_ps(hi_v[0], hi_v[1]), _mm_max_ps(hi_v[2], hi_v[3]));
    const __m128 ok4 = _mm_and_ps(_mm_and_ps(ok_v[0], ok_v[1]), _mm_and_ps(ok_v[2], ok_v[3]));
    alignas(16) float lo_lanes[kLanes], hi_lanes[kLanes];
    _mm_store_ps(lo_lanes, lo4);
    _mm_store_ps(hi_lanes, hi4);
    lo = *std::min_element(lo_lanes, lo_lanes + kLanes);
    hi = *std::max_element(hi_lanes, hi_lanes + kLanes);
    constexpr int kAllLanes = 0xF;
    finite = _mm_movemask_ps(ok4) == kAllLanes;
  }
#endif
  scalar_min_max(values.subspan(done), lo, hi, finite);
  return {lo, hi, finite};
}

}  // namespace octet::quant
