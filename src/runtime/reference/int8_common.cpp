#include "runtime/reference/int8_common.h"

namespace octet::reference {

namespace {

// TFLite's GetQuantizedConvolutionMultipler: the bias scale may differ from
// input_scale * weight_scale by at most this fraction of the output scale.
constexpr double kBiasScaleTolerance = 0.02;

void require_finite_positive(const KernelContext& context, const Tensor& t, std::string_view role, float scale) {
  if (!(scale > 0.0F) || !std::isfinite(scale)) {
    throw op_fail(context, "{} '{}' has scale {}, which must be finite and > 0", role, t.name, scale);
  }
}

}  // namespace

TensorQuant require_per_tensor_quant(const KernelContext& context, const Tensor& t, std::string_view role) {
  if (!t.quant || t.quant->scale.empty()) {
    throw op_fail(context, "{} '{}' ({}) must carry quantization parameters", role, t.name, dtype_name(t.dtype));
  }
  const QuantParams& q = *t.quant;
  if (q.scale.size() != 1 || q.zero_point.size() != 1) {
    throw op_fail(context, "{} '{}' must be quantized per tensor, got {} scales and {} zero points", role, t.name,
                  q.scale.size(), q.zero_point.size());
  }
  require_finite_positive(context, t, role, q.scale[0]);
  const quant::IntRange range = quant::int_range(t.dtype);
  if (q.zero_point[0] < range.min || q.zero_point[0] > range.max) {
    throw op_fail(context, "{} '{}' has zero point {}, outside the {} range [{}, {}]", role, t.name, q.zero_point[0],
                  dtype_name(t.dtype), range.min, range.max);
  }
  return {q.scale[0], static_cast<std::int32_t>(q.zero_point[0])};
}

TensorQuant view_quant(const TensorView& view) {
  if (view.quant == nullptr || view.quant->scale.empty() || view.quant->zero_point.empty()) {
    throw fail("int8 reference kernel: a tensor lost its quantization parameters after Prepare");
  }
  return {view.quant->scale[0], static_cast<std::int32_t>(view.quant->zero_point[0])};
}

TensorQuant require_int8_output(const KernelContext& context) {
  const Tensor& out = declared_output(context, 0);
  if (out.dtype != DType::kInt8) {
    throw op_fail(context, "output '{}' must be int8 for an int8 input, got {}", out.name, dtype_name(out.dtype));
  }
  return require_per_tensor_quant(context, out, "output");
}

std::vector<float> require_int8_weights(const KernelContext& context, std::size_t index, int axis,
                                        std::int64_t channels) {
  const Tensor& w = input_tensor(context, index);
  if (w.dtype != DType::kInt8) {
    throw op_fail(context, "weights '{}' must be int8 for an int8 input, got {}", w.name, dtype_name(w.dtype));
  }
  if (!w.quant || w.quant->scale.empty()) {
    throw op_fail(context, "weights '{}' must carry quantization parameters", w.name);
  }
  const QuantParams& q = *w.quant;
  if (q.scale.size() != q.zero_point.size()) {
    throw op_fail(context, "weights '{}' have {} scales but {} zero points", w.name, q.scale.size(),
                  q.zero_point.size());
  }
  if (q.per_channel() && (q.axis != axis || static_cast<std::int64_t>(q.scale.size()) != channels)) {
    throw op_fail(context, "weights '{}' must be quantized per tensor or per channel along axis {} ({} scales), got {} "
                  "scales along axis {}", w.name, axis, channels, q.scale.size(), q.axis);
  }
  for (std::size_t c = 0; c < q.scale.size(); ++c) {
    require_finite_positive(context, w, "weights", q.scale[c]);
    if (q.zero_point[c] != 0) {
      throw op_fail(context, "weights '{}' must have zero point 0 (symmetric), got {} at channel {}", w.name,
                    q.zero_point[c], c);
    }
  }
  return q.per_channel() ? q.scale : std::vector<float>(to_size(channels), q.scale[0]);
}

std::vector<float> view_weight_scales(const TensorView& weights, std::int64_t channels) {
  if (weights.quant == nullptr || weights.quant->scale.empty()) {
    throw fail("int8 reference kernel: weights lost their quantization parameters after Prepare");
  }
  const QuantParams& q = *weights.quant;
  return q.per_channel() ? q.scale : std::vector<float>(to_size(channels), q.scale[0]);
}

void require_int32_bias(const KernelContext& context, std::size_t index, std::int64_t channels, float input_scale,
                        const std::vector<float>& weight_scales, float output_scale) {
  const Tensor* bias = context.input(index);
  if (bias == nullptr) return;
  if (bias->dtype != DType::kInt32) {
    throw op_fail(context, "bias '{}' must be int32 for an int8 input, got {}", bias->name, dtype_name(bias->dtype));
  }
  if (bias->shape != Shape{channels}) {
    throw op_fail(context, "bias '{}' must have shape {}, got {}", bias->name, channels, shape_string(bias->shape));
  }
  if (!bias->quant || bias->quant->scale.empty()) {
    throw op_fail(context, "bias '{}' must carry quantization parameters (scale = input scale x weight scale)",
                  bias->name);
  }
  const QuantParams& q = *bias->quant;
  if (q.scale.size() != q.zero_point.size() || (q.scale.size() != 1 && q.scale.size() != weight_scales.size())) {
    throw op_fail(context, "bias '{}' has {} scales and {} zero points, expected 1 or {}", bias->name, q.scale.size(),
                  q.zero_point.size(), weight_scales.size());
  }
  for (std::size_t c = 0; c < weight_scales.size(); ++c) {
    const std::size_t i = q.scale.size() == 1 ? 0 : c;
    if (q.zero_point[i] != 0) {
      throw op_fail(context, "bias '{}' must have zero point 0, got {} at channel {}", bias->name, q.zero_point[i], c);
    }
    const double product = static_cast<double>(input_scale) * static_cast<double>(weight_scales[c]);
    const double diff = std::abs(product - static_cast<double>(q.scale[i]));
    if (!(diff / static_cast<double>(output_scale) <= kBiasScaleTolerance)) {
      throw op_fail(context, "bias '{}' scale {} at channel {} must equal input scale x weight scale = {}", bias->name,
                    q.scale[i], c, product);
    }
  }
}

std::vector<quant::FixedPointMultiplier> channel_multipliers(float input_scale, const std::vector<float>& weight_scales,
                                                             float output_scale) {
  std::vector<quant::FixedPointMultiplier> out;
  out.reserve(weight_scales.size());
  for (const float w : weight_scales) {
    out.push_back(quant::quantize_multiplier(static_cast<double>(input_scale) * static_cast<double>(w) /
                                             static_cast<double>(output_scale)));
  }
  return out;
}

quant::IntRange int8_activation_range(Activation activation, TensorQuant output) {
  return quant::activation_range(activation, output.scale, output.zero_point, quant::int_range(DType::kInt8));
}

std::int32_t saturate_accumulator(std::int64_t acc) {
  return static_cast<std::int32_t>(std::clamp<std::int64_t>(acc, std::numeric_limits<std::int32_t>::min(),
                                                            std::numeric_limits<std::int32_t>::max()));
}

std::int64_t rounded_divide(std::int64_t x, std::int64_t n) { return x > 0 ? (x + n / 2) / n : (x - n / 2) / n; }

std::int8_t requantize_to_int8(std::int32_t acc, quant::FixedPointMultiplier m, std::int32_t zero_point,
                               quant::IntRange range) {
  const std::int64_t scaled = std::int64_t{quant::multiply_by_quantized_multiplier(acc, m)} + zero_point;
  return static_cast<std::int8_t>(std::clamp<std::int64_t>(scaled, range.min, range.max));
}

}  // namespace octet::reference

