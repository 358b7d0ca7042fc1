// RESIZE_BILINEAR (float32) and RESIZE_NEAREST_NEIGHBOR (every dtype) on NHWC
// tensors; input 1 is the constant (new_height, new_width). Source
// coordinates, rounding and clamping are exactly TFLite's reference ones:
//   scale = in / out, or (in - 1) / (out - 1) with align_corners and out > 1;
//   bilinear: src = (dst + 0.5) scale - 0.5 with half_pixel_centers, else
//     dst scale; y0 = max(floor(src), 0), y1 = min(ceil(src), in - 1), and
//     weights (src - y0) and 1 - (src - y0);
//   nearest: src = (dst + offset) scale with offset 0.5 when
//     half_pixel_centers; round half away from zero with align_corners, else
//     floor; clamped to in - 1 (and to 0 with half_pixel_centers).
// int8 (input and output must share one quantization): nearest copies bytes;
// bilinear is computed as TFLite's XNNPACK delegate computes it (it takes
// every int8 RESIZE_BILINEAR with a constant size; int8_rounding.h): source
// coordinates in float32 as XNNPACK's indirection setup,
//   src = dst scale, or with half_pixel_centers clamp(dst scale + (0.5 scale
//     - 0.5), 0, in - 1) (the product and the sum rounded to float32 apart);
//   y0 = trunc(src), y1 = min(y0 + 1, in - 1), weight = lrintf((src - y0) 2^11);
// then XNNPACK's s8-ibilinear integer lerps (quant::xnn_bilinear_q11).

#include "quant/requantize.h"
#include "runtime/reference/common.h"
#include "runtime/reference/int8_checks.h"
#include "runtime/reference/registry.h"

