// int8 AVERAGE_POOL_2D and MAX_POOL_2D with TensorFlow Lite's integer
// arithmetic. Windows are clipped to the image as in pool.cpp.
//
// * AVERAGE_POOL_2D (reference_integer_ops::AveragePool): the int32 sum of
//   the n in-image taps, divided rounding half away from zero,
//   (sum +- n/2) / n with C++'s truncating division, then the fused
//   activation clamp. No rescaling: TFLite requires the output to share the
//   input's scale and zero point.
// * MAX_POOL_2D (reference_integer_ops::MaxPool): the largest tap, clamped to
//   the fused activation range; same quantization in and out.
//
// (int8 MEAN is in mean_int8.cpp.)

#include "runtime/reference/common.h"
#include "runtime/reference/int8_common.h"
#include "runtime/reference/int8_kernels.h"

namespace octet::reference {

namespace {

// TFLite's pooling Prepare: the input and output scales may differ by at most this much.
constexpr float kSameScaleTolerance = 1.0e-6F;
template <bool kMax>
void pool_int8(const KernelContext& context, std::span<const TensorView> inputs, std::span<const TensorView> outputs) {
  const auto& o = context.op.opts<Pool2DOptions>();
  const Shape& in_shape = inputs[0].shape;
  const Shape& out_shape = outputs[0].shape;
  const std::int8_t* input = inputs[0].as<const std::int8_t>();
  std::int8_t* output = outputs[0].as<std::int8_t>();
  const std::int64_t batches = in_shape[0], in_h = in_shape[1], in_w = in_shape[2], depth = in_shape[3];
  const std::int64_t out_h = out_shape[1], out_w = out_shape[2];
  const std::int64_t pad_h = window_padding_before(in_h, o.filter_h, o.stride_h, 1, out_h);
  const std::int64_t pad_w = window_padding_before(in_w, o.filter_w, o.stride_w, 1, out_w);
  const quant::IntRange range = int8_activation_range(o.activation, view_quant(outputs[0]));

  for (std::int64_t b = 0; b < batches; ++b) {
    for (std::int64_t oy = 0; oy < out_h; ++oy) {
      const std::int64_t y0 = oy * o.stride_h - pad_h;
      const std::int64_t fy_begin = std::max<std::int64_t>(0, -y0);
      const std::int64_t fy_end = std::min<std::int64_t>(o.filter_h, in_h - y0);
      for (std::int64_t ox = 0; ox < out_w; ++ox) {
        const std::int64_t x0 = ox * o.stride_w - pad_w;
        const std::int64_t fx_begin = std::max<std::int64_t>(0, -x0);
        const std::int64_t fx_end = std::min<std::int64_t>(o.filter_w, in_w - x0);
        for (std::int64_t c = 0; c < depth; ++c) {
          std::int64_t acc = kMax ? quant::kInt8Min : 0;
          std::int64_t taps = 0;
          for (std::int64_t fy = fy_begin; fy < fy_end; ++fy) {
            for (std::int64_t fx = fx_begin; fx < fx_end; ++fx) {
              const std::int64_t v = input[((b * in_h + y0 + fy) * in_w + x0 + fx) * depth + c];
              acc = kMax ? std::max(acc, v) : acc + v;
              ++taps;
            }
          }
          // TFLite's SAME/VALID arithmetic keeps at least one tap in every window.
          const std::int64_t value = kMax ? acc : rounded_divide(acc, std::max<std::int64_t>(taps, 1));
          output[((b * out_h + oy) * out_w + ox) * depth + c] =
              static_cast<std::int8_t>(std::clamp<std::int64_t>(value, range.min, range.max));
        }
      }
    }
  }
}

}  // namespace

void require_int8_pool_quant(const KernelContext& context) {
  const TensorQuant in = require_per_tensor_quant(context, input_tensor(context, 0), "input");
  const TensorQuant out = require_int8_output(context);
  if (std::abs(in.scale - out.scale) > kSameScaleTolerance * in.scale || in.zero_point != out.zero_point) {
    throw op_fail(context, "output '{}' must have the input's quantization (scale {}, zero point {}), got scale {}, "
                  "zero point {}", declared_output(context, 0).name, in.scale, in.zero_point, out.scale,
                  out.zero_point);
  }
}

void eval_average_pool_int8(const KernelContext& context, std::span<const TensorView> inputs,
                            std::span<const TensorView> outputs) {
  pool_int8<false>(context, inputs, outputs);
}

void eval_max_pool_int8(const KernelContext& context, std::span<const TensorView> inputs,
                        std::span<const TensorView> outputs) {
  pool_int8<true>(context, inputs, outputs);
}

}  // namespace octet::reference
