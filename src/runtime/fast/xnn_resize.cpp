// RESIZE_BILINEAR on float32 NHWC tensors with XNNPACK's bilinear resize, in
// TFLite's legacy mode (XNN_FLAG_TENSORFLOW_LEGACY_MODE: src = dst scale) and
// with align_corners (XNN_FLAG_ALIGN_CORNERS: scale (in - 1) / (out - 1) when
// out > 1): the same source coordinates, neighbours and weights as TFLite's
// (trunc(src) and min(trunc + 1, in - 1) read the pixels TFLite's floor/ceil
// read); XNNPACK lerps top + a (bottom - top) where TFLite sums four weighted
// taps, so results agree to float32 rounding. half_pixel_centers stays on the
// reference kernel: XNNPACK computes dst scale + (0.5 scale - 0.5) where
// TFLite computes (dst + 0.5) scale - 0.5, a different rounding of the
// coordinate that moves outputs by up to ~1e-5 of their range.

#include "runtime/fast/registry.h"
#include "runtime/fast/xnnpack_util.h"

namespace octet::fast {

namespace {

std::unique_ptr<FastKernel> make_resize_bilinear_f32(const FastContext& c) {
  const TensorView& in = c.inputs[0];
  const TensorView& out = c.outputs[0];
  if (!xnnpack_available() || in.dtype != DType::kFloat32 || out.count() == 0) return nullptr;
  const auto& o = c.op.opts<ResizeOptions>();
  if (o.half_pixel_centers) return nullptr;
  const std::uint32_t flags = o.align_corners ? XNN_FLAG_ALIGN_CORNERS : XNN_FLAG_TENSORFLOW_LEGACY_MODE;
  const auto channels = static_cast<std::size_t>(in.shape[3]);
  xnn_operator_t op = nullptr;
  check(c, xnn_create_resize_bilinear2d_nhwc_f32(channels, channels, channels, flags, &op), "resize bilinear create");
  OperatorPtr owned(op);
  check(c,
        xnn_setup_resize_bilinear2d_nhwc_f32(op, static_cast<std::size_t>(in.shape[0]),
                                             static_cast<std::size_t>(in.shape[1]),
                                             static_cast<std::size_t>(in.shape[2]),
                                             static_cast<std::size_t>(out.shape[1]),
                                             static_cast<std::size_t>(out.shape[2]), in.as<const float>(),
                                             out.as<float>(), c.threadpool),
        "resize bilinear setup");
  return std::make_unique<XnnOperatorKernel>(c, std::move(owned));
}

}  // namespace

void add_xnn_resize_kernels(FastKernelTable& table) {
  table.add(OpType::kResizeBilinear, make_resize_bilinear_f32);
}

}  // namespace octet::fast
