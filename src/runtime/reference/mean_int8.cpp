// int8 MEAN with the arithmetic of the path TensorFlow Lite 2.12 runs it on
// (checked against the wasm TFLite, tests/e2e_int8/test_int8_conv_pool.py).
// Every path first sums the reduced int8 values (n of them per output).
//
// * XNNPACK (global average pooling; the delegate takes a 4-D input whose
//   axes tensor holds exactly {2} or {1, 2} in either order, negative values
//   refused, keep_dims either way, when s_in / s_out is in [2^-8, 2^8);
//   int8_rounding.h): acc = sum - n zp_in, quant::fp32_requantize(acc,
//   s_in / (s_out n) in float32), one rounding half to even.
// * Builtin, 4-D over axes {1, 2} with keep_dims (reference_integer_ops::Mean):
//   MultiplyByQuantizedMultiplier(acc, QuantizeMultiplier(s_in / s_out)),
//   divided by n rounding half away from zero, + zp_out, clamped.
// * Builtin, any other axes, input and output quantized alike (the same
//   float scale and zero point; reference_ops::Mean): the int32 sum of the raw
//   values divided by n, truncating toward zero.
// * Builtin otherwise (reference_ops::QuantizedMeanOrSum, in float32):
//   round_half_away(float(sum) / float(n) * (s_in / s_out) - zp_in (s_in / s_out))
//   + zp_out, clamped to int8.

#include "runtime/reference/common.h"
#include "runtime/reference/int8_common.h"
#include "runtime/reference/int8_kernels.h"
#include "runtime/reference/int8_rounding.h"

namespace octet::reference {

namespace {

// TFLite's builtin integer Mean handles the two spatial axes of NHWC itself.
constexpr std::size_t kSpatialRank = 4;
constexpr std::int64_t kHeightAxis = 1;
constexpr std::int64_t kWidthAxis = 2;

enum class MeanPath { kXnnpack, kBuiltinSpatial, kBuiltinSameQuant, kBuiltinFloat };

// The axes exactly as the model's axes tensor lists them: TFLite picks its
// path on these values before any normalisation.
bool literal_spatial_axes(const std::vector<std::int64_t>& axes) {
  return axes.size() == 2 && ((axes[0] == kHeightAxis && axes[1] == kWidthAxis) ||
                              (axes[0] == kWidthAxis && axes[1] == kHeightAxis));
}

MeanPath mean_path(const KernelContext& context, std::size_t rank, TensorQuant in, TensorQuant out) {
  const std::vector<std::int64_t> axes = constant_ints(context, 1);
  const bool keep_dims = context.op.opts<ReducerOptions>().keep_dims;
  if (xnn_takes_mean_axes(rank, axes) && xnn_takes_mean(in.scale, out.scale)) return MeanPath::kXnnpack;
  if (rank == kSpatialRank && keep_dims && literal_spatial_axes(axes)) return MeanPath::kBuiltinSpatial;
  if (in.scale == out.scale && in.zero_point == out.zero_point) return MeanPath::kBuiltinSameQuant;
  return MeanPath::kBuiltinFloat;
}

// Sums of the raw int8 values per output element (outputs in row-major order).
std::vector<std::int64_t> reduced_sums(const TensorView& input, const std::vector<char>& reduced,
                                       std::size_t out_count) {
  Shape kept = input.shape;
  for (std::size_t d = 0; d < kept.size(); ++d) {
    if (reduced[d]) kept[d] = 1;
  }
  std::vector<std::int64_t> out_strides = strides_of(kept);
  for (std::size_t d = 0; d < out_strides.size(); ++d) {
    if (reduced[d]) out_strides[d] = 0;
  }
  const std::int8_t* in = input.as<const std::int8_t>();
  std::vector<std::int64_t> sums(out_count, 0);
  walk1(input.shape, out_strides, 0, [&](std::int64_t i, std::int64_t o) { sums[static_cast<std::size_t>(o)] += in[i]; });
  return sums;
}

std::int8_t clamp_int8(std::int64_t v) {
  return static_cast<std::int8_t>(std::clamp<std::int64_t>(v, quant::kInt8Min, quant::kInt8Max));
}

// reference_ops::QuantizedMeanOrSum's float32 arithmetic for one output.
std::int8_t float_mean(std::int64_t sum, std::int64_t count, TensorQuant in, TensorQuant out) {
  const float scale = in.scale / out.scale;
  const float bias = static_cast<float>(-in.zero_point) * scale;
  const float mean = static_cast<float>(saturate_accumulator(sum)) / static_cast<float>(count);
  const float product = mean * scale;
  const float result = std::round(product + bias) + static_cast<float>(out.zero_point);
  return static_cast<std::int8_t>(
      std::clamp(result, static_cast<float>(quant::kInt8Min), static_cast<float>(quant::kInt8Max)));
}

}  // namespace

void require_int8_mean(const KernelContext& context) {
  if (element_count(input_tensor(context, 0).shape) == 0) {
    throw op_fail(context, "int8 MEAN needs a non-empty input, got shape {}", shape_string(input_tensor(context, 0).shape));
  }
  require_per_tensor_quant(context, input_tensor(context, 0), "input");
  require_int8_output(context);
}

void eval_mean_int8(const KernelContext& context, std::span<const TensorView> inputs,
                    std::span<const TensorView> outputs, const std::vector<char>& reduced) {
  const TensorView& input = inputs[0];
  std::int8_t* output = outputs[0].as<std::int8_t>();
  const TensorQuant in = view_quant(input);
  const TensorQuant out = view_quant(outputs[0]);
  const std::size_t out_count = outputs[0].count();
  if (out_count == 0) return;
  const std::int64_t count = static_cast<std::int64_t>(input.count() / out_count);
  const std::vector<std::int64_t> sums = reduced_sums(input, reduced, out_count);
  const quant::IntRange int8 = quant::int_range(DType::kInt8);
  switch (mean_path(context, input.shape.size(), in, out)) {
    case MeanPath::kXnnpack: {
      const float scale = in.scale / (out.scale * static_cast<float>(count));
      for (std::size_t o = 0; o < out_count; ++o) {
        const std::int32_t acc = saturate_accumulator(sums[o] - count * in.zero_point);
        output[o] = static_cast<std::int8_t>(quant::fp32_requantize(acc, scale, out.zero_point, int8));
      }
      return;
    }
    case MeanPath::kBuiltinSpatial: {
      const quant::FixedPointMultiplier m =
          quant::quantize_multiplier(static_cast<double>(in.scale) / static_cast<double>(out.scale));
      for (std::size_t o = 0; o < out_count; ++o) {
        const std::int32_t scaled =
            quant::multiply_by_quantized_multiplier(saturate_accumulator(sums[o] - count * in.zero_point), m);
        output[o] = clamp_int8(rounded_divide(scaled, count) + out.zero_point);
      }
      return;
    }
    case MeanPath::kBuiltinSameQuant:
      // C++ integer division truncates toward zero, as TFLite's.
      for (std::size_t o = 0; o < out_count; ++o) output[o] = clamp_int8(saturate_accumulator(sums[o]) / count);
      return;
    case MeanPath::kBuiltinFloat:
      for (std::size_t o = 0; o < out_count; ++o) output[o] = float_mean(sums[o], count, in, out);
      return;
  }
}

}  // namespace octet::reference
