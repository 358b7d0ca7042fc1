#pragma once
// What octet's own GEMM convolutions (vnni_conv_int8.cpp, avx512_conv_f32.cpp)
// share: the geometry of a one-group NHWC convolution, gathering an output
// pixel's receptive field into one row (im2col, in the weights' (kh, kw, c)
// order), and splitting the output pixels into tasks over the thread pool.

#include <pthreadpool.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "runtime/fast/fast_kernel.h"
#include "runtime/fast/fold_pad.h"

namespace octet::fast {

// CONV_2D's operands.
inline constexpr std::size_t kConvInput = 0;
inline constexpr std::size_t kConvFilter = 1;
inline constexpr std::size_t kConvBias = 2;

inline bool conv_has_bias(const FastContext& c) {
  return c.op.inputs.size() > kConvBias && c.op.inputs[kConvBias] != kNoTensor;
}

// What packing the weights once needs: a constant filter, and a constant bias
// of `bias_dtype` if there is one; also one group (input channels = filter
// depth) and something to compute.
inline bool packable_one_group_conv(const FastContext& c, DType bias_dtype) {
  if (!c.graph.tensor(c.op.inputs[kConvFilter]).is_constant()) return false;
  if (conv_has_bias(c) &&
      (!c.graph.tensor(c.op.inputs[kConvBias]).is_constant() || c.inputs[kConvBias].dtype != bias_dtype)) {
    return false;
  }
  return c.inputs[kConvInput].shape[3] == c.inputs[kConvFilter].shape[3] && c.outputs[0].count() > 0;
}

struct ConvGeometry {
  std::size_t batch = 0, in_h = 0, in_w = 0, in_c = 0;
  std::size_t out_h = 0, out_w = 0, out_c = 0;
  std::size_t kernel_h = 0, kernel_w = 0, stride_h = 0, stride_w = 0, dilation_h = 0, dilation_w = 0;
  std::ptrdiff_t pad_top = 0, pad_left = 0;

