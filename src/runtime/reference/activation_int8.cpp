// int8 activations, following TFLite 2.12's builtin kernels (activations.cc,
// gelu.cc and reference_ops):
//
// LOGISTIC, TANH, GELU: a 256-entry table computed in float (int8_lut.h), as
//   TFLite's builtin kernels (PopulateLookupTable / LUTPopulate) and XNNPACK
//   do; octet does NOT follow the gemmlowp fixed-point reference_integer_ops
//   Logistic/Tanh (TFLite's kFixedPointOptimized / tflite-micro path), which
//   can differ by one step. LOGISTIC's output is fixed at scale 1/256, zero
//   point -128, TANH's at 1/128, 0. GELU's function is TFLite's
//   GeluTransform (0.5 x (1 + erf(x / sqrt 2)), erf in double) or, when
//   approximate, GeluTransformApproximate (tanh form, in float).
// HARD_SWISH: TFLite's integer reference_ops::HardSwish (16-bit fixed point:
//   input on a 2^7 finer scale, a "relu-ish" factor in [0, 1] from x / 3,
//   int16 multipliers rounded from Q31 ones); the output multiplier must be
//   < 1 (TFLite's Prepare requires exponent <= 0).
// LEAKY_RELU: as TFLite's XNNPACK delegate computes it (qs8 leaky ReLU,
//   taken when XNNPACK accepts the scales; int8_rounding.h): 8-bit
//   multipliers m+ = lrintf(256 s), m- = lrintf(256 s alpha) with s = s_in /
//   s_out in float32, q = floor(((q - zp_in) m + 128) / 256) + zp_out,
//   saturated. Otherwise TFLite's builtin QuantizeLeakyRelu: q - zp_in scaled
//   by the identity multiplier s_in / s_out when >= 0, else by the alpha
//   multiplier s_in alpha / s_out; + zp_out, saturated to int8.
// RELU, RELU6, RELU_N1_TO_1: TFLite's ReluX: requantize by s_in / s_out, then
//   clamp to [zp_out + round(lo / s_out), zp_out + round(hi / s_out)] within
//   int8 (an unbounded top for RELU).
// PRELU: TFLite's BroadcastPrelu4DSlow: (q - zp_in) s_in / s_out when q >= zp_in,
//   else (q - zp_in)(a - zp_alpha) s_in s_alpha / s_out; + zp_out, saturated.

#include <numbers>

#include "quant/requantize.h"
#include "runtime/reference/int8_checks.h"
#include "runtime/reference/int8_rounding.h"
#include "runtime/reference/int8_kernels.h"
#include "runtime/reference/int8_lut.h"

