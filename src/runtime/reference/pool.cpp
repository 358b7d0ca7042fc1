// AVERAGE_POOL_2D and MAX_POOL_2D on float32 NHWC tensors, as TFLite's
// reference kernels: windows are clipped to the image, so padding never
// enters a max and an average divides by the number of in-image taps. An
// int8 input selects pool_int8.cpp (same shapes; quantization checked there).

#include "runtime/reference/common.h"
#include "runtime/reference/int8_kernels.h"
#include "runtime/reference/registry.h"

namespace octet::reference {

namespace {

std::vector<TensorSpec> prepare_pool(const KernelContext& context) {
  const auto& o = context.op.opts<Pool2DOptions>();
  const DType dtype = input_tensor(context, 0).dtype == DType::kInt8 ? DType::kInt8 : DType::kFloat32;
  require_dtype(context, 0, dtype);
  require_rank(context, 0, 4);
  require_activation_supported(context, o.activation, dtype);
  if (dtype == DType::kInt8) require_int8_pool_quant(context);
  const Shape& in = input_tensor(context, 0).shape;
  const std::int64_t out_h = checked_window_output(context, o.padding, in[1], o.filter_h, o.stride_h, 1, "h");
  const std::int64_t out_w = checked_window_output(context, o.padding, in[2], o.filter_w, o.stride_w, 1, "w");
  return {{dtype, {in[0], out_h, out_w, in[3]}}};
}

template <bool kMax>
void eval_pool(const KernelContext& context, std::span<const TensorView> inputs, std::span<const TensorView> outputs) {
  if (inputs[0].dtype == DType::kInt8) {
    return kMax ? eval_max_pool_int8(context, inputs, outputs) : eval_average_pool_int8(context, inputs, outputs);
  }
  const auto& o = context.op.opts<Pool2DOptions>();
  const Shape& in_shape = inputs[0].shape;
  const Shape& out_shape = outputs[0].shape;
  const float* input = inputs[0].as<const float>();
  float* output = outputs[0].as<float>();
  const std::int64_t batches = in_shape[0], in_h = in_shape[1], in_w = in_shape[2], depth = in_shape[3];
  const std::int64_t out_h = out_shape[1], out_w = out_shape[2];
  const std::int64_t pad_h = window_padding_before(in_h, o.filter_h, o.stride_h, 1, out_h);
  const std::int64_t pad_w = window_padding_before(in_w, o.filter_w, o.stride_w, 1, out_w);

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
          float acc = kMax ? std::numeric_limits<float>::lowest() : 0.0F;
          float taps = 0.0F;
          for (std::int64_t fy = fy_begin; fy < fy_end; ++fy) {
            for (std::int64_t fx = fx_begin; fx < fx_end; ++fx) {
              const float v = input[((b * in_h + y0 + fy) * in_w + x0 + fx) * depth + c];
              acc = kMax ? std::max(acc, v) : acc + v;
              taps += 1.0F;
            }
          }
          // TFLite's SAME/VALID arithmetic keeps at least one tap in every window.
          const float value = kMax ? acc : acc / taps;
          output[((b * out_h + oy) * out_w + ox) * depth + c] = apply_activation(value, o.activation);
        }
      }
    }
  }
}

}  // namespace

void add_pool_kernels(KernelTable& table) {
  table.add(OpType::kAveragePool2D, prepare_pool, eval_pool<false>);
  table.add(OpType::kMaxPool2D, prepare_pool, eval_pool<true>);
}

}  // namespace octet::reference
