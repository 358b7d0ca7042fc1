#include "quant/value_stats.h"

#include <algorithm>
#include <limits>

#include "util/cpu_features.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(OCTET_X86_DISPATCH)
#include <immintrin.h>
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

#if defined(OCTET_X86_DISPATCH)
// _mm512_min_ps / _mm512_max_ps through their zero-masking forms with every
// lane selected: the same instruction, but GCC 12's headers make the plain
// forms trip -Wmaybe-uninitialized (GCC bug 105593).
constexpr __mmask16 kAll16 = 0xFFFF;
__attribute__((target("avx512f"))) inline __m512 min16(__m512 a, __m512 b) { return _mm512_maskz_min_ps(kAll16, a, b); }
__attribute__((target("avx512f"))) inline __m512 max16(__m512 a, __m512 b) { return _mm512_maskz_max_ps(kAll16, a, b); }

// The AVX-512 body of span_min_max: the same arithmetic, 16 lanes, four
// independent accumulators. Returns how many leading values it covered.
__attribute__((target("avx512f"))) std::size_t avx512_min_max(std::span<const float> values, float& lo, float& hi,
                                                               bool& finite) {
  constexpr std::size_t kLanes = 16;
  constexpr std::size_t kStep = 4 * kLanes;
  if (values.size() < kStep) return 0;
  const float* p = values.data();
  __m512 lo_v[4], hi_v[4];
  __mmask16 ok = kAll16;
  const __m512 zero = _mm512_setzero_ps();
  for (int k = 0; k < 4; ++k) {
    lo_v[k] = _mm512_set1_ps(lo);
    hi_v[k] = _mm512_set1_ps(hi);
  }
  std::size_t done = 0;
  for (; done + kStep <= values.size(); done += kStep) {
    for (std::size_t k = 0; k < 4; ++k) {
      const __m512 x = _mm512_loadu_ps(p + done + k * kLanes);
      // min/max return the second operand when the first is NaN: NaNs are skipped.
      lo_v[k] = min16(x, lo_v[k]);
      hi_v[k] = max16(x, hi_v[k]);
      ok = _mm512_mask_cmp_ps_mask(ok, _mm512_sub_ps(x, x), zero, _CMP_EQ_OQ);
    }
  }
  alignas(64) float lo_lanes[kLanes], hi_lanes[kLanes];
  _mm512_store_ps(lo_lanes, min16(min16(lo_v[0], lo_v[1]), min16(lo_v[2], lo_v[3])));
  _mm512_store_ps(hi_lanes, max16(max16(hi_v[0], hi_v[1]), max16(hi_v[2], hi_v[3])));
  lo = *std::min_element(lo_lanes, lo_lanes + kLanes);
  hi = *std::max_element(hi_lanes, hi_lanes + kLanes);
  finite = ok == kAll16;
  return done;
}
#endif

}  // namespace

SpanMinMax span_min_max(std::span<const float> values) {
  float lo = std::numeric_limits<float>::infinity();
  float hi = -std::numeric_limits<float>::infinity();
  bool finite = true;
  std::size_t done = 0;
#if defined(OCTET_X86_DISPATCH)
  if (cpu_has_avx512f()) {
    done = avx512_min_max(values, lo, hi, finite);
    scalar_min_max(values.subspan(done), lo, hi, finite);
    return {lo, hi, finite};
  }
#endif
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
