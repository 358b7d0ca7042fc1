#include "quant/requantize.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace octet::quant {

namespace {

// The Q31 multiplier's implicit binary point.
constexpr int kQ31Shift = 31;
// XNNPACK's 8-bit multipliers: scale * 2^8, result shifted back by 8 with +2^7 rounding.
constexpr float kQ8One = 256.0F;
constexpr int kQ8Shift = 8;
// XNNPACK's bilinear weights: 11 fractional bits each, 22 after both lerps.
constexpr float kQ11One = 2048.0F;
constexpr int kQ11Shift = 11;
constexpr int kQ22Shift = 2 * kQ11Shift;
// XNNPACK's add multipliers: the larger ratio scaled into [2^20, 2^21).
constexpr int kAddMultiplierBits = 20;

std::int32_t clamp_to(std::int64_t v, IntRange q) {
  return static_cast<std::int32_t>(std::clamp<std::int64_t>(v, q.min, q.max));
}

// x / 2^shift rounded half up (floor of x / 2^shift + 1/2): add half, shift arithmetically.
std::int64_t round_half_up_shift(std::int64_t x, int shift) { return (x + (std::int64_t{1} << (shift - 1))) >> shift; }

// clamp(scaled, range less the zero point) rounded half to even, + zero point.
std::int32_t round_clamped(float scaled, std::int32_t zero_point, IntRange range) {
  const float lo = static_cast<float>(range.min - zero_point);
  const float hi = static_cast<float>(range.max - zero_point);
  // std::lrint rounds in the current mode: half to even by default, as XNNPACK's magic bias.
  return static_cast<std::int32_t>(std::lrint(std::clamp(scaled, lo, hi))) + zero_point;
}

}  // namespace

float xnn_product_scale(float a, float b, float output_scale) {
  const float product = a * b;  // float32, rounded here as XNNPACK does
  return product / output_scale;
}

std::int32_t fp32_requantize(std::int32_t acc, float scale, std::int32_t zero_point, IntRange range) {
  return round_clamped(static_cast<float>(acc) * scale, zero_point, range);
}

std::int32_t xnn_quantize(float x, float scale, std::int32_t zero_point, IntRange range) {
  if (std::isnan(x)) return zero_point;
  const float inverse = 1.0F / scale;
  return round_clamped(x * inverse, zero_point, range);
}

IntRange xnn_activation_range(Activation activation, float scale, std::int32_t zero_point, IntRange q) {
  const auto quantize = [&](float bound) {
    const float v = std::clamp(bound / scale + static_cast<float>(zero_point), static_cast<float>(q.min),
                               static_cast<float>(q.max));
    return static_cast<std::int32_t>(std::lrint(v));
  };
  constexpr float kRelu6Max = 6.0F;
  switch (activation) {
    case Activation::kNone:
    case Activation::kTanh: return q;
    case Activation::kRelu: return {quantize(0.0F), q.max};
    case Activation::kRelu6: return {quantize(0.0F), quantize(kRelu6Max)};
    case Activation::kReluN1To1: return {quantize(-1.0F), quantize(1.0F)};
  }
  return q;
}

std::int32_t multiply_by_quantized_multiplier_single_rounding(std::int32_t x, FixedPointMultiplier m) {
  const int total_shift = kQ31Shift - m.shift;
  const std::int64_t result = round_half_up_shift(std::int64_t{x} * m.multiplier, total_shift);
  return static_cast<std::int32_t>(std::clamp<std::int64_t>(result, std::numeric_limits<std::int32_t>::min(),
                                                            std::numeric_limits<std::int32_t>::max()));
}

std::int32_t xnn_q8_multiplier(float scale) { return static_cast<std::int32_t>(std::lrint(kQ8One * scale)); }

std::int32_t xnn_q8_requantize(std::int32_t centred, std::int32_t multiplier, std::int32_t zero_point, IntRange q) {
  return clamp_to(round_half_up_shift(std::int64_t{centred} * multiplier, kQ8Shift) + zero_point, q);
}

std::int32_t xnn_q11_weight(float alpha) { return static_cast<std::int32_t>(std::lrint(alpha * kQ11One)); }

std::int32_t xnn_bilinear_q11(std::int32_t top_left, std::int32_t top_right, std::int32_t bottom_left,
                              std::int32_t bottom_right, std::int32_t weight_x, std::int32_t weight_y) {
  const std::int64_t top = std::int64_t{top_left} * (1 << kQ11Shift) + std::int64_t{top_right - top_left} * weight_x;
  const std::int64_t bottom =
      std::int64_t{bottom_left} * (1 << kQ11Shift) + std::int64_t{bottom_right - bottom_left} * weight_x;
  const std::int64_t acc = top * (1 << kQ11Shift) + (bottom - top) * weight_y;
  return static_cast<std::int32_t>(round_half_up_shift(acc, kQ22Shift));
}

XnnAddParams xnn_add_params(float a_scale, std::int32_t a_zero_point, float b_scale, std::int32_t b_zero_point,
                            float output_scale, std::int32_t output_zero_point, bool subtract, IntRange range) {
  const float a_ratio = a_scale / output_scale;  // float32, as XNNPACK forms it
  const float b_ratio = subtract ? -(b_scale / output_scale) : b_scale / output_scale;
  const float larger = std::max(std::fabs(a_ratio), std::fabs(b_ratio));
  int exponent = 0;
  std::frexp(larger, &exponent);  // larger = f 2^exponent, f in [0.5, 1): floor(log2) = exponent - 1
  XnnAddParams p;
  p.shift = kAddMultiplierBits - (exponent - 1);
  // lrintf(ldexpf(r, shift)): exact scaling by a power of two, then half to even.
  p.a_multiplier = static_cast<std::int32_t>(std::lrint(std::ldexp(a_ratio, p.shift)));
  p.b_multiplier = static_cast<std::int32_t>(std::lrint(std::ldexp(b_ratio, p.shift)));
  p.bias = (std::int32_t{1} << (p.shift - 1)) - p.a_multiplier * a_zero_point - p.b_multiplier * b_zero_point;
  p.output_zero_point = output_zero_point;
  p.range = range;
  return p;
}

std::int32_t xnn_add(const XnnAddParams& p, std::int32_t a, std::int32_t b) {
  // |m| < 2^21 and |a|, |b| <= 128: every term and the sum fit in int32, as in XNNPACK.
  const std::int32_t acc = p.bias + a * p.a_multiplier + b * p.b_multiplier;
  return clamp_to((acc >> p.shift) + std::int64_t{p.output_zero_point}, p.range);
}

}  // namespace octet::quant