namespace octet::reference {

namespace {

using quant::FixedPointMultiplier;
using quant::multiply_by_quantized_multiplier;
using quant::quantize_multiplier;

// ---- GELU's transforms, as TFLite's gelu.cc writes them.
float gelu_exact(float x) {
  const auto v = static_cast<double>(x);
  return static_cast<float>(0.5 * v * (1.0 + std::erf(v * (1.0 / std::numbers::sqrt2))));
}
float gelu_approximate(float x) {
  constexpr auto kSqrt2OverPi = static_cast<float>(std::numbers::sqrt2 * std::numbers::inv_sqrtpi);
  constexpr float kCubicCoefficient = 0.044715F;
  return 0.5F * x * (1.0F + std::tanh(kSqrt2OverPi * (x + kCubicCoefficient * x * x * x)));
}

// ---- HARD_SWISH's 16-bit fixed point (TFLite's reference_ops::HardSwish).

// The input is moved to a scale 2^7 finer before the fixed-point products
// (|q - zp| <= 255, so 255 * 2^7 still fits int16).
constexpr int kHardSwishHiresShift = 7;
constexpr float kHardSwishHiresFactor = 1.0F / 128.0F;  // 2^-kHardSwishHiresShift
// The "relu-ish" value represents 3.0 by 2^15.
constexpr float kReluishScale = 3.0F / 32768.0F;
constexpr std::int32_t kInt16Min = std::numeric_limits<std::int16_t>::min();
constexpr std::int32_t kInt16Max = std::numeric_limits<std::int16_t>::max();
constexpr int kQ15Bits = 15;
constexpr int kInt16DownscaleShift = 16;  // Q31 -> Q15 multipliers

std::int32_t saturate_int16(std::int64_t v) { return static_cast<std::int32_t>(std::clamp<std::int64_t>(v, kInt16Min, kInt16Max)); }

// gemmlowp's int16 SaturatingRoundingDoublingHighMul, through the int32 one:
// (a 2^16) b 2 / 2^32 = a b 2 / 2^16 with the same rounding; only
// a = b = -2^15 overflows int16 and saturates.
std::int32_t rounding_high_mul_16(std::int32_t a, std::int32_t b) {
  return saturate_int16(quant::saturating_rounding_doubling_high_mul(a * (1 << kInt16DownscaleShift), b));
}
// TFLite's SaturatingDoublingHighMul: a b 2 / 2^16 truncated toward zero.
std::int32_t truncating_high_mul_16(std::int32_t a, std::int32_t b) {
  if (a == kInt16Min && b == kInt16Min) return kInt16Max;
  return (a * b) / (1 << kQ15Bits);
}
std::int32_t saturating_left_shift_16(std::int32_t v, int amount) {
  return saturate_int16(static_cast<std::int64_t>(v) * (std::int64_t{1} << amount));
}
// TFLite's DownScaleInt32ToInt16Multiplier: rounds a Q31 multiplier to Q15, saturating.
std::int32_t downscale_multiplier(std::int32_t m) {
  constexpr std::int32_t kRounding = 1 << (kInt16DownscaleShift - 1);
  if (m >= std::numeric_limits<std::int32_t>::max() - kRounding) return kInt16Max;
  return (m + kRounding) >> kInt16DownscaleShift;
}

struct HardSwishParams {
  std::int32_t input_zero_point = 0, output_zero_point = 0;
  std::int32_t output_multiplier = 0, reluish_multiplier = 0;  // Q15
  int output_exponent = 0, reluish_exponent = 0;
};

HardSwishParams hard_swish_params(const QuantParams& in, const QuantParams& out) {
  HardSwishParams p;
  p.input_zero_point = zero_point_of(in);
  p.output_zero_point = zero_point_of(out);
  const float hires_input_scale = kHardSwishHiresFactor * in.scale[0];
  const FixedPointMultiplier output = quantize_multiplier(static_cast<double>(hires_input_scale / out.scale[0]));
  const FixedPointMultiplier reluish = quantize_multiplier(static_cast<double>(hires_input_scale / kReluishScale));
  p.output_multiplier = downscale_multiplier(output.multiplier);
  p.output_exponent = output.shift;
  p.reluish_multiplier = downscale_multiplier(reluish.multiplier);
  p.reluish_exponent = reluish.shift;
  return p;
}

std::int8_t hard_swish_one(const HardSwishParams& p, std::int8_t q) {
  const std::int32_t hires = (static_cast<std::int32_t>(q) - p.input_zero_point) * (1 << kHardSwishHiresShift);
  const std::int32_t preshift_output = rounding_high_mul_16(hires, p.output_multiplier);
  std::int32_t reluish = hires;
  if (p.reluish_exponent > 0) reluish = saturating_left_shift_16(reluish, p.reluish_exponent - 1);
  reluish = rounding_high_mul_16(reluish, p.reluish_multiplier);
  if (p.reluish_exponent > 0) reluish = saturating_left_shift_16(reluish, 1);
  if (p.reluish_exponent < 0) reluish = quant::rounding_divide_by_pot(reluish, -p.reluish_exponent);
  // From [-1, 1] to [0, 1] in Q15.
  reluish = (reluish + (1 << kQ15Bits)) >> 1;
  const std::int32_t preshift = truncating_high_mul_16(reluish, preshift_output);
  const std::int32_t value = quant::rounding_divide_by_pot(preshift, -p.output_exponent);
  return saturate_int8(value + p.output_zero_point);
}

// ---- LEAKY_RELU, RELU*, PRELU requantization.

struct RequantParams {
  std::int32_t input_zero_point = 0, output_zero_point = 0;
  FixedPointMultiplier positive, negative;
  quant::IntRange clamp;
};

Activation relu_kind(OpType type) {
  switch (type) {
    case OpType::kRelu: return Activation::kRelu;
    case OpType::kRelu6: return Activation::kRelu6;
    case OpType::kReluN1To1: return Activation::kReluN1To1;
    default: break;
  }
  return Activation::kNone;
}

RequantParams requant_params(const KernelContext& context, const QuantParams& in, const QuantParams& out) {
  RequantParams p;
  p.input_zero_point = zero_point_of(in);
  p.output_zero_point = zero_point_of(out);
  p.positive = quantize_multiplier(static_cast<double>(in.scale[0] / out.scale[0]));
  p.negative = p.positive;
  if (context.op.type == OpType::kLeakyRelu) {
    const float alpha = context.op.opts<LeakyReluOptions>().alpha;
    p.negative = quantize_multiplier(static_cast<double>(in.scale[0] * alpha / out.scale[0]));
  }
  p.clamp = quant::activation_range(relu_kind(context.op.type), out.scale[0], out.zero_point[0],
                                    quant::int_range(DType::kInt8));
  return p;
}

std::int8_t requant_one(const RequantParams& p, std::int8_t q) {
  const std::int32_t x = static_cast<std::int32_t>(q) - p.input_zero_point;
  const std::int32_t y = multiply_by_quantized_multiplier(x, x >= 0 ? p.positive : p.negative) + p.output_zero_point;
  return clamp_to_int8(y, p.clamp);
}

// XNNPACK's qs8 leaky ReLU.
struct XnnLeakyParams {
  std::int32_t input_zero_point = 0, output_zero_point = 0;
  std::int32_t positive = 0, negative = 0;  // 8-bit fixed-point multipliers
};

XnnLeakyParams xnn_leaky_params(const QuantParams& in, const QuantParams& out, float alpha) {
  const float positive = in.scale[0] / out.scale[0];
  return {zero_point_of(in), zero_point_of(out), quant::xnn_q8_multiplier(positive),
          quant::xnn_q8_multiplier(positive * alpha)};
}

std::int8_t xnn_leaky_one(const XnnLeakyParams& p, std::int8_t q) {
  const std::int32_t x = static_cast<std::int32_t>(q) - p.input_zero_point;
  return static_cast<std::int8_t>(quant::xnn_q8_requantize(x, x >= 0 ? p.positive : p.negative, p.output_zero_point,
                                                           quant::int_range(DType::kInt8)));
}

template <typename F>
void map_int8(const TensorView& in, const TensorView& out, F&& f) {
  const std::int8_t* x = in.as<const std::int8_t>();
  std::int8_t* y = out.as<std::int8_t>();
  const std::size_t count = out.count();
  for (std::size_t i = 0; i < count; ++i) y[i] = f(x[i]);
}

}  // namespace

std::vector<TensorSpec> prepare_activation_int8(const KernelContext& context) {
  const Tensor& in = input_tensor(context, 0);
  const QuantParams& qi = require_int8_input(context, 0);
  const QuantParams& qo = require_int8_output(context, 0);
  switch (context.op.type) {
    case OpType::kLogistic: require_fixed_output_quant(context, quant::logistic_output_params()); break;
    case OpType::kTanh: require_fixed_output_quant(context, quant::tanh_output_params()); break;
    case OpType::kHardSwish: {
      const FixedPointMultiplier m =
          quantize_multiplier(static_cast<double>(kHardSwishHiresFactor * qi.scale[0] / qo.scale[0]));
      if (m.shift > 0) {
        throw op_fail(context, "output scale {} is too small for input scale {}: TFLite's int8 HARD_SWISH needs "
                      "input scale / 128 < output scale", qo.scale[0], qi.scale[0]);
      }
      break;
    }
    case OpType::kLeakyRelu: {
      const float alpha = context.op.opts<LeakyReluOptions>().alpha;
      if (!(alpha >= 0.0F) || !std::isfinite(alpha)) {
        throw op_fail(context, "int8 LEAKY_RELU needs a finite alpha >= 0, got {}", alpha);
      }
      break;
    }
    case OpType::kGelu:
    case OpType::kRelu:
    case OpType::kRelu6:
    case OpType::kReluN1To1: break;
    default: throw op_fail(context, "has no int8 kernel");
  }
  return {{DType::kInt8, in.shape}};
}

void eval_activation_int8(const KernelContext& context, std::span<const TensorView> inputs,
                          std::span<const TensorView> outputs) {
  const TensorView& in = inputs[0];
  const TensorView& out = outputs[0];
  const QuantParams& qi = *in.quant;
  const QuantParams& qo = *out.quant;
  const auto lut = [&](const std::function<float(float)>& f) {
    const Int8Lut table(qi.scale[0], zero_point_of(qi), qo.scale[0], zero_point_of(qo), f);
    map_int8(in, out, table);
  };
  switch (context.op.type) {
    case OpType::kLogistic: lut([](float x) { return 1.0F / (1.0F + std::exp(-x)); }); return;
    case OpType::kTanh: lut([](float x) { return std::tanh(x); }); return;
    case OpType::kGelu: lut(context.op.opts<GeluOptions>().approximate ? gelu_approximate : gelu_exact); return;
    case OpType::kHardSwish: {
      const HardSwishParams p = hard_swish_params(qi, qo);
      map_int8(in, out, [&](std::int8_t q) { return hard_swish_one(p, q); });
      return;
    }
    case OpType::kLeakyRelu:
      if (const float alpha = context.op.opts<LeakyReluOptions>().alpha;
          xnn_takes_leaky_relu(qi.scale[0], qo.scale[0], alpha)) {
        const XnnLeakyParams p = xnn_leaky_params(qi, qo, alpha);
        map_int8(in, out, [&](std::int8_t q) { return xnn_leaky_one(p, q); });
        return;
      }
      [[fallthrough]];
    case OpType::kRelu:
    case OpType::kRelu6:
    case OpType::kReluN1To1: {
      const RequantParams p = requant_params(context, qi, qo);
      map_int8(in, out, [&](std::int8_t q) { return requant_one(p, q); });
      return;
    }
    default: break;
  }
  throw op_fail(context, "has no int8 kernel");
}

// ---- PRELU

std::vector<TensorSpec> prepare_prelu_int8(const KernelContext& context) {
  const Tensor& in = input_tensor(context, 0);
  require_int8_input(context, 0);
  require_int8_per_tensor(context, input_tensor(context, 1), "alpha (input 1)");
  require_int8_output(context, 0);
  const Shape out = broadcast_shapes(context, in.shape, input_tensor(context, 1).shape);
  if (out != in.shape) {
    throw op_fail(context, "alpha {} must broadcast to the input's shape {}, got {}",
                  shape_string(input_tensor(context, 1).shape), shape_string(in.shape), shape_string(out));
  }
  return {{DType::kInt8, out}};
}

void eval_prelu_int8(const KernelContext&, std::span<const TensorView> inputs, std::span<const TensorView> outputs) {
  const QuantParams& qi = *inputs[0].quant;
  const QuantParams& qa = *inputs[1].quant;
  const QuantParams& qo = *outputs[0].quant;
  const std::int32_t zp_in = zero_point_of(qi);
  const std::int32_t zp_alpha = zero_point_of(qa);
  const std::int32_t zp_out = zero_point_of(qo);
  const FixedPointMultiplier identity = quantize_multiplier(static_cast<double>(qi.scale[0] / qo.scale[0]));
  const FixedPointMultiplier alpha_m = quantize_multiplier(static_cast<double>(qi.scale[0] * qa.scale[0] / qo.scale[0]));
  const Shape& shape = outputs[0].shape;
  const std::int8_t* x = inputs[0].as<const std::int8_t>();
  const std::int8_t* alpha = inputs[1].as<const std::int8_t>();
  std::int8_t* out = outputs[0].as<std::int8_t>();
  walk2(shape, broadcast_strides(inputs[0].shape, shape.size()), 0, broadcast_strides(inputs[1].shape, shape.size()),
        0, [&](std::int64_t i, std::int64_t ix, std::int64_t ia) {
          const std::int32_t v = static_cast<std::int32_t>(x[ix]) - zp_in;
          const std::int32_t y = v >= 0 ? multiply_by_quantized_multiplier(v, identity)
                                        : multiply_by_quantized_multiplier(
                                              v * (static_cast<std::int32_t>(alpha[ia]) - zp_alpha), alpha_m);
          out[i] = saturate_int8(y + zp_out);
        });
}

}  // namespace octet::reference
