#pragma once
// TFLite's integer requantization on 8 int32 lanes (AVX2), bit for bit the
// scalar functions of src/quant/quant_math.h, for the fast int8 element-wise
// kernels. Every function carries target("avx2"): callers check
// __builtin_cpu_supports("avx2") before running them, so the binary stays
// portable. Only include from fast-kernel .cpp files.

#include <immintrin.h>

#include <cstdint>
#include <limits>

#include "quant/quant_math.h"

#define OCTET_TARGET_AVX2 __attribute__((target("avx2")))

namespace octet::fast::simd {

// gemmlowp's Q31 rounding constant: SaturatingRoundingDoublingHighMul adds
// 2^30 (or 1 - 2^30 for a negative product) and truncates a division by 2^31;
// for either sign that equals floor((a b + 2^30) / 2^31).
inline constexpr int kQ31Shift = 31;
inline constexpr std::int64_t kQ31Half = std::int64_t{1} << (kQ31Shift - 1);
inline constexpr int kDwordBits = 32;
inline constexpr int kOddDwords = 0xAA;  // blend mask: dwords 1, 3, 5, 7

// MultiplyByQuantizedMultiplier's operands broadcast once per call.
struct MbqmVec {
  __m256i multiplier;
  __m128i left, right;      // shift counts
  __m256i below, above;     // inputs whose left shift saturates
  __m256i mask, half_mask;  // RoundingDivideByPOT's 2^right - 1 and its half
  bool shifts_left, shifts_right;
};

OCTET_TARGET_AVX2 inline MbqmVec mbqm_vec(quant::FixedPointMultiplier m) {
  const int left = m.shift > 0 ? m.shift : 0;
  const int right = m.shift > 0 ? 0 : -m.shift;
  const std::int32_t mask = static_cast<std::int32_t>((std::int64_t{1} << right) - 1);
  return MbqmVec{
      .multiplier = _mm256_set1_epi32(m.multiplier),
      .left = _mm_cvtsi32_si128(left),
      .right = _mm_cvtsi32_si128(right),
      .below = _mm256_set1_epi32(std::numeric_limits<std::int32_t>::min() >> left),
      .above = _mm256_set1_epi32(std::numeric_limits<std::int32_t>::max() >> left),
      .mask = _mm256_set1_epi32(mask),
      .half_mask = _mm256_set1_epi32(mask >> 1),
      .shifts_left = left > 0,
      .shifts_right = right > 0,
  };
}

// SaturatingRoundingDoublingHighMul(x, m) for a multiplier m != INT32_MIN
// (QuantizeMultiplier never yields it, so the saturating case cannot occur).
OCTET_TARGET_AVX2 inline __m256i rounding_doubling_high_mul(__m256i x, __m256i m) {
  const __m256i half = _mm256_set1_epi64x(kQ31Half);
  const __m256i even = _mm256_add_epi64(_mm256_mul_epi32(x, m), half);
  const __m256i odd = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, kDwordBits), m), half);
  // Bits 31..62 of each 64-bit sum are the int32 result.
  return _mm256_blend_epi32(_mm256_srli_epi64(even, kQ31Shift),
                            _mm256_slli_epi64(_mm256_srli_epi64(odd, kQ31Shift), kDwordBits), kOddDwords);
}

// RoundingDivideByPOT by v's right shift (the second half of mbqm).
OCTET_TARGET_AVX2 inline __m256i rounding_divide_by_pot(__m256i r, const MbqmVec& v) {
  if (v.shifts_right) {
    const __m256i remainder = _mm256_and_si256(r, v.mask);
    const __m256i threshold = _mm256_add_epi32(v.half_mask, _mm256_srli_epi32(r, kDwordBits - 1));
    r = _mm256_sub_epi32(_mm256_sra_epi32(r, v.right), _mm256_cmpgt_epi32(remainder, threshold));
  }
  return r;
}

// MultiplyByQuantizedMultiplier: saturating left shift, high mul, then
// RoundingDivideByPOT (ties away from zero).
OCTET_TARGET_AVX2 inline __m256i mbqm(__m256i x, const MbqmVec& v) {
  if (v.shifts_left) {
    const __m256i over = _mm256_cmpgt_epi32(x, v.above);
    const __m256i under = _mm256_cmpgt_epi32(v.below, x);
    __m256i shifted = _mm256_sll_epi32(x, v.left);
    shifted = _mm256_blendv_epi8(shifted, _mm256_set1_epi32(std::numeric_limits<std::int32_t>::max()), over);
    x = _mm256_blendv_epi8(shifted, _mm256_set1_epi32(std::numeric_limits<std::int32_t>::min()), under);
  }
  return rounding_divide_by_pot(rounding_doubling_high_mul(x, v.multiplier), v);
}

// MultiplyByQuantizedMultiplier(c << 20, m) for |c| <= 255 and m's shift <= 0
// (ADD/SUB's input stage) in 32-bit lanes: SaturatingRoundingDoublingHighMul
// is floor((c 2^20 m + 2^30) / 2^31) = floor((c m + 2^10) / 2^11), and with
// m = m_high 2^11 + m_low that is c m_high + floor((c m_low + 2^10) / 2^11);
// |c m_high| < 2^28 and |c m_low| < 2^19, so nothing overflows.
inline constexpr int kAddHeadroomBits = 20;  // TFLite int8 ADD/SUB: inputs shifted left by 20
inline constexpr int kAddShiftRemainder = kQ31Shift - kAddHeadroomBits;
struct SplitMultiplier {
  __m256i high, low, half;
};
OCTET_TARGET_AVX2 inline SplitMultiplier split_multiplier(std::int32_t multiplier) {
  return SplitMultiplier{.high = _mm256_set1_epi32(multiplier >> kAddShiftRemainder),
                         .low = _mm256_set1_epi32(multiplier & ((1 << kAddShiftRemainder) - 1)),
                         .half = _mm256_set1_epi32(1 << (kAddShiftRemainder - 1))};
}
OCTET_TARGET_AVX2 inline __m256i mbqm_shifted_by_20(__m256i c, const SplitMultiplier& m, const MbqmVec& v) {
  const __m256i low = _mm256_srai_epi32(_mm256_add_epi32(_mm256_mullo_epi32(c, m.low), m.half), kAddShiftRemainder);
  return rounding_divide_by_pot(_mm256_add_epi32(_mm256_mullo_epi32(c, m.high), low), v);
}

// Four vectors of 8 int32 values in [-128, 127] -> 32 int8 in order.
OCTET_TARGET_AVX2 inline __m256i pack_int8(__m256i v0, __m256i v1, __m256i v2, __m256i v3) {
  const __m256i packed = _mm256_packs_epi16(_mm256_packs_epi32(v0, v1), _mm256_packs_epi32(v2, v3));
  // packs works per 128-bit lane: dwords hold v0[0:4] v1[0:4] v2[0:4] v3[0:4] | v0[4:8] ...
  return _mm256_permutevar8x32_epi32(packed, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

// 8 int8 at p widened to int32.
OCTET_TARGET_AVX2 inline __m256i load8_int32(const std::int8_t* p) {
  return _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
}

}  // namespace octet::fast::simd