namespace octet::reference {

namespace {

std::vector<TensorSpec> prepare_resize(const KernelContext& context) {
  const auto& o = context.op.opts<ResizeOptions>();
  require_rank(context, 0, 4);
  if (input_tensor(context, 0).dtype == DType::kInt8) require_int8_copy_quant(context, 0);
  if (context.op.type == OpType::kResizeBilinear) {
    require_dtype_in(context, 0, {DType::kFloat32, DType::kInt8});
    if (o.align_corners && o.half_pixel_centers) {
      throw op_fail(context, "align_corners and half_pixel_centers cannot both be set");
    }
  }
  const Tensor& in = input_tensor(context, 0);
  if (in.shape[1] < 1 || in.shape[2] < 1) {
    throw op_fail(context, "input {} has no pixels to resize", shape_string(in.shape));
  }
  const std::vector<std::int64_t> size = constant_ints(context, 1);
  if (size.size() != 2 || size[0] < 1 || size[1] < 1) {
    throw op_fail(context, "size must hold two positive values (height, width), got [{}]", fmt::join(size, ","));
  }
  return {{in.dtype, {in.shape[0], size[0], size[1], in.shape[3]}}};
}

float resize_scale(std::int64_t in, std::int64_t out, bool align_corners) {
  if (align_corners && out > 1) return static_cast<float>(in - 1) / static_cast<float>(out - 1);
  return static_cast<float>(in) / static_cast<float>(out);
}

struct Interpolation {
  float source;     // the source coordinate
  std::int64_t lo;  // the neighbours read
  std::int64_t hi;
};

Interpolation interpolation(std::int64_t dst, float scale, bool half_pixel_centers, std::int64_t in) {
  const float value = static_cast<float>(dst);
  const float source = half_pixel_centers ? (value + 0.5F) * scale - 0.5F : value * scale;
  const auto lo = std::max<std::int64_t>(static_cast<std::int64_t>(std::floor(source)), 0);
  const auto hi = std::min<std::int64_t>(static_cast<std::int64_t>(std::ceil(source)), in - 1);
  return {source, lo, hi};
}

// ---- int8 bilinear (XNNPACK's s8-ibilinear with 11-bit weights).

struct XnnInterpolation {
  std::int64_t lo;  // the neighbours read
  std::int64_t hi;
  std::int32_t weight;  // of hi, in 1/2^11
};

XnnInterpolation xnn_interpolation(std::int64_t dst, float scale, bool half_pixel_centers, std::int64_t in) {
  const float product = static_cast<float>(dst) * scale;
  float source = product;
  if (half_pixel_centers) {
    const float offset = 0.5F * scale - 0.5F;
    source = std::clamp(product + offset, 0.0F, static_cast<float>(in - 1));
  }
  const auto lo = static_cast<std::int64_t>(source);
  return {lo, std::min(lo + 1, in - 1), quant::xnn_q11_weight(source - static_cast<float>(lo))};
}

void eval_bilinear_int8(const KernelContext& context, std::span<const TensorView> inputs,
                        std::span<const TensorView> outputs) {
  const auto& o = context.op.opts<ResizeOptions>();
  const Shape& in_shape = inputs[0].shape;
  const Shape& out_shape = outputs[0].shape;
  const std::int64_t batches = in_shape[0], in_h = in_shape[1], in_w = in_shape[2], depth = in_shape[3];
  const std::int64_t out_h = out_shape[1], out_w = out_shape[2];
  const float scale_h = resize_scale(in_h, out_h, o.align_corners);
  const float scale_w = resize_scale(in_w, out_w, o.align_corners);
  const std::int8_t* in = inputs[0].as<const std::int8_t>();
  std::int8_t* out = outputs[0].as<std::int8_t>();
  const auto at = [&](std::int64_t b, std::int64_t y, std::int64_t x, std::int64_t c) {
    return static_cast<std::int32_t>(in[((b * in_h + y) * in_w + x) * depth + c]);
  };
  for (std::int64_t b = 0; b < batches; ++b) {
    for (std::int64_t y = 0; y < out_h; ++y) {
      const XnnInterpolation iy = xnn_interpolation(y, scale_h, o.half_pixel_centers, in_h);
      for (std::int64_t x = 0; x < out_w; ++x) {
        const XnnInterpolation ix = xnn_interpolation(x, scale_w, o.half_pixel_centers, in_w);
        for (std::int64_t c = 0; c < depth; ++c) {
          out[((b * out_h + y) * out_w + x) * depth + c] = static_cast<std::int8_t>(
              quant::xnn_bilinear_q11(at(b, iy.lo, ix.lo, c), at(b, iy.lo, ix.hi, c), at(b, iy.hi, ix.lo, c),
                                      at(b, iy.hi, ix.hi, c), ix.weight, iy.weight));
        }
      }
    }
  }
}

void eval_bilinear(const KernelContext& context, std::span<const TensorView> inputs,
                   std::span<const TensorView> outputs) {
  if (outputs[0].dtype == DType::kInt8) {
    eval_bilinear_int8(context, inputs, outputs);
    return;
  }
  const auto& o = context.op.opts<ResizeOptions>();
  const Shape& in_shape = inputs[0].shape;
  const Shape& out_shape = outputs[0].shape;
  const std::int64_t batches = in_shape[0], in_h = in_shape[1], in_w = in_shape[2], depth = in_shape[3];
  const std::int64_t out_h = out_shape[1], out_w = out_shape[2];
  const float scale_h = resize_scale(in_h, out_h, o.align_corners);
  const float scale_w = resize_scale(in_w, out_w, o.align_corners);
  const float* in = inputs[0].as<const float>();
  float* out = outputs[0].as<float>();
  const auto at = [&](std::int64_t b, std::int64_t y, std::int64_t x, std::int64_t c) {
    return in[((b * in_h + y) * in_w + x) * depth + c];
  };
  for (std::int64_t b = 0; b < batches; ++b) {
    for (std::int64_t y = 0; y < out_h; ++y) {
      const Interpolation iy = interpolation(y, scale_h, o.half_pixel_centers, in_h);
      const float dy = iy.source - static_cast<float>(iy.lo);
      for (std::int64_t x = 0; x < out_w; ++x) {
        const Interpolation ix = interpolation(x, scale_w, o.half_pixel_centers, in_w);
        const float dx = ix.source - static_cast<float>(ix.lo);
        for (std::int64_t c = 0; c < depth; ++c) {
          out[((b * out_h + y) * out_w + x) * depth + c] =
              at(b, iy.lo, ix.lo, c) * (1 - dy) * (1 - dx) + at(b, iy.hi, ix.lo, c) * dy * (1 - dx) +
              at(b, iy.lo, ix.hi, c) * (1 - dy) * dx + at(b, iy.hi, ix.hi, c) * dy * dx;
        }
      }
    }
  }
}

std::int64_t nearest(std::int64_t dst, std::int64_t in, std::int64_t out, bool align_corners,
                     bool half_pixel_centers) {
  const float scale = resize_scale(in, out, align_corners);
  const float offset = half_pixel_centers ? 0.5F : 0.0F;
  const float source = (static_cast<float>(dst) + offset) * scale;
  const auto rounded = static_cast<std::int64_t>(align_corners ? std::round(source) : std::floor(source));
  std::int64_t result = std::min(rounded, in - 1);
  if (half_pixel_centers) result = std::max<std::int64_t>(result, 0);
  return result;
}

void eval_nearest(const KernelContext& context, std::span<const TensorView> inputs,
                  std::span<const TensorView> outputs) {
  const auto& o = context.op.opts<ResizeOptions>();
  const Shape& in_shape = inputs[0].shape;
  const Shape& out_shape = outputs[0].shape;
  const std::int64_t batches = in_shape[0], in_h = in_shape[1], in_w = in_shape[2], depth = in_shape[3];
  const std::int64_t out_h = out_shape[1], out_w = out_shape[2];
  const std::size_t size = dtype_size(inputs[0].dtype);
  for (std::int64_t b = 0; b < batches; ++b) {
    for (std::int64_t y = 0; y < out_h; ++y) {
      const std::int64_t sy = nearest(y, in_h, out_h, o.align_corners, o.half_pixel_centers);
      for (std::int64_t x = 0; x < out_w; ++x) {
        const std::int64_t sx = nearest(x, in_w, out_w, o.align_corners, o.half_pixel_centers);
        copy_elements(outputs[0].data + to_size(((b * out_h + y) * out_w + x) * depth) * size,
                      inputs[0].data + to_size(((b * in_h + sy) * in_w + sx) * depth) * size, depth, size);
      }
    }
  }
}

}  // namespace

void add_resize_kernels(KernelTable& table) {
  table.add(OpType::kResizeBilinear, prepare_resize, eval_bilinear);
  table.add(OpType::kResizeNearestNeighbor, prepare_resize, eval_nearest);
}

}  // namespace octet::reference
