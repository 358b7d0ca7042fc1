#pragma once
// The requantization rules of TensorFlow Lite's default CPU path other than
// the builtin reference kernels' double rounding (quant_math.h's
// multiply_by_quantized_multiplier). TFLite runs most int8 ops through its
// XNNPACK delegate, which rounds differently from the builtin kernels at
// near-ties; octet's int8 kernels follow whichever path TFLite takes for the
// op (runtime/reference/int8_rounding.h says which, per kernel).
//
// * fp32 (XNNPACK's qs8/qc8 GEMM, IGEMM, DWCONV, GAVGPOOL, VMUL
//   requantization): the int32 accumulator is converted to float, multiplied
//   by a float32 scale, clamped to the output range less the zero point and
//   rounded once, half to even (XNNPACK's magic-bias / lrintf rounding), then
//   the zero point is added. XNNPACK forms its scales in float32, e.g.
//   input_scale * kernel_scale / output_scale evaluated left to right.
// * single rounding (ruy's MultiplyByQuantizedMultiplier, used by TFLite's
//   optimized FULLY_CONNECTED): (x * M + 2^(30 - shift)) >> (31 - shift) in
//   64 bits, one rounding, half up (towards +inf).
// * 8-bit multiplier (XNNPACK's qs8-vcvt and qs8-vlrelu): m = lrintf(256 *
//   scale), out = floor(((q - zp_in) * m + 128) / 256) + zp_out, saturated.
// * 11-bit bilinear weights (XNNPACK's s8-ibilinear): weights lrintf(alpha *
//   2^11), two lerps in integers, one rounding (half up) by 2^22.
// * 20-bit add multipliers (XNNPACK's qs8-vadd, ADD and SUB): each input's
//   scale ratio s_i / s_out becomes an integer multiplier of about 20 bits,
//   out = (bias + a m_a + b m_b) >> shift + zp_out, one rounding, half up.
//
// Every rounding here is exact integer or IEEE float32 arithmetic, so the
// results are bit-identical to XNNPACK's scalar and SIMD kernels.

#include <cstdint>

#include "core/op_options.h"
#include "quant/quant_math.h"

namespace octet::quant {

// ---- fp32 requantization (XNNPACK)

// XNNPACK's requantization scale of a product: a * b / output_scale in
// float32, left to right (convolutions and fully connected: input scale times
// kernel scale; multiply: the two input scales).
float xnn_product_scale(float a, float b, float output_scale);
// XNNPACK operators accept an fp32 requantization scale below this (2^8).
inline constexpr float kXnnMaxConvScale = 256.0F;

// round_half_even(clamp(float(acc) * scale, range.min - zero_point,
// range.max - zero_point)) + zero_point.
std::int32_t fp32_requantize(std::int32_t acc, float scale, std::int32_t zero_point, IntRange range);

// XNNPACK's float -> int8 convert (QUANTIZE): round_half_even(clamp(x *
// (1 / scale), range less the zero point)) + zero_point, the reciprocal and the
// product in float32. A NaN gives the zero point (octet's rule; XNNPACK's
// result is unspecified).
std::int32_t xnn_quantize(float x, float scale, std::int32_t zero_point, IntRange range);

// XNNPACK's xnn_qs8_quantize of a fused activation bound: lrintf(clamp(bound /
// scale + zero_point, q)), so the range a fused activation imposes on an
// XNNPACK output (the delegate passes RELU as [0, +inf), RELU6 as [0, 6],
// RELU_N1_TO_1 as [-1, 1]).
IntRange xnn_activation_range(Activation activation, float scale, std::int32_t zero_point, IntRange q);

// ---- single rounding (ruy)

// ruy's MultiplyByQuantizedMultiplier: one rounding, half towards +inf.
std::int32_t multiply_by_quantized_multiplier_single_rounding(std::int32_t x, FixedPointMultiplier m);

// ---- 8-bit fixed-point multiplier (XNNPACK qs8-vcvt, qs8-vlrelu)

// XNNPACK accepts an input-to-output scale ratio in [2^-8, 2^7] for these.
inline constexpr float kXnnMinQ8Scale = 0x1.0p-8F;
inline constexpr float kXnnMaxQ8Scale = 0x1.0p+7F;
// lrintf(256 * scale) (half to even).
std::int32_t xnn_q8_multiplier(float scale);
// floor((centred * multiplier + 128) / 256) + zero_point, clamped to q.
std::int32_t xnn_q8_requantize(std::int32_t centred, std::int32_t multiplier, std::int32_t zero_point, IntRange q);

// ---- 11-bit bilinear interpolation (XNNPACK s8-ibilinear)

// lrintf(alpha * 2^11) for an interpolation fraction alpha in [0, 1].
std::int32_t xnn_q11_weight(float alpha);
// Interpolates the four neighbours: top = tl * 2^11 + (tr - tl) * wx, bottom
// likewise, out = (top * 2^11 + (bottom - top) * wy + 2^21) >> 22.
std::int32_t xnn_bilinear_q11(std::int32_t top_left, std::int32_t top_right, std::int32_t bottom_left,
                              std::int32_t bottom_right, std::int32_t weight_x, std::int32_t weight_y);

// ---- 20-bit add multipliers (XNNPACK qs8-vadd)

// XNNPACK's ADD (and SUB, with the second ratio negated) accepts input-to-output
// scale ratios |s_i / s_out| in [2^-10, 2^8).
inline constexpr float kXnnMinAddScale = 0x1.0p-10F;
inline constexpr float kXnnMaxAddScale = 0x1.0p+8F;  // exclusive

struct XnnAddParams {
  std::int32_t a_multiplier = 0, b_multiplier = 0;
  std::int32_t bias = 0;  // 2^(shift - 1) - m_a zp_a - m_b zp_b
  int shift = 0;          // 20 - exponent of the larger |ratio|: in [12, 30]
  std::int32_t output_zero_point = 0;
  IntRange range;  // the output range (int8, narrowed by the fused activation)
};

// XNNPACK's xnn_init_qs8_add_minmax params: ratios r_i = s_i / s_out in float32
// (r_b negated for SUB), shift = 20 - floor(log2(max |r_i|)), m_i = lrintf(r_i
// 2^shift). The ratios must be in XNNPACK's range (kXnnMinAddScale..).
XnnAddParams xnn_add_params(float a_scale, std::int32_t a_zero_point, float b_scale, std::int32_t b_zero_point,
                            float output_scale, std::int32_t output_zero_point, bool subtract, IntRange range);
// floor((bias + a m_a + b m_b) / 2^shift) + zp_out, clamped to the range.
std::int32_t xnn_add(const XnnAddParams& p, std::int32_t a, std::int32_t b);

}  // namespace octet::quant
