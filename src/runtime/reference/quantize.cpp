// QUANTIZE (float32 -> int8/uint8/int16, with the declared output's scale and
// zero point, per tensor or per channel) and DEQUANTIZE (int8/uint8/int16 ->
// float32 with the input's parameters; float16 -> float32 exactly), computed
// as TFLite's default CPU path does (int8_rounding.h):
//   quantize:   float32 -> int8 per tensor runs in TFLite's XNNPACK delegate
//               (f32 -> qs8 convert): q = clamp(round_half_even(x * (1 /
//               scale)) + zero_point), reciprocal and product in float32
//               (quant::xnn_quantize). Otherwise TFLite's builtin kernel:
//               q = clamp(round(x / scale) + zero_point), rounding half away
//               from zero, x / scale in float. NaN gives the zero point, where
//               TFLite's result is unspecified;
//   dequantize: x = scale * (q - zero_point), in double for a per-tensor scale
//               and in float for per-channel scales;
//   requantize (QUANTIZE from int8 to int8 or uint8, or from uint8 to int8;
//               TFLite's Requantize): q_out = clamp(MultiplyByQuantizedMultiplier(
//               q_in - zero_in, M) + zero_out) with M = QuantizeMultiplier(
//               double(scale_in) / double(scale_out)); both sides per tensor.
//               int8 -> int8 runs in TFLite's XNNPACK delegate (qs8 convert)
//               whenever s_in / s_out (float32) is in [2^-8, 2^7]
//               (int8_rounding.h), so octet computes it as XNNPACK does there:
//               an 8-bit multiplier m = lrintf(256 s_in / s_out), q_out =
//               clamp(floor(((q_in - zero_in) m + 128) / 256) + zero_out).

#include "quant/requantize.h"
#include "runtime/float16.h"
#include "runtime/reference/common.h"
#include "runtime/reference/int8_common.h"
#include "runtime/reference/registry.h"