  std::size_t pixels() const { return batch * out_h * out_w; }
  std::size_t depth() const { return kernel_h * kernel_w * in_c; }
  // A 1x1, stride-1, unpadded convolution reads each pixel's row in place.
  bool pointwise() const {
    return kernel_h == 1 && kernel_w == 1 && stride_h == 1 && stride_w == 1 && pad_top == 0 && pad_left == 0 &&
           in_h == out_h && in_w == out_w;
  }
};

// The geometry of CONV_2D `c` (filter OHWI at input 1), reading what
// conv_source says (a folded PAD's input with both paddings, or its own input).
ConvGeometry conv_geometry(const FastContext& c);
// The tensor such a convolution reads: a folded PAD's input, or its own input.
inline const TensorView& conv_data(const FastContext& c) { return conv_source(c, Window{}).view; }

// Writes output pixel `pixel`'s receptive field to dst (depth() elements):
// copy(dst, src, n) for each in-bounds run (one per kernel row without
// dilation along W), `pad` for taps outside the input.
template <typename T, typename Copy>
void gather_pixel(const ConvGeometry& g, const T* input, std::size_t pixel, T* dst, T pad, const Copy& copy) {
  const std::size_t per_image = g.out_h * g.out_w;
  const std::size_t b = pixel / per_image;
  const std::size_t oy = pixel % per_image / g.out_w;
  const std::size_t ox = pixel % g.out_w;
  const std::size_t c = g.in_c;
  const auto in_h = static_cast<std::ptrdiff_t>(g.in_h);
  const auto in_w = static_cast<std::ptrdiff_t>(g.in_w);
  const std::ptrdiff_t x0 = static_cast<std::ptrdiff_t>(ox * g.stride_w) - g.pad_left;
  const auto kernel_w = static_cast<std::ptrdiff_t>(g.kernel_w);
  const std::size_t row_len = g.kernel_w * c;
  for (std::size_t ky = 0; ky < g.kernel_h; ++ky, dst += row_len) {
    const std::ptrdiff_t iy = static_cast<std::ptrdiff_t>(oy * g.stride_h + ky * g.dilation_h) - g.pad_top;
    if (iy < 0 || iy >= in_h) {
      std::fill(dst, dst + row_len, pad);
      continue;
    }
    const T* row = input + (b * g.in_h + static_cast<std::size_t>(iy)) * g.in_w * c;
    if (g.dilation_w == 1) {
      // Taps [first, last) fall inside the input row: one contiguous run.
      const std::ptrdiff_t first = std::clamp<std::ptrdiff_t>(-x0, 0, kernel_w);
      const std::ptrdiff_t last = std::clamp<std::ptrdiff_t>(in_w - x0, first, kernel_w);
      const auto before = static_cast<std::size_t>(first) * c;
      const auto inside = static_cast<std::size_t>(last - first) * c;
      // Most rows have no padding on either side: no fill calls then.
      if (before > 0) std::fill(dst, dst + before, pad);
      if (inside > 0) copy(dst + before, row + static_cast<std::size_t>(x0 + first) * c, inside);
      if (before + inside < row_len) std::fill(dst + before + inside, dst + row_len, pad);
      continue;
    }
    for (std::size_t kx = 0; kx < g.kernel_w; ++kx) {
      const std::ptrdiff_t ix = x0 + static_cast<std::ptrdiff_t>(kx * g.dilation_w);
      if (ix < 0 || ix >= in_w) {
        std::fill(dst + kx * c, dst + (kx + 1) * c, pad);
      } else {
        copy(dst + kx * c, row + static_cast<std::size_t>(ix) * c, c);
      }
    }
  }
}

// Writes output pixel `pixel`'s kernel_h x kernel_w tap pointers to dst, in
// the weights' (kh, kw) order: each an input pixel's in_c values, or
// `padding` (in_c values the padding holds) for a tap outside the input.
template <typename T>
void indirect_pixel(const ConvGeometry& g, const T* input, std::size_t pixel, const T** dst, const T* padding) {
  const std::size_t per_image = g.out_h * g.out_w;
  const std::size_t b = pixel / per_image;
  const std::size_t oy = pixel % per_image / g.out_w;
  const std::size_t ox = pixel % g.out_w;
  for (std::size_t ky = 0; ky < g.kernel_h; ++ky) {
    const std::ptrdiff_t iy = static_cast<std::ptrdiff_t>(oy * g.stride_h + ky * g.dilation_h) - g.pad_top;
    for (std::size_t kx = 0; kx < g.kernel_w; ++kx) {
      const std::ptrdiff_t ix = static_cast<std::ptrdiff_t>(ox * g.stride_w + kx * g.dilation_w) - g.pad_left;
      const bool inside = iy >= 0 && ix >= 0 && iy < static_cast<std::ptrdiff_t>(g.in_h) &&
                          ix < static_cast<std::ptrdiff_t>(g.in_w);
      *dst++ = inside ? input + ((b * g.in_h + static_cast<std::size_t>(iy)) * g.in_w + static_cast<std::size_t>(ix)) *
                                    g.in_c
                      : padding;
    }
  }
}

// The work of a GEMM convolution split into tasks: chunks of output pixels
// (whole tiles, at most kTaskRowBytes of gathered rows, so they stay in cache
// while the weights stream past them once per chunk) times groups of channel
// blocks (when there are too few chunks to keep the threads busy, e.g. the
// 7x7 layers of a ResNet, whose weights are larger than their activations).
struct GemmTasks {
  std::size_t rows_per_chunk = 0;  // a multiple of the tile height
  std::size_t chunks = 0;
  std::size_t blocks = 0;            // channel blocks of the packed weights
  std::size_t blocks_per_group = 0;
  std::size_t groups = 0;
  std::size_t tasks() const { return chunks * groups; }
  // Task t: pixel chunk t / groups, channel blocks [first_block, end_block) of group t % groups.
  std::size_t chunk(std::size_t t) const { return t / groups; }
  std::size_t first_block(std::size_t t) const { return t % groups * blocks_per_group; }
  std::size_t end_block(std::size_t t) const { return std::min(blocks, first_block(t) + blocks_per_group); }
};
GemmTasks plan_gemm_tasks(std::size_t pixels, std::size_t tile_rows, std::size_t row_bytes, std::size_t blocks,
                          pthreadpool* pool);

// Runs body(task) for every task, on the pool's threads when it has several.
template <typename Body>
void run_pixel_tasks(pthreadpool* pool, std::size_t tasks, const Body& body) {
  if (pool == nullptr || pthreadpool_get_threads_count(pool) <= 1) {
    for (std::size_t t = 0; t < tasks; ++t) body(t);
    return;
  }
  pthreadpool_parallelize_1d(
      pool, [](void* context, std::size_t t) { (*static_cast<const Body*>(context))(t); },
      const_cast<Body*>(&body), tasks, 0);
}

}  // namespace octet::fast