namespace octet::reference {

void require_int8_conv_quant(const KernelContext& context, std::size_t input, std::size_t weights, std::size_t bias,
                             int weight_axis, std::int64_t channels) {
  const TensorQuant in = require_per_tensor_quant(context, input_tensor(context, input), "input");
  const std::vector<float> scales = require_int8_weights(context, weights, weight_axis, channels);
  const TensorQuant out = require_int8_output(context);
  require_int32_bias(context, bias, channels, in.scale, scales, out.scale);
}

ConvQuant conv_quant(OpType op, const TensorView& input, const TensorView& weights, const TensorView* bias,
                     const TensorView& output, std::int64_t channels, Activation activation, bool valid_padding) {
  const TensorQuant in = view_quant(input);
  const TensorQuant out = view_quant(output);
  const std::vector<float> weight_scales = view_weight_scales(weights, channels);
  ConvQuant q;
  q.input_offset = -in.zero_point;
  q.output_zero_point = out.zero_point;
  for (const float w : weight_scales) q.scales.push_back(quant::xnn_product_scale(in.scale, w, out.scale));
  ConvConfig config;
  config.weight_scales = weights.quant->scale.size();
  config.bias_scales = bias != nullptr && bias->quant != nullptr ? bias->quant->scale.size() : 0;
  config.valid_padding = valid_padding;
  q.rule = conv_requantization(op, config, q.scales);
  q.multipliers = channel_multipliers(in.scale, weight_scales, out.scale);
  q.range = q.rule == Requantization::kFp32
                ? quant::xnn_activation_range(activation, out.scale, out.zero_point, quant::int_range(DType::kInt8))
                : int8_activation_range(activation, out);
  return q;
}

std::int8_t ConvQuant::requantize(std::int32_t acc, std::size_t channel) const {
  switch (rule) {
    case Requantization::kFp32:
      return static_cast<std::int8_t>(quant::fp32_requantize(acc, scales[channel], output_zero_point, range));
    case Requantization::kSingleRounding: {
      const std::int64_t scaled =
          std::int64_t{quant::multiply_by_quantized_multiplier_single_rounding(acc, multipliers[channel])} +
          output_zero_point;
      return static_cast<std::int8_t>(std::clamp<std::int64_t>(scaled, range.min, range.max));
    }
    case Requantization::kDoubleRounding: break;
  }
  return requantize_to_int8(acc, multipliers[channel], output_zero_point, range);
}

}  // namespace octet::reference