namespace octet::reference {

namespace {

void check_quant(const KernelContext& context, const Tensor& t, std::string_view role) {
  if (!t.quant || t.quant->scale.empty()) {
    throw op_fail(context, "{} '{}' must carry quantization parameters", role, t.name);
  }
  const QuantParams& q = *t.quant;
  if (q.scale.size() != q.zero_point.size()) {
    throw op_fail(context, "{} '{}' has {} scales but {} zero points", role, t.name, q.scale.size(),
                  q.zero_point.size());
  }
  for (const float s : q.scale) {
    if (!(s > 0.0F) || !std::isfinite(s)) throw op_fail(context, "{} '{}' has scale {}, not > 0", role, t.name, s);
  }
  if (q.per_channel()) {
    if (q.axis < 0 || static_cast<std::size_t>(q.axis) >= t.shape.size() ||
        t.shape[static_cast<std::size_t>(q.axis)] != static_cast<std::int64_t>(q.scale.size())) {
      throw op_fail(context, "{} '{}' has {} per-channel scales along axis {} of shape {}", role, t.name,
                    q.scale.size(), q.axis, shape_string(t.shape));
    }
  }
}

// Channel of flat element i along the quantized axis (0 when per tensor).
struct ChannelOf {
  ChannelOf(const Shape& shape, const QuantParams& q) {
    if (!q.per_channel()) return;
    const auto axis = static_cast<std::size_t>(q.axis);
    channels = shape[axis];
    for (std::size_t d = axis + 1; d < shape.size(); ++d) inner *= shape[d];
  }
  std::size_t operator()(std::size_t i) const {
    return static_cast<std::size_t>((static_cast<std::int64_t>(i) / inner) % channels);
  }
  std::int64_t channels = 1;
  std::int64_t inner = 1;
};

// QUANTIZE between integer types: int8 -> int8 or uint8, uint8 -> int8, as TFLite allows.
std::vector<TensorSpec> prepare_requantize(const KernelContext& context) {
  const Tensor& in = input_tensor(context, 0);
  const Tensor& out = declared_output(context, 0);
  const bool allowed = in.dtype == DType::kInt8 ? (out.dtype == DType::kInt8 || out.dtype == DType::kUint8)
                                                : out.dtype == DType::kInt8;
  if (!allowed) {
    throw op_fail(context, "output '{}' must be {} to requantize a {} input, got {}", out.name,
                  in.dtype == DType::kInt8 ? "int8 or uint8" : "int8", dtype_name(in.dtype), dtype_name(out.dtype));
  }
  require_per_tensor_quant(context, in, "input");
  require_per_tensor_quant(context, out, "output");
  return {{out.dtype, in.shape}};
}

std::vector<TensorSpec> prepare_quantize(const KernelContext& context) {
  const DType in_dtype = input_tensor(context, 0).dtype;
  if (in_dtype == DType::kInt8 || in_dtype == DType::kUint8) return prepare_requantize(context);
  require_dtype(context, 0, DType::kFloat32);
  const Tensor& out = declared_output(context, 0);
  if (out.dtype != DType::kInt8 && out.dtype != DType::kUint8 && out.dtype != DType::kInt16) {
    throw op_fail(context, "output '{}' must be int8, uint8 or int16, got {}", out.name, dtype_name(out.dtype));
  }
  Tensor shaped = out;  // the quant axis is checked against the input's shape
  shaped.shape = input_tensor(context, 0).shape;
  check_quant(context, shaped, "output");
  return {{out.dtype, input_tensor(context, 0).shape}};
}

template <typename T>
void quantize(const TensorView& input, const TensorView& output) {
  const QuantParams& q = *output.quant;
  const ChannelOf channel(output.shape, q);
  const float* in = input.as<const float>();
  T* out = output.as<T>();
  constexpr auto lo = static_cast<double>(std::numeric_limits<T>::min());
  constexpr auto hi = static_cast<double>(std::numeric_limits<T>::max());
  const std::size_t count = input.count();
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t c = channel(i);
    const double zero_point = static_cast<double>(q.zero_point[c]);
    const float scaled = std::round(in[i] / q.scale[c]);
    const double value = std::isnan(scaled) ? zero_point : static_cast<double>(scaled) + zero_point;
    out[i] = static_cast<T>(std::min(std::max(value, lo), hi));
  }
}

// XNNPACK's f32 -> qs8 convert (float32 -> int8 QUANTIZE, per tensor).
void xnn_quantize_int8(const TensorView& input, const TensorView& output) {
  const TensorQuant q = view_quant(output);
  const quant::IntRange int8 = quant::int_range(DType::kInt8);
  const float* in = input.as<const float>();
  std::int8_t* out = output.as<std::int8_t>();
  for (std::size_t i = 0; i < input.count(); ++i) {
    out[i] = static_cast<std::int8_t>(quant::xnn_quantize(in[i], q.scale, q.zero_point, int8));
  }
}

template <typename In, typename Out>
void requantize(const TensorView& input, const TensorView& output) {
  const TensorQuant in_q = view_quant(input);
  const TensorQuant out_q = view_quant(output);
  const quant::FixedPointMultiplier m =
      quant::quantize_multiplier(static_cast<double>(in_q.scale) / static_cast<double>(out_q.scale));
  const In* in = input.as<const In>();
  Out* out = output.as<Out>();
  constexpr auto lo = std::int64_t{std::numeric_limits<Out>::min()};
  constexpr auto hi = std::int64_t{std::numeric_limits<Out>::max()};
  for (std::size_t i = 0; i < input.count(); ++i) {
    const std::int32_t centred = std::int32_t{in[i]} - in_q.zero_point;
    const std::int64_t value = std::int64_t{quant::multiply_by_quantized_multiplier(centred, m)} + out_q.zero_point;
    out[i] = static_cast<Out>(std::clamp(value, lo, hi));
  }
}

// XNNPACK's qs8 convert (int8 -> int8 QUANTIZE): 8-bit fixed-point multiplier.
void xnn_convert_int8(const TensorView& input, const TensorView& output) {
  const TensorQuant in_q = view_quant(input);
  const TensorQuant out_q = view_quant(output);
  const std::int32_t multiplier = quant::xnn_q8_multiplier(in_q.scale / out_q.scale);
  const quant::IntRange int8 = quant::int_range(DType::kInt8);
  const std::int8_t* in = input.as<const std::int8_t>();
  std::int8_t* out = output.as<std::int8_t>();
  for (std::size_t i = 0; i < input.count(); ++i) {
    const std::int32_t centred = std::int32_t{in[i]} - in_q.zero_point;
    out[i] = static_cast<std::int8_t>(quant::xnn_q8_requantize(centred, multiplier, out_q.zero_point, int8));
  }
}

void eval_quantize(const KernelContext& context, std::span<const TensorView> inputs,
                   std::span<const TensorView> outputs) {
  if (outputs[0].quant == nullptr) throw op_fail(context, "output has no quantization parameters");
  const DType in_dtype = inputs[0].dtype;
  const DType out_dtype = outputs[0].dtype;
  if (in_dtype == DType::kInt8 && out_dtype == DType::kInt8) {
    const TensorQuant in_q = view_quant(inputs[0]);
    const TensorQuant out_q = view_quant(outputs[0]);
    if (xnn_takes_convert(in_q.scale, out_q.scale)) return xnn_convert_int8(inputs[0], outputs[0]);
    return requantize<std::int8_t, std::int8_t>(inputs[0], outputs[0]);
  }
  if (in_dtype == DType::kInt8 && out_dtype == DType::kUint8) {
    return requantize<std::int8_t, std::uint8_t>(inputs[0], outputs[0]);
  }
  if (in_dtype == DType::kUint8 && out_dtype == DType::kInt8) {
    return requantize<std::uint8_t, std::int8_t>(inputs[0], outputs[0]);
  }
  if (in_dtype == DType::kFloat32 && out_dtype == DType::kInt8 && !outputs[0].quant->per_channel()) {
    return xnn_quantize_int8(inputs[0], outputs[0]);
  }
  switch (outputs[0].dtype) {
    case DType::kInt8: quantize<std::int8_t>(inputs[0], outputs[0]); return;
    case DType::kUint8: quantize<std::uint8_t>(inputs[0], outputs[0]); return;
    case DType::kInt16: quantize<std::int16_t>(inputs[0], outputs[0]); return;
    default: break;
  }
  throw op_fail(context, "unsupported output dtype {}", dtype_name(outputs[0].dtype));
}

std::vector<TensorSpec> prepare_dequantize(const KernelContext& context) {
  require_dtype_in(context, 0, {DType::kInt8, DType::kUint8, DType::kInt16, DType::kFloat16});
  const Tensor& in = input_tensor(context, 0);
  if (in.dtype != DType::kFloat16) check_quant(context, in, "input");
  return {{DType::kFloat32, in.shape}};
}

template <typename T>
void dequantize(const TensorView& input, const TensorView& output) {
  const QuantParams& q = *input.quant;
  const T* in = input.as<const T>();
  float* out = output.as<float>();
  const std::size_t count = input.count();
  if (!q.per_channel()) {
    const auto scale = static_cast<double>(q.scale[0]);
    const auto zero_point = static_cast<std::int32_t>(q.zero_point[0]);
    for (std::size_t i = 0; i < count; ++i) {
      out[i] = static_cast<float>(scale * static_cast<double>(static_cast<std::int32_t>(in[i]) - zero_point));
    }
    return;
  }
  const ChannelOf channel(input.shape, q);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t c = channel(i);
    const auto diff = static_cast<std::int32_t>(static_cast<std::int32_t>(in[i]) - q.zero_point[c]);
    out[i] = q.scale[c] * static_cast<float>(diff);
  }
}

void eval_dequantize(const KernelContext& context, std::span<const TensorView> inputs,
                     std::span<const TensorView> outputs) {
  const TensorView& in = inputs[0];
  if (in.dtype == DType::kFloat16) {
    const auto* bits = in.as<const std::uint16_t>();
    float* out = outputs[0].as<float>();
    for (std::size_t i = 0; i < in.count(); ++i) out[i] = half_to_float(bits[i]);
    return;
  }
  if (in.quant == nullptr) throw op_fail(context, "input has no quantization parameters");
  switch (in.dtype) {
    case DType::kInt8: dequantize<std::int8_t>(in, outputs[0]); return;
    case DType::kUint8: dequantize<std::uint8_t>(in, outputs[0]); return;
    case DType::kInt16: dequantize<std::int16_t>(in, outputs[0]); return;
    default: break;
  }
  throw op_fail(context, "unsupported input dtype {}", dtype_name(in.dtype));
}

}  // namespace

void add_quantize_kernels(KernelTable& table) {
  table.add(OpType::kQuantize, prepare_quantize, eval_quantize);
  table.add(OpType::kDequantize, prepare_dequantize, eval_dequantize);
}

}  // namespace octet::reference
