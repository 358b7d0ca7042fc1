#pragma once
// Helpers shared by the int8 reference kernels (conv_int8.cpp,
// fully_connected_int8.cpp, pool_int8.cpp, quantize.cpp): Prepare-time
// checks of quantization parameters (one-line errors naming the op, the
// tensor and the rule) and the requantization constants TFLite computes in
// Prepare. Arithmetic itself comes from quant/quant_math.h.
//
// Kernels have no per-op state (Prepare only returns output specs), so Eval
// computes its constants once per invocation from the tensors' parameters,
// with the same formulas Prepare checked.

#include <cstdint>
#include <string_view>
#include <vector>

#include "quant/quant_math.h"
#include "runtime/reference/common.h"
#include "runtime/reference/int8_rounding.h"

namespace octet::reference {

// The per-tensor parameters of an activation tensor.
struct TensorQuant {
  float scale = 1.0F;
  std::int32_t zero_point = 0;
};

// Checks that `t` (named `role` in messages, e.g. "input") carries per-tensor
// quantization with a finite scale > 0 and a zero point in its dtype's range,
// and returns it.
TensorQuant require_per_tensor_quant(const KernelContext& context, const Tensor& t, std::string_view role);
// The parameters of a view Prepare already checked (Eval side).
TensorQuant view_quant(const TensorView& view);

// The declared output 0, which must be int8 and quantized per tensor.
TensorQuant require_int8_output(const KernelContext& context);

// Checks int8 weights `w` quantized per tensor or per channel along `axis`
// (then one scale per entry of dimension `axis`, which has `channels`
// entries), every zero point 0; returns `channels` scales (a per-tensor scale
// repeated).
std::vector<float> require_int8_weights(const KernelContext& context, std::size_t index, int axis,
                                        std::int64_t channels);
// The same scales from a view Prepare already checked.
std::vector<float> view_weight_scales(const TensorView& weights, std::int64_t channels);

// Checks an optional bias at `index`: int32, shape [channels], zero point 0,
// and scale(s) equal to input_scale * weight_scale[c] within TFLite's rule
// |bias_scale - input_scale * weight_scale| / output_scale <= 0.02.
void require_int32_bias(const KernelContext& context, std::size_t index, std::int64_t channels, float input_scale,
                        const std::vector<float>& weight_scales, float output_scale);

// TFLite's per-channel requantization multipliers:
// QuantizeMultiplier(double(input_scale) * double(weight_scale[c]) / double(output_scale)).
std::vector<quant::FixedPointMultiplier> channel_multipliers(float input_scale, const std::vector<float>& weight_scales,
                                                             float output_scale);

// The clamp a fused activation imposes on an int8 output.
quant::IntRange int8_activation_range(Activation activation, TensorQuant output);

// Narrows a 64-bit accumulator into TFLite's int32 accumulator. TFLite sums
// in int32; octet sums in int64 and saturates here, which gives TFLite's
// value whenever TFLite's sum does not overflow (where TFLite's is undefined).
std::int32_t saturate_accumulator(std::int64_t acc);

// x / n rounded half away from zero (n > 0), as TFLite's integer AveragePool
// and Mean: (x +- n / 2) / n with C++'s truncating division.
std::int64_t rounded_divide(std::int64_t x, std::int64_t n);

// TFLite's requantization of an int32 accumulator to int8:
// clamp(MultiplyByQuantizedMultiplier(acc, m) + zero_point, range).
std::int8_t requantize_to_int8(std::int32_t acc, quant::FixedPointMultiplier m, std::int32_t zero_point,
                               quant::IntRange range);

}  // namespace octet::reference

namespace octet::reference {

// The quantization checks of an int8 convolution-like op (CONV_2D,
// DEPTHWISE_CONV_2D, TRANSPOSE_CONV, FULLY_CONNECTED): int8 input quantized
// per tensor, int8 weights (see require_int8_weights) with `channels` output
// channels along `weight_axis`, an optional int32 bias (see
// require_int32_bias) and an int8 output quantized per tensor.
void require_int8_conv_quant(const KernelContext& context, std::size_t input, std::size_t weights, std::size_t bias,
                             int weight_axis, std::int64_t channels);

// Requantization constants of an int8 convolution-like op, from its views,
// and the rule TFLite's default CPU path applies to it (int8_rounding.h):
// XNNPACK's fp32 scales in float32 or TFLite's Q31 multipliers.
struct ConvQuant {
  std::int32_t input_offset = 0;  // -input zero point
  std::int32_t output_zero_point = 0;
  Requantization rule = Requantization::kDoubleRounding;
  std::vector<quant::FixedPointMultiplier> multipliers;  // per output channel (double and single rounding)
  std::vector<float> scales;                             // per output channel (fp32)
  quant::IntRange range;                                 // fused activation clamp

  // The int8 output of an int32 accumulator in output channel `channel`.
  std::int8_t requantize(std::int32_t acc, std::size_t channel) const;
};
// `bias` is null without a bias; `valid_padding` matters for TRANSPOSE_CONV only.
ConvQuant conv_quant(OpType op, const TensorView& input, const TensorView& weights, const TensorView* bias,
                     const TensorView& output, std::int64_t channels, Activation activation, bool valid_padding = true);

}  // namespace octet::reference
