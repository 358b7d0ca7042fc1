// int8 MAX_POOL_2D (XNNPACK s8 max pooling) and MEAN over {1, 2} (XNNPACK
// qs8 global average pooling) where they give the reference's bytes:
// * MAX_POOL_2D: the largest in-image tap clamped to the fused activation's
//   range (the builtin rounding of the bounds, int8_activation_range), the
//   same quantization in and out. XNNPACK's windows read only in-image
//   pixels, so padding never wins; 1x1 windows and strides larger than the
//   window (XNNPACK refuses them) stay on the reference.
// * MEAN: where TFLite's XNNPACK delegate takes it (reference::xnn_takes_mean,
//   the reference's own predicate), round_half_even(clamp(sum (q - zp_in) *
//   s_in / (s_out * H * W))) + zp_out with the scale in float32, as the
//   reference computes it; elsewhere the reference's builtin rounding runs.

#include "runtime/fast/registry.h"
#include "runtime/fast/window.h"
#include "runtime/fast/xnnpack_util.h"
#include "runtime/reference/common.h"
#include "runtime/reference/int8_common.h"
#include "runtime/reference/int8_rounding.h"

namespace octet::fast {

namespace {

constexpr std::size_t kMeanRank = 4;

std::int8_t to_int8(std::int32_t v) { return static_cast<std::int8_t>(v); }

bool int8_in_out(const FastContext& c) {
  return c.inputs[0].dtype == DType::kInt8 && c.outputs[0].dtype == DType::kInt8;
}

std::unique_ptr<FastKernel> make_max_pool_int8(const FastContext& c) {
  if (!xnnpack_available() || !int8_in_out(c) || c.unpadded_input != nullptr) return nullptr;  // no int8 pool folds
  const auto& o = c.op.opts<Pool2DOptions>();
  if (o.filter_h * o.filter_w <= 1) return nullptr;
  // XNNPACK's max pooling refuses strides larger than the window.
  if (o.stride_h > o.filter_h || o.stride_w > o.filter_w) return nullptr;
  const TensorView& in = c.inputs[0];
  const TensorView& out = c.outputs[0];
  const quant::IntRange range = reference::int8_activation_range(o.activation, reference::view_quant(out));
  // XNNPACK needs output_min < output_max; a clamp to one value stays on the reference.
  if (range.min >= range.max) return nullptr;
  const Window pad = window_padding(in.shape, out.shape, o.filter_h, o.filter_w, o.stride_h, o.stride_w, 1, 1);
  const auto channels = static_cast<std::size_t>(in.shape[3]);
  xnn_operator_t op = nullptr;
  check(c,
        xnn_create_max_pooling2d_nhwc_s8(pad.top, pad.right, pad.bottom, pad.left,
                                         static_cast<std::uint32_t>(o.filter_h), static_cast<std::uint32_t>(o.filter_w),
                                         static_cast<std::uint32_t>(o.stride_h), static_cast<std::uint32_t>(o.stride_w),
                                         /*dilation_height=*/1, /*dilation_width=*/1, channels, channels, channels,
                                         to_int8(range.min), to_int8(range.max), /*flags=*/0, &op),
        "s8 max pooling create");
  OperatorPtr owned(op);
  check(c,
        xnn_setup_max_pooling2d_nhwc_s8(op, static_cast<std::size_t>(in.shape[0]),
                                        static_cast<std::size_t>(in.shape[1]), static_cast<std::size_t>(in.shape[2]),
                                        in.as<const std::int8_t>(), out.as<std::int8_t>(), c.threadpool),
        "s8 max pooling setup");
  return std::make_unique<XnnOperatorKernel>(c, std::move(owned));
}

std::unique_ptr<FastKernel> make_mean_int8(const FastContext& c) {
  if (!xnnpack_available() || !int8_in_out(c)) return nullptr;
  const TensorView& in = c.inputs[0];
  const TensorView& out = c.outputs[0];
  // The int8 reference MEAN reduces axes {1, 2} of NHWC with keep_dims (its Prepare checks it).
  if (in.shape.size() != kMeanRank || out.shape != Shape{in.shape[0], 1, 1, in.shape[3]}) return nullptr;
  // Only where the reference takes XNNPACK's path too: the axes as written and the scale ratio.
  const KernelContext context{c.graph, c.op};
  if (!reference::xnn_takes_mean_axes(in.shape.size(), reference::constant_ints(context, 1))) return nullptr;
  const reference::TensorQuant in_q = reference::view_quant(in);
  const reference::TensorQuant out_q = reference::view_quant(out);
  if (!reference::xnn_takes_mean(in_q.scale, out_q.scale)) return nullptr;
  const quant::IntRange int8 = quant::int_range(DType::kInt8);
  const auto channels = static_cast<std::size_t>(in.shape[3]);
  xnn_operator_t op = nullptr;
  check(c,
        xnn_create_global_average_pooling_nwc_qs8(channels, channels, channels, to_int8(in_q.zero_point), in_q.scale,
                                                  to_int8(out_q.zero_point), out_q.scale, to_int8(int8.min),
                                                  to_int8(int8.max), /*flags=*/0, &op),
        "qs8 global average pooling create");
  OperatorPtr owned(op);
  check(c,
        xnn_setup_global_average_pooling_nwc_qs8(op, static_cast<std::size_t>(in.shape[0]),
                                                 static_cast<std::size_t>(in.shape[1] * in.shape[2]),
                                                 in.as<const std::int8_t>(), out.as<std::int8_t>(), c.threadpool),
        "qs8 global average pooling setup");
  return std::make_unique<XnnOperatorKernel>(c, std::move(owned));
}

}  // namespace

void add_xnn_pool_int8_kernels(FastKernelTable& table) {
  table.add(OpType::kMaxPool2D, make_max_pool_int8);
  table.add(OpType::kMean, make_mean_int8);
}

}  // namespace octet::fast
