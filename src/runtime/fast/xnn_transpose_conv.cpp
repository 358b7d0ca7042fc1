// TRANSPOSE_CONV on float32 NHWC tensors with XNNPACK's deconvolution.
// TFLite's output pixel y = iy * stride - pad + fy (pad: the padding of a
// convolution from the output back to the input), which is XNNPACK's with
// padding_top = pad. XNNPACK's output height is stride (in - 1) + filter -
// top - bottom + adjustment (adjustment < stride): `bottom` crops what
// output_shape leaves out, `adjustment` adds rows no input reaches (bias
// only, as in TFLite). An output_shape beyond that stays on the reference
// kernel. Weights OHWI are XNNPACK's [output][H][W][input] layout, packed at
// creation: weights and bias must be constants.

#include "runtime/fast/registry.h"
#include "runtime/fast/xnnpack_util.h"
#include "runtime/reference/common.h"

namespace octet::fast {

namespace {

constexpr std::size_t kWeights = 1;
constexpr std::size_t kIn = 2;
constexpr std::size_t kBias = 3;

struct Axis {
  std::uint32_t before, after, adjustment;
};

// The padding and adjustment of one axis, or nullopt when XNNPACK cannot express it.
std::optional<Axis> deconvolution_axis(std::int64_t in, std::int64_t out, std::int64_t filter, int stride,
                                       Padding padding) {
  const std::int64_t before = reference::window_padding_before(
      out, filter, stride, 1, reference::window_output_size(padding, out, filter, stride, 1));
  const std::int64_t full = stride * (in - 1) + filter;  // XNNPACK's output before cropping
  const std::int64_t after = full - before - out;
  if (before < 0) return std::nullopt;
  if (after >= 0) return Axis{static_cast<std::uint32_t>(before), static_cast<std::uint32_t>(after), 0};
  if (-after >= stride) return std::nullopt;
  return Axis{static_cast<std::uint32_t>(before), 0, static_cast<std::uint32_t>(-after)};
}

std::unique_ptr<FastKernel> make_transpose_conv_f32(const FastContext& c) {
  if (!xnnpack_available()) return nullptr;
  const TensorView& in = c.inputs[kIn];
  const TensorView& weights = c.inputs[kWeights];
  const TensorView& out = c.outputs[0];
  if (in.dtype != DType::kFloat32 || weights.dtype != DType::kFloat32 || out.count() == 0) return nullptr;
  if (!c.graph.tensor(c.op.inputs[kWeights]).is_constant()) return nullptr;
  const bool has_bias = c.op.inputs.size() > kBias && c.op.inputs[kBias] != kNoTensor;
  if (has_bias && !c.graph.tensor(c.op.inputs[kBias]).is_constant()) return nullptr;
  const auto& o = c.op.opts<TransposeConvOptions>();
  const auto range = activation_range(o.activation);
  if (!range) return nullptr;
  const auto h = deconvolution_axis(in.shape[1], out.shape[1], weights.shape[1], o.stride_h, o.padding);
  const auto w = deconvolution_axis(in.shape[2], out.shape[2], weights.shape[2], o.stride_w, o.padding);
  if (!h || !w) return nullptr;
  const auto in_channels = static_cast<std::size_t>(in.shape[3]);
  const auto out_channels = static_cast<std::size_t>(out.shape[3]);
  xnn_operator_t op = nullptr;
  check(c,
        xnn_create_deconvolution2d_nhwc_f32(
            h->before, w->after, h->after, w->before, static_cast<std::uint32_t>(weights.shape[1]),
            static_cast<std::uint32_t>(weights.shape[2]), static_cast<std::uint32_t>(o.stride_h),
            static_cast<std::uint32_t>(o.stride_w), /*dilation_height=*/1, /*dilation_width=*/1, /*groups=*/1,
            in_channels, out_channels, in_channels, out_channels, weights.as<const float>(),
            has_bias ? c.inputs[kBias].as<const float>() : nullptr, range->first, range->second, /*flags=*/0, &op),
        "deconvolution create");
  OperatorPtr owned(op);
  check(c,
        xnn_setup_deconvolution2d_nhwc_f32(op, static_cast<std::size_t>(in.shape[0]),
                                           static_cast<std::size_t>(in.shape[1]),
                                           static_cast<std::size_t>(in.shape[2]), h->adjustment, w->adjustment,
                                           in.as<const float>(), out.as<float>(), c.threadpool),
        "deconvolution setup");
  return std::make_unique<XnnOperatorKernel>(c, std::move(owned));
}

}  // namespace

void add_xnn_transpose_conv_kernels(FastKernelTable& table) {
  table.add(OpType::kTransposeConv, make_transpose_conv_f32);
}

}  // namespace octet::fast
