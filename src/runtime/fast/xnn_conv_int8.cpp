// int8 CONV_2D and DEPTHWISE_CONV_2D with XNNPACK's qc8 (one weight scale per
// output channel) and qs8 (one weight scale) convolution operators, in exactly
// the configurations where the reference kernel follows XNNPACK's fp32
// requantization (reference::conv_quant picks the rule, int8_rounding.h);
// elsewhere (single or double rounding) the factory returns nullptr and the
// reference kernel runs. XNNPACK computes the same arithmetic as the
// reference: int32 sums of (input - input zero point) * weight + bias (a tap
// in the padding reads the input zero point, adding 0), then
// round_half_even(clamp(float(acc) * s[c])) + output zero point with s[c] =
// s_in * s_w[c] / s_out in float32 and the fused activation's clamp from
// quant::xnn_activation_range. Layouts and padding are those of xnn_conv.cpp.

#include "runtime/fast/fold_pad.h"
#include "runtime/fast/registry.h"
#include "runtime/fast/window.h"
#include "runtime/fast/xnnpack_util.h"
#include "runtime/reference/int8_common.h"

namespace octet::fast {

namespace {

constexpr std::size_t kIn = 0;
constexpr std::size_t kFilter = 1;
constexpr std::size_t kBias = 2;

// What XNNPACK's convolution create function needs besides quantization.
struct ConvGeometry {
  Window pad{};
  std::uint32_t kernel_h = 0, kernel_w = 0, stride_h = 0, stride_w = 0, dilation_h = 0, dilation_w = 0;
  std::uint32_t groups = 0;
  std::size_t group_inputs = 0, group_outputs = 0, in_channels = 0, out_channels = 0;
  std::uint32_t flags = 0;
};

bool has_bias(const FastContext& c) { return c.op.inputs.size() > kBias && c.op.inputs[kBias] != kNoTensor; }

bool int8_operands(const FastContext& c) {
  if (c.inputs[kIn].dtype != DType::kInt8 || c.inputs[kFilter].dtype != DType::kInt8 ||
      c.outputs[0].dtype != DType::kInt8) {
    return false;
  }
  // XNNPACK packs weights and bias once at creation: they must be constants.
  if (!c.graph.tensor(c.op.inputs[kFilter]).is_constant()) return false;
  return !has_bias(c) || c.graph.tensor(c.op.inputs[kBias]).is_constant();
}

const std::int32_t* bias_data(const FastContext& c) {
  return has_bias(c) ? c.inputs[kBias].as<const std::int32_t>() : nullptr;
}

std::int8_t to_int8(std::int32_t v) { return static_cast<std::int8_t>(v); }

std::unique_ptr<FastKernel> make_int8_conv(const FastContext& c, const ConvGeometry& g, Activation activation) {
  const TensorView& in = c.inputs[kIn];
  const TensorView& filter = c.inputs[kFilter];
  const TensorView& out = c.outputs[0];
  const reference::ConvQuant q =
      reference::conv_quant(c.op.type, in, filter, has_bias(c) ? &c.inputs[kBias] : nullptr, out,
                            static_cast<std::int64_t>(g.out_channels), activation);
  if (q.rule != reference::Requantization::kFp32) return nullptr;
  // XNNPACK needs output_min < output_max; a clamp to one value stays on the reference.
  if (q.range.min >= q.range.max) return nullptr;
  const reference::TensorQuant in_q = reference::view_quant(in);
  const ConvSource source = conv_source(c, g.pad);
  const reference::TensorQuant out_q = reference::view_quant(out);
  const bool per_channel = filter.quant->scale.size() > 1;
  xnn_operator_t op = nullptr;
  if (per_channel) {
    check(c,
          xnn_create_convolution2d_nhwc_qc8(
              source.pad.top, source.pad.right, source.pad.bottom, source.pad.left, g.kernel_h, g.kernel_w, g.stride_h, g.stride_w,
              g.dilation_h, g.dilation_w, g.groups, g.group_inputs, g.group_outputs, g.in_channels, g.out_channels,
              to_int8(in_q.zero_point), in_q.scale, filter.quant->scale.data(), filter.as<const std::int8_t>(),
              bias_data(c), to_int8(out_q.zero_point), out_q.scale, to_int8(q.range.min), to_int8(q.range.max),
              g.flags, &op),
          "qc8 convolution create");
  } else {
    check(c,
          xnn_create_convolution2d_nhwc_qs8(
              source.pad.top, source.pad.right, source.pad.bottom, source.pad.left, g.kernel_h, g.kernel_w, g.stride_h, g.stride_w,
              g.dilation_h, g.dilation_w, g.groups, g.group_inputs, g.group_outputs, g.in_channels, g.out_channels,
              to_int8(in_q.zero_point), in_q.scale, filter.quant->scale[0], filter.as<const std::int8_t>(),
              bias_data(c), to_int8(out_q.zero_point), out_q.scale, to_int8(q.range.min), to_int8(q.range.max),
              g.flags, &op),
          "qs8 convolution create");
  }
  OperatorPtr owned(op);
  const TensorView& src = source.view;
  const auto batch = static_cast<std::size_t>(src.shape[0]);
  const auto height = static_cast<std::size_t>(src.shape[1]);
  const auto width = static_cast<std::size_t>(src.shape[2]);
  if (per_channel) {
    check(c,
          xnn_setup_convolution2d_nhwc_qc8(op, batch, height, width, src.as<const std::int8_t>(),
                                           out.as<std::int8_t>(), c.threadpool),
          "qc8 convolution setup");
  } else {
    check(c,
          xnn_setup_convolution2d_nhwc_qs8(op, batch, height, width, src.as<const std::int8_t>(),
                                           out.as<std::int8_t>(), c.threadpool),
          "qs8 convolution setup");
  }
  return std::make_unique<XnnOperatorKernel>(c, std::move(owned));
}

std::unique_ptr<FastKernel> make_conv_int8(const FastContext& c) {
  if (!xnnpack_available() || !int8_operands(c)) return nullptr;
  const auto& o = c.op.opts<Conv2DOptions>();
  const Shape& in = c.inputs[kIn].shape;
  const Shape& filter = c.inputs[kFilter].shape;
  const Shape& out = c.outputs[0].shape;
  const std::int64_t groups = in[3] / filter[3];
  ConvGeometry g;
  g.pad = window_padding(in, out, filter[1], filter[2], o.stride_h, o.stride_w, o.dilation_h, o.dilation_w);
  g.kernel_h = static_cast<std::uint32_t>(filter[1]);
  g.kernel_w = static_cast<std::uint32_t>(filter[2]);
  g.stride_h = static_cast<std::uint32_t>(o.stride_h);
  g.stride_w = static_cast<std::uint32_t>(o.stride_w);
  g.dilation_h = static_cast<std::uint32_t>(o.dilation_h);
  g.dilation_w = static_cast<std::uint32_t>(o.dilation_w);
  g.groups = static_cast<std::uint32_t>(groups);
  g.group_inputs = static_cast<std::size_t>(filter[3]);
  g.group_outputs = static_cast<std::size_t>(out[3] / groups);
  g.in_channels = static_cast<std::size_t>(in[3]);
  g.out_channels = static_cast<std::size_t>(out[3]);
  return make_int8_conv(c, g, o.activation);
}

std::unique_ptr<FastKernel> make_depthwise_int8(const FastContext& c) {
  if (!xnnpack_available() || !int8_operands(c)) return nullptr;
  const auto& o = c.op.opts<DepthwiseConv2DOptions>();
  const Shape& in = c.inputs[kIn].shape;
  const Shape& filter = c.inputs[kFilter].shape;
  const Shape& out = c.outputs[0].shape;
  ConvGeometry g;
  g.pad = window_padding(in, out, filter[1], filter[2], o.stride_h, o.stride_w, o.dilation_h, o.dilation_w);
  g.kernel_h = static_cast<std::uint32_t>(filter[1]);
  g.kernel_w = static_cast<std::uint32_t>(filter[2]);
  g.stride_h = static_cast<std::uint32_t>(o.stride_h);
  g.stride_w = static_cast<std::uint32_t>(o.stride_w);
  g.dilation_h = static_cast<std::uint32_t>(o.dilation_h);
  g.dilation_w = static_cast<std::uint32_t>(o.dilation_w);
  g.groups = static_cast<std::uint32_t>(in[3]);
  g.group_inputs = 1;
  g.group_outputs = static_cast<std::size_t>(o.depth_multiplier);
  g.in_channels = static_cast<std::size_t>(in[3]);
  g.out_channels = static_cast<std::size_t>(out[3]);
  g.flags = XNN_FLAG_DEPTHWISE_CONVOLUTION;
  return make_int8_conv(c, g, o.activation);
}

}  // namespace

void add_xnn_conv_int8_kernels(FastKernelTable& table) {
  table.add(OpType::kConv2D, make_conv_int8);
  table.add(OpType::kDepthwiseConv2D, make_depthwise_int8);
}

}  // namespace octet::fast
