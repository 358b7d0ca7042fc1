// CONV_2D and DEPTHWISE_CONV_2D on float32 NHWC tensors with XNNPACK's
// convolution operator. octet's filters are already in XNNPACK's layouts
// (CONV_2D OHWI = [groups][group outputs][H][W][group inputs]; depthwise
// 1HW(C*M) = XNNPACK's depthwise [H][W][C*M]); XNNPACK packs them at creation.
// Padding is passed explicitly, computed as the reference kernels do.

#include "runtime/fast/fold_pad.h"
#include "runtime/fast/registry.h"
#include "runtime/fast/window.h"
#include "runtime/fast/xnnpack_util.h"
#include "runtime/reference/common.h"

namespace octet::fast {

namespace {

constexpr std::size_t kIn = 0;
constexpr std::size_t kFilter = 1;
constexpr std::size_t kBias = 2;

bool float32_operands(const FastContext& c) {
  if (c.inputs[kIn].dtype != DType::kFloat32 || c.inputs[kFilter].dtype != DType::kFloat32) return false;
  // XNNPACK reads weights once at creation: they must be constants.
  if (!c.graph.tensor(c.op.inputs[kFilter]).is_constant()) return false;
  const bool has_bias = c.op.inputs.size() > kBias && c.op.inputs[kBias] != kNoTensor;
  return !has_bias || c.graph.tensor(c.op.inputs[kBias]).is_constant();
}

const float* bias_data(const FastContext& c) {
  return c.inputs.size() > kBias ? c.inputs[kBias].as<const float>() : nullptr;
}

std::unique_ptr<FastKernel> make_conv_f32(const FastContext& c) {
  if (!xnnpack_available() || !float32_operands(c)) return nullptr;
  const auto& o = c.op.opts<Conv2DOptions>();
  const auto range = activation_range(o.activation);
  if (!range) return nullptr;
  const Shape& in = c.inputs[kIn].shape;
  const Shape& filter = c.inputs[kFilter].shape;
  const Shape& out = c.outputs[0].shape;
  const std::int64_t groups = in[3] / filter[3];
  const ConvSource src =
      conv_source(c, window_padding(in, out, filter[1], filter[2], o.stride_h, o.stride_w, o.dilation_h, o.dilation_w));
  const Window& pad = src.pad;
  xnn_operator_t op = nullptr;
  check(c,
        xnn_create_convolution2d_nhwc_f32(
            pad.top, pad.right, pad.bottom, pad.left, static_cast<std::uint32_t>(filter[1]),
            static_cast<std::uint32_t>(filter[2]), static_cast<std::uint32_t>(o.stride_h),
            static_cast<std::uint32_t>(o.stride_w), static_cast<std::uint32_t>(o.dilation_h),
            static_cast<std::uint32_t>(o.dilation_w), static_cast<std::uint32_t>(groups),
            static_cast<std::size_t>(filter[3]), static_cast<std::size_t>(out[3] / groups),
            static_cast<std::size_t>(in[3]), static_cast<std::size_t>(out[3]), c.inputs[kFilter].as<const float>(),
            bias_data(c), range->first, range->second, /*flags=*/0, &op),
        "convolution create");
  OperatorPtr owned(op);
  const Shape& src_shape = src.view.shape;
  check(c,
        xnn_setup_convolution2d_nhwc_f32(op, static_cast<std::size_t>(src_shape[0]),
                                         static_cast<std::size_t>(src_shape[1]), static_cast<std::size_t>(src_shape[2]),
                                         src.view.as<const float>(), c.outputs[0].as<float>(), c.threadpool),
        "convolution setup");
  return std::make_unique<XnnOperatorKernel>(c, std::move(owned));
}

std::unique_ptr<FastKernel> make_depthwise_f32(const FastContext& c) {
  if (!xnnpack_available() || !float32_operands(c)) return nullptr;
  const auto& o = c.op.opts<DepthwiseConv2DOptions>();
  const auto range = activation_range(o.activation);
  if (!range) return nullptr;
  const Shape& in = c.inputs[kIn].shape;
  const Shape& filter = c.inputs[kFilter].shape;
  const Shape& out = c.outputs[0].shape;
  const ConvSource src =
      conv_source(c, window_padding(in, out, filter[1], filter[2], o.stride_h, o.stride_w, o.dilation_h, o.dilation_w));
  const Window& pad = src.pad;
  xnn_operator_t op = nullptr;
  check(c,
        xnn_create_convolution2d_nhwc_f32(
            pad.top, pad.right, pad.bottom, pad.left, static_cast<std::uint32_t>(filter[1]),
            static_cast<std::uint32_t>(filter[2]), static_cast<std::uint32_t>(o.stride_h),
            static_cast<std::uint32_t>(o.stride_w), static_cast<std::uint32_t>(o.dilation_h),
            static_cast<std::uint32_t>(o.dilation_w), /*groups=*/static_cast<std::uint32_t>(in[3]),
            /*group_input_channels=*/1, static_cast<std::size_t>(o.depth_multiplier), static_cast<std::size_t>(in[3]),
            static_cast<std::size_t>(out[3]), c.inputs[kFilter].as<const float>(), bias_data(c), range->first,
            range->second, XNN_FLAG_DEPTHWISE_CONVOLUTION, &op),
        "depthwise convolution create");
  OperatorPtr owned(op);
  const Shape& src_shape = src.view.shape;
  check(c,
        xnn_setup_convolution2d_nhwc_f32(op, static_cast<std::size_t>(src_shape[0]),
                                         static_cast<std::size_t>(src_shape[1]), static_cast<std::size_t>(src_shape[2]),
                                         src.view.as<const float>(), c.outputs[0].as<float>(), c.threadpool),
        "depthwise convolution setup");
  return std::make_unique<XnnOperatorKernel>(c, std::move(owned));
}

}  // namespace

void add_xnn_conv_kernels(FastKernelTable& table) {
  table.add(OpType::kConv2D, make_conv_f32);
  table.add(OpType::kDepthwiseConv2D, make_depthwise_f32);
}

}  // namespace octet::fast
