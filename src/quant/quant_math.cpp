#include "quant/quant_math.h"

#include "core/error.h"

namespace octet::quant {

namespace {

// Q31: the fixed-point format of TFLite's multipliers.
constexpr int kQ31Bits = 31;
constexpr std::int64_t kQ31One = std::int64_t{1} << kQ31Bits;
// Exponents below this flush a multiplier to zero (it would be < 2^-31).
constexpr int kMinMultiplierShift = -31;
// Exponents above this saturate (TFLite clamps the shift at 30).
constexpr int kMaxMultiplierShift = 30;
// Biases keep this factor of headroom below the int32 limit when the quantizer
// checks that they fit (the accumulator adds products to them).
constexpr double kBiasHeadroom = 0.5;

}  // namespace

IntRange int_range(DType dtype) {
  switch (dtype) {
    case DType::kInt8: return {kInt8Min, kInt8Max};
    case DType::kUint8: return {0, kUint8Max};
    case DType::kInt16: return {std::numeric_limits<std::int16_t>::min(), std::numeric_limits<std::int16_t>::max()};
    case DType::kInt32: return {std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max()};
    default: break;
  }
  throw fail("quantization: {} is not a quantized integer type", dtype_name(dtype));
}

QuantParams choose_activation_params(Range range, IntRange q) {
  const double lo = std::min(0.0, static_cast<double>(range.min));
  const double hi = std::max(0.0, static_cast<double>(range.max));
  if (!std::isfinite(lo) || !std::isfinite(hi)) throw fail("quantization: range [{}, {}] is not finite", range.min, range.max);
  const double qmin = q.min;
  const double qmax = q.max;
  QuantParams params;
  if (hi - lo <= 0.0) {
    params.scale = {1.0F};
    params.zero_point = {std::clamp<std::int64_t>(0, q.min, q.max)};
    return params;
  }
  const double scale = (hi - lo) / (qmax - qmin);
  // Choose the zero point from the end whose arithmetic is more exact, as TFLite does.
  const double zero_from_min = qmin - lo / scale;
  const double zero_from_max = qmax - hi / scale;
  const double error_from_min = std::abs(qmin) + std::abs(lo / scale);
  const double error_from_max = std::abs(qmax) + std::abs(hi / scale);
  const double zero = error_from_min < error_from_max ? zero_from_min : zero_from_max;
  params.scale = {static_cast<float>(scale)};
  params.zero_point = {static_cast<std::int64_t>(std::clamp(std::round(zero), qmin, qmax))};
  return params;
}

QuantParams choose_weight_params(std::span<const float> weights, const Shape& shape, int axis) {
  QuantParams params;
  std::int64_t channels = 1;
  std::int64_t inner = 1;
  if (axis >= 0) {
    const auto a = static_cast<std::size_t>(axis);
    if (a >= shape.size()) throw fail("quantization: axis {} out of range for weights of shape {}", axis, shape_string(shape));
    channels = shape[a];
    for (std::size_t d = a + 1; d < shape.size(); ++d) inner *= shape[d];
    params.axis = axis;
  }
  std::vector<float> max_abs(static_cast<std::size_t>(channels), 0.0F);
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const auto c = static_cast<std::size_t>((static_cast<std::int64_t>(i) / inner) % channels);
    max_abs[c] = std::max(max_abs[c], std::abs(weights[i]));
  }
  for (const float m : max_abs) {
    params.scale.push_back(m > 0.0F ? m / static_cast<float>(kWeightMax) : 1.0F);
    params.zero_point.push_back(0);
  }
  return params;
}

std::int32_t quantize_value(float value, float scale, std::int64_t zero_point, IntRange q) {
  const float scaled = std::round(value / scale);
  if (std::isnan(scaled)) return static_cast<std::int32_t>(std::clamp<std::int64_t>(zero_point, q.min, q.max));
  const double shifted = static_cast<double>(scaled) + static_cast<double>(zero_point);
  return static_cast<std::int32_t>(std::clamp(shifted, static_cast<double>(q.min), static_cast<double>(q.max)));
}

float dequantize_value(std::int32_t value, float scale, std::int64_t zero_point) {
  return static_cast<float>(static_cast<double>(scale) * static_cast<double>(value - zero_point));
}

std::vector<std::int32_t> quantize_values(std::span<const float> values, const Shape& shape,
                                          const QuantParams& params, IntRange q) {
  std::int64_t channels = 1;
  std::int64_t inner = 1;
  if (params.per_channel()) {
    const auto a = static_cast<std::size_t>(params.axis);
    channels = shape.at(a);
    for (std::size_t d = a + 1; d < shape.size(); ++d) inner *= shape[d];
  }
  std::vector<std::int32_t> out(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto c = static_cast<std::size_t>((static_cast<std::int64_t>(i) / inner) % channels);
    out[i] = quantize_value(values[i], params.scale[c], params.zero_point[c], q);
  }
  return out;
}

