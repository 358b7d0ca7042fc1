#pragma once
// The one module of quantization arithmetic. Everything octet computes about
// int8 numbers lives here, following TensorFlow Lite's 8-bit quantization
// specification (https://www.tensorflow.org/lite/performance/quantization_spec):
//
//   real = scale * (q - zero_point)
//
// * activations: int8, asymmetric, per tensor, 0.0 exactly representable;
// * weights: int8, symmetric in [-127, 127], zero point 0, per channel or per tensor;
// * biases: int32, zero point 0, scale = input scale * weight scale (per channel);
// * rescaling in kernels: a real multiplier M is stored as a Q31 fixed-point
//   mantissa and a power-of-two exponent, and applied with TFLite's
//   (gemmlowp's) rounding: a saturating rounding doubling high multiply
//   followed by a rounding right shift (round half away from zero).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "core/dtype.h"
#include "core/tensor.h"
#include "core/op_options.h"

namespace octet::quant {

inline constexpr std::int32_t kInt8Min = std::numeric_limits<std::int8_t>::min();   // -128
inline constexpr std::int32_t kInt8Max = std::numeric_limits<std::int8_t>::max();   // 127
inline constexpr std::int32_t kUint8Max = std::numeric_limits<std::uint8_t>::max(); // 255
// Symmetric int8 weights use [-127, 127] so that -w is representable for every w.
inline constexpr std::int32_t kWeightMax = 127;

// A real range [min, max] calibrated for a tensor.
struct Range {
  float min = 0.0F;
  float max = 0.0F;
};

// Integer limits of a quantized dtype (int8, uint8, int16, int32).
struct IntRange {
  std::int32_t min = 0;
  std::int32_t max = 0;
};
IntRange int_range(DType dtype);

// Scale and zero point of an asymmetric per-tensor quantizer covering `range`
// with the integer range `q`: the range is first widened to contain 0, then
// scale = (max - min) / (q.max - q.min) and the zero point is the rounded
// q.min - min / scale clamped into q (TFLite's ChooseQuantizationParams /
// the MLIR quantizer's nudging). A degenerate range (min == max == 0) gives
// scale 1 (any scale represents an all-zero tensor exactly).
QuantParams choose_activation_params(Range range, IntRange q);

// Per-tensor or per-channel symmetric int8 weight parameters: scale =
// max|w| / 127 over the channel (1 for an all-zero channel), zero point 0.
// `axis` < 0 means per tensor.
QuantParams choose_weight_params(std::span<const float> weights, const Shape& shape, int axis);

// Quantizes real values with `params` (per channel along params.axis of
// `shape` when per-channel) to the integer range `q`: q = clamp(round(x /
// scale) + zero_point), rounding half away from zero like TFLite's
// reference QUANTIZE. Returned as int32; the caller narrows.
std::vector<std::int32_t> quantize_values(std::span<const float> values, const Shape& shape,
                                          const QuantParams& params, IntRange q);
std::int32_t quantize_value(float value, float scale, std::int64_t zero_point, IntRange q);
float dequantize_value(std::int32_t value, float scale, std::int64_t zero_point);

// A real multiplier as TFLite stores it: multiplier in Q31 (in [2^30, 2^31)
// or 0) and a power-of-two shift (positive = left).
struct FixedPointMultiplier {
  std::int32_t multiplier = 0;
  int shift = 0;
};
// TFLite's QuantizeMultiplier: frexp, round the mantissa to Q31 (half away
// from zero), renormalise 2^31, flush multipliers below 2^-31 to zero and
// saturate those of 2^31 or more.
FixedPointMultiplier quantize_multiplier(double real_multiplier);

// gemmlowp's SaturatingRoundingDoublingHighMul: (a * b * 2) >> 32 with
// rounding to nearest (ties away from zero), saturating the one overflow case.
std::int32_t saturating_rounding_doubling_high_mul(std::int32_t a, std::int32_t b);
// gemmlowp's RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from zero.
std::int32_t rounding_divide_by_pot(std::int32_t x, int exponent);
// TFLite's MultiplyByQuantizedMultiplier (the default, double-rounding variant).
std::int32_t multiply_by_quantized_multiplier(std::int32_t x, FixedPointMultiplier m);

// TFLite's CalculateActivationRangeQuantized: the clamp a fused activation
// imposes on an output quantized with (scale, zero_point) in range q.
IntRange activation_range(Activation activation, float scale, std::int64_t zero_point, IntRange q);

// Output parameters TFLite fixes for ops whose output range is known, in int8:
// LOGISTIC and SOFTMAX: scale 1/256, zero point -128; TANH: scale 1/128, zero point 0;
// LOG_SOFTMAX: scale 16/256, zero point 127.
QuantParams logistic_output_params();
QuantParams softmax_output_params();
QuantParams tanh_output_params();
QuantParams log_softmax_output_params();

// Bias quantization: int32, zero point 0, scale = input_scale * weight_scale[c].
QuantParams bias_params(float input_scale, const QuantParams& weight);
// Smallest weight scale for which round(bias / (input_scale * weight_scale))
// fits int32 with headroom; the quantizer raises a channel's weight scale to it
// when a bias would otherwise overflow.
float min_weight_scale_for_bias(float bias, float input_scale);

// Signal-to-quantization-noise ratio in dB: 10 log10(sum y^2 / sum (y - yq)^2);
// +inf when the two are identical.
double sqnr_db(std::span<const float> reference, std::span<const float> approximation);

}  // namespace octet::quant
