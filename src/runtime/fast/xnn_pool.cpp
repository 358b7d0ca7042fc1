// AVERAGE_POOL_2D, MAX_POOL_2D and MEAN over the image axes {1, 2} of a 4-D
// tensor (global average pooling) on float32 NHWC tensors with XNNPACK. The
// window padding is passed explicitly, computed as the reference kernels do;
// XNNPACK's average pooling divides by the number of in-image taps and its
// max pooling never lets padding win, as TFLite's kernels do. XNNPACK has no
// 1x1 pooling (a copy): such windows stay on the reference kernel.

#include <algorithm>

#include "runtime/fast/registry.h"
#include "runtime/fast/xnnpack_util.h"
#include "runtime/reference/common.h"

namespace octet::fast {

namespace {

struct PoolPadding {
  std::uint32_t top, right, bottom, left;
};

PoolPadding pool_padding(const Shape& in, const Shape& out, const Pool2DOptions& o) {
  const auto axis = [](std::int64_t size, std::int64_t filter, int stride, std::int64_t out_size) {
    const std::int64_t before = reference::window_padding_before(size, filter, stride, 1, out_size);
    const std::int64_t needed = (out_size - 1) * stride + filter;
    const std::int64_t after = std::max<std::int64_t>(needed - size - before, 0);
    return std::pair{static_cast<std::uint32_t>(before), static_cast<std::uint32_t>(after)};
  };
  const auto [top, bottom] = axis(in[1], o.filter_h, o.stride_h, out[1]);
  const auto [left, right] = axis(in[2], o.filter_w, o.stride_w, out[2]);
  return {top, right, bottom, left};
}

// The pool's options and activation range when XNNPACK covers it.
std::optional<std::pair<float, float>> pool_range(const FastContext& c) {
  if (!xnnpack_available() || c.inputs[0].dtype != DType::kFloat32) return std::nullopt;
  const auto& o = c.op.opts<Pool2DOptions>();
  if (o.filter_h * o.filter_w == 1) return std::nullopt;
  if (c.inputs[0].count() == 0) return std::nullopt;
  return activation_range(o.activation);
}

template <bool kMax>
std::unique_ptr<FastKernel> make_pool_f32(const FastContext& c) {
  const auto range = pool_range(c);
  if (!range) return nullptr;
  const auto& o = c.op.opts<Pool2DOptions>();
  const Shape& in = c.inputs[0].shape;  // a folded PAD's output: the padded shape the pool computes with
  const Shape& out = c.outputs[0].shape;
  PoolPadding pad = pool_padding(in, out, o);
  // A folded PADV2 (fold_pad.h: max pooling only, padding with the lowest
  // float): XNNPACK reads the PAD's input with both paddings, and its max
  // pooling ignores padding, which equals padding with the lowest float while
  // every window keeps at least one value of the image.
  const TensorView& data = c.unpadded_input != nullptr ? *c.unpadded_input : c.inputs[0];
  if (c.unpadded_input != nullptr) {
    if (!kMax) return nullptr;
    const Window& e = c.extra_padding;
    pad = {pad.top + e.top, pad.right + e.right, pad.bottom + e.bottom, pad.left + e.left};
    const auto filter_h = static_cast<std::uint32_t>(o.filter_h);
    const auto filter_w = static_cast<std::uint32_t>(o.filter_w);
    if (std::max(pad.top, pad.bottom) >= filter_h || std::max(pad.left, pad.right) >= filter_w) return nullptr;
  }
  const auto channels = static_cast<std::size_t>(in[3]);
  const auto filter_h = static_cast<std::uint32_t>(o.filter_h);
  const auto filter_w = static_cast<std::uint32_t>(o.filter_w);
  const auto stride_h = static_cast<std::uint32_t>(o.stride_h);
  const auto stride_w = static_cast<std::uint32_t>(o.stride_w);
  xnn_operator_t op = nullptr;
  if constexpr (kMax) {
    check(c,
          xnn_create_max_pooling2d_nhwc_f32(pad.top, pad.right, pad.bottom, pad.left, filter_h, filter_w, stride_h,
                                            stride_w, /*dilation_height=*/1, /*dilation_width=*/1, channels, channels,
                                            channels, range->first, range->second, /*flags=*/0, &op),
          "max pooling create");
  } else {
    check(c,
          xnn_create_average_pooling2d_nhwc_f32(pad.top, pad.right, pad.bottom, pad.left, filter_h, filter_w, stride_h,
                                                stride_w, channels, channels, channels, range->first, range->second,
                                                /*flags=*/0, &op),
          "average pooling create");
  }
  OperatorPtr owned(op);
  const auto batch = static_cast<std::size_t>(data.shape[0]);
  const auto height = static_cast<std::size_t>(data.shape[1]);
  const auto width = static_cast<std::size_t>(data.shape[2]);
  const float* input = data.as<const float>();
  float* output = c.outputs[0].as<float>();
  if constexpr (kMax) {
    check(c, xnn_setup_max_pooling2d_nhwc_f32(op, batch, height, width, input, output, c.threadpool),
          "max pooling setup");
  } else {
    check(c, xnn_setup_average_pooling2d_nhwc_f32(op, batch, height, width, input, output, c.threadpool),
          "average pooling setup");
  }
  return std::make_unique<XnnOperatorKernel>(c, std::move(owned));
}

// MEAN of a 4-D float32 tensor over exactly the axes {1, 2} (any order, negative allowed).
bool reduces_image_axes(const FastContext& c) {
  const TensorView& in = c.inputs[0];
  if (in.dtype != DType::kFloat32 || in.shape.size() != 4) return false;
  if (!c.graph.tensor(c.op.inputs[1]).is_constant()) return false;
  const KernelContext kernel_context{c.graph, c.op};
  std::vector<char> reduced(4, 0);
  for (const std::int64_t axis : reference::constant_ints(kernel_context, 1)) {
    reduced[reference::normalize_axis(kernel_context, axis, 4, "axis")] = 1;
  }
  return reduced == std::vector<char>{0, 1, 1, 0};
}

std::unique_ptr<FastKernel> make_global_average_pool_f32(const FastContext& c) {
  if (!xnnpack_available() || !reduces_image_axes(c) || c.inputs[0].count() == 0) return nullptr;
  const Shape& in = c.inputs[0].shape;
  const auto channels = static_cast<std::size_t>(in[3]);
  const auto activation = activation_range(Activation::kNone);
  xnn_operator_t op = nullptr;
  check(c,
        xnn_create_global_average_pooling_nwc_f32(channels, channels, channels, activation->first, activation->second,
                                                  /*flags=*/0, &op),
        "global average pooling create");
  OperatorPtr owned(op);
  check(c,
        xnn_setup_global_average_pooling_nwc_f32(op, static_cast<std::size_t>(in[0]),
                                                 static_cast<std::size_t>(in[1] * in[2]),
                                                 c.inputs[0].as<const float>(), c.outputs[0].as<float>(), c.threadpool),
        "global average pooling setup");
  return std::make_unique<XnnOperatorKernel>(c, std::move(owned));
}

}  // namespace

void add_xnn_pool_kernels(FastKernelTable& table) {
  table.add(OpType::kAveragePool2D, make_pool_f32<false>);
  table.add(OpType::kMaxPool2D, make_pool_f32<true>);
  table.add(OpType::kMean, make_global_average_pool_f32);
}

}  // namespace octet::fast