FixedPointMultiplier quantize_multiplier(double real_multiplier) {
  if (real_multiplier == 0.0) return {};
  if (!(real_multiplier > 0.0) || !std::isfinite(real_multiplier)) {
    throw fail("quantization: multiplier {} must be positive and finite", real_multiplier);
  }
  int shift = 0;
  const double mantissa = std::frexp(real_multiplier, &shift);
  auto fixed = static_cast<std::int64_t>(std::round(mantissa * static_cast<double>(kQ31One)));
  if (fixed == kQ31One) {
    fixed /= 2;
    ++shift;
  }
  if (shift < kMinMultiplierShift) return {};
  if (shift > kMaxMultiplierShift) return {std::numeric_limits<std::int32_t>::max(), kMaxMultiplierShift};
  return {static_cast<std::int32_t>(fixed), shift};
}

std::int32_t saturating_rounding_doubling_high_mul(std::int32_t a, std::int32_t b) {
  constexpr std::int32_t kMin = std::numeric_limits<std::int32_t>::min();
  if (a == kMin && b == kMin) return std::numeric_limits<std::int32_t>::max();
  const std::int64_t product = static_cast<std::int64_t>(a) * static_cast<std::int64_t>(b);
  constexpr std::int64_t kHalf = std::int64_t{1} << (kQ31Bits - 1);
  const std::int64_t nudge = product >= 0 ? kHalf : 1 - kHalf;
  return static_cast<std::int32_t>((product + nudge) / kQ31One);
}

std::int32_t rounding_divide_by_pot(std::int32_t x, int exponent) {
  if (exponent <= 0) return x;
  const std::int32_t mask = static_cast<std::int32_t>((std::int64_t{1} << exponent) - 1);
  const std::int32_t remainder = x & mask;
  const std::int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

std::int32_t multiply_by_quantized_multiplier(std::int32_t x, FixedPointMultiplier m) {
  const int left = m.shift > 0 ? m.shift : 0;
  const int right = m.shift > 0 ? 0 : -m.shift;
  // TFLite shifts left in int32 (the caller guarantees no overflow); do it in
  // int64 and saturate so that an out-of-contract input cannot be UB here.
  const std::int64_t shifted = static_cast<std::int64_t>(x) * (std::int64_t{1} << left);
  const auto clamped = static_cast<std::int32_t>(std::clamp<std::int64_t>(
      shifted, std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max()));
  return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(clamped, m.multiplier), right);
}

IntRange activation_range(Activation activation, float scale, std::int64_t zero_point, IntRange q) {
  const IntRange unbounded = int_range(DType::kInt32);
  const auto quantize = [&](float x) { return quantize_value(x, scale, zero_point, unbounded); };
  const auto zero = static_cast<std::int32_t>(zero_point);
  switch (activation) {
    case Activation::kNone:
    case Activation::kTanh: return q;
    case Activation::kRelu: return {std::max(q.min, zero), q.max};
    case Activation::kRelu6: return {std::max(q.min, zero), std::min(q.max, quantize(6.0F))};
    case Activation::kReluN1To1: return {std::max(q.min, quantize(-1.0F)), std::min(q.max, quantize(1.0F))};
  }
  return q;
}

namespace {
// TFLite's fixed output parameters in int8.
constexpr float kUnitIntervalScale = 1.0F / 256.0F;  // LOGISTIC, SOFTMAX: [0, 1)
constexpr float kSignedUnitScale = 1.0F / 128.0F;    // TANH: [-1, 1)
constexpr float kLogSoftmaxScale = 16.0F / 256.0F;   // LOG_SOFTMAX: [-255/16, 0]
constexpr std::int64_t kLogSoftmaxZeroPoint = 127;   // real 0 at the top of int8
QuantParams fixed_params(float scale, std::int64_t zero_point) {
  QuantParams p;
  p.scale = {scale};
  p.zero_point = {zero_point};
  return p;
}
}  // namespace

QuantParams logistic_output_params() { return fixed_params(kUnitIntervalScale, kInt8Min); }
QuantParams softmax_output_params() { return fixed_params(kUnitIntervalScale, kInt8Min); }
QuantParams tanh_output_params() { return fixed_params(kSignedUnitScale, 0); }
QuantParams log_softmax_output_params() { return fixed_params(kLogSoftmaxScale, kLogSoftmaxZeroPoint); }

QuantParams bias_params(float input_scale, const QuantParams& weight) {
  QuantParams p;
  for (const float s : weight.scale) {
    p.scale.push_back(input_scale * s);
    p.zero_point.push_back(0);
  }
  p.axis = 0;
  return p;
}

float min_weight_scale_for_bias(float bias, float input_scale) {
  const double limit = kBiasHeadroom * static_cast<double>(std::numeric_limits<std::int32_t>::max());
  return static_cast<float>(std::abs(static_cast<double>(bias)) / (limit * static_cast<double>(input_scale)));
}

double sqnr_db(std::span<const float> reference, std::span<const float> approximation) {
  if (reference.size() != approximation.size()) {
    throw fail("SQNR: {} reference values but {} approximations", reference.size(), approximation.size());
  }
  double signal = 0.0;
  double noise = 0.0;
  for (std::size_t i = 0; i < reference.size(); ++i) {
    const double y = reference[i];
    const double d = y - static_cast<double>(approximation[i]);
    signal += y * y;
    noise += d * d;
  }
  if (noise == 0.0) return std::numeric_limits<double>::infinity();
  constexpr double kDecibelsPerDecade = 10.0;
  return kDecibelsPerDecade * std::log10(signal / noise);
}

}  // namespace octet::quant
