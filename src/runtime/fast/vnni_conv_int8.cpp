// int8 CONV_2D on the AVX512-VNNI GEMM core (vnni_gemm_int8.h): every
// configuration with constant weights and one group, whatever the kernel
// size, stride, dilation, padding (a folded PAD's included, fold_pad.h) and
// requantization rule, with the reference's exact arithmetic. Output pixels
// are split into tasks over the thread pool; each task gathers its pixels'
// receptive fields into unsigned rows (im2col of x ^ 0x80, padding taps
// holding zp_in ^ 0x80) in a per-thread buffer, then runs the GEMM on them.
// Registered before XNNPACK's int8 convolution; declines (XNNPACK's or the
// reference kernel then runs) on CPUs without AVX512-VNNI, for grouped
// convolutions and for non-constant weights.

#include <pthreadpool.h>

#include <algorithm>
#include <cstring>

#include "runtime/fast/fold_pad.h"
#include "runtime/fast/registry.h"
#include "runtime/fast/vnni_gemm_int8.h"
#include "runtime/fast/window.h"

namespace octet::fast {

namespace {

constexpr std::size_t kIn = 0;
constexpr std::size_t kFilter = 1;
constexpr std::size_t kBias = 2;
// Packed rows per task at most this many bytes (they stay in L2 while every
// channel block runs over them); at least one tile.
constexpr std::size_t kTaskRowBytes = 48 * 1024;
// Tasks per thread, for load balance.
constexpr std::size_t kTasksPerThread = 4;

struct Geometry {
  std::size_t batch = 0, in_h = 0, in_w = 0, in_c = 0;
  std::size_t out_h = 0, out_w = 0, out_c = 0;
  std::size_t kernel_h = 0, kernel_w = 0, stride_h = 0, stride_w = 0, dilation_h = 0, dilation_w = 0;
  std::ptrdiff_t pad_top = 0, pad_left = 0;
};

class VnniConvKernel final : public FastKernel {
 public:
  VnniConvKernel(const Geometry& geometry, const std::int8_t* input, std::int8_t* output, std::uint8_t pad_byte,
                 vnni::PackedGemm gemm, pthreadpool* threadpool)
      : geo_(geometry), input_(input), output_(output), pad_byte_(pad_byte), gemm_(std::move(gemm)),
        threadpool_(threadpool) {
    pixels_ = geo_.batch * geo_.out_h * geo_.out_w;
    const std::size_t tiles = (pixels_ + vnni::kTileRows - 1) / vnni::kTileRows;
    const std::size_t tile_bytes = vnni::kTileRows * gemm_.padded_depth;
    std::size_t per_task = std::max<std::size_t>(1, kTaskRowBytes / tile_bytes);
    const std::size_t threads = threadpool_ == nullptr ? 1 : pthreadpool_get_threads_count(threadpool_);
    if (threads > 1) per_task = std::min(per_task, std::max<std::size_t>(1, tiles / (threads * kTasksPerThread)));
    task_rows_ = per_task * vnni::kTileRows;
    tasks_ = (pixels_ + task_rows_ - 1) / task_rows_;
  }

  std::string_view name() const override { return "vnni"; }

  void run() override {
    if (threadpool_ == nullptr || pthreadpool_get_threads_count(threadpool_) <= 1) {
      for (std::size_t t = 0; t < tasks_; ++t) task(t);
      return;
    }
    pthreadpool_parallelize_1d(
        threadpool_, [](void* self, std::size_t t) { static_cast<VnniConvKernel*>(self)->task(t); }, this, tasks_, 0);
  }

 private:
  void task(std::size_t index) {
    thread_local std::vector<std::uint8_t> rows;
    const std::size_t first = index * task_rows_;
    const std::size_t count = std::min(task_rows_, pixels_ - first);
    const std::size_t depth = gemm_.padded_depth;
    rows.resize(task_rows_ * depth);
    const std::size_t tiled = (count + vnni::kTileRows - 1) / vnni::kTileRows * vnni::kTileRows;
    for (std::size_t r = 0; r < tiled; ++r) {
      if (r < count) {
        gather(first + r, rows.data() + r * depth);
      } else {
        std::memset(rows.data() + r * depth, 0, depth);  // read by the last tile, never stored
      }
    }
    vnni::gemm(gemm_, rows.data(), count, output_ + first * geo_.out_c, geo_.out_c);
  }

  // The receptive field of output pixel `pixel` as unsigned bytes, in the
  // weights' (kh, kw, c) order, then zeros up to the padded depth. Without
  // dilation along W, the in-bounds taps of a kernel row are one contiguous
  // run of the input row: one copy each.
  void gather(std::size_t pixel, std::uint8_t* dst) const {
    const std::size_t per_image = geo_.out_h * geo_.out_w;
    const std::size_t b = pixel / per_image;
    const std::size_t oy = pixel % per_image / geo_.out_w;
    const std::size_t ox = pixel % geo_.out_w;
    const std::size_t c = geo_.in_c;
    const auto in_h = static_cast<std::ptrdiff_t>(geo_.in_h);
    const auto in_w = static_cast<std::ptrdiff_t>(geo_.in_w);
    const std::ptrdiff_t x0 = static_cast<std::ptrdiff_t>(ox * geo_.stride_w) - geo_.pad_left;
    const auto kernel_w = static_cast<std::ptrdiff_t>(geo_.kernel_w);
    const std::size_t row_bytes = geo_.kernel_w * c;
    for (std::size_t ky = 0; ky < geo_.kernel_h; ++ky, dst += row_bytes) {
      const std::ptrdiff_t iy = static_cast<std::ptrdiff_t>(oy * geo_.stride_h + ky * geo_.dilation_h) - geo_.pad_top;
      if (iy < 0 || iy >= in_h) {
        std::memset(dst, pad_byte_, row_bytes);
        continue;
      }
      const std::int8_t* row = input_ + (b * geo_.in_h + static_cast<std::size_t>(iy)) * geo_.in_w * c;
      if (geo_.dilation_w == 1) {
        // Taps [first, last) fall inside the input row.
        const std::ptrdiff_t first = std::clamp<std::ptrdiff_t>(-x0, 0, kernel_w);
        const std::ptrdiff_t last = std::clamp<std::ptrdiff_t>(in_w - x0, first, kernel_w);
        const auto before = static_cast<std::size_t>(first) * c;
        const auto inside = static_cast<std::size_t>(last - first) * c;
        std::memset(dst, pad_byte_, before);
        if (inside > 0) vnni::flip_copy(dst + before, row + static_cast<std::size_t>(x0 + first) * c, inside);
        std::memset(dst + before + inside, pad_byte_, row_bytes - before - inside);
        continue;
      }
      for (std::size_t kx = 0; kx < geo_.kernel_w; ++kx) {
        const std::ptrdiff_t ix = x0 + static_cast<std::ptrdiff_t>(kx * geo_.dilation_w);
        if (ix < 0 || ix >= in_w) {
          std::memset(dst + kx * c, pad_byte_, c);
        } else {
          vnni::flip_copy(dst + kx * c, row + static_cast<std::size_t>(ix) * c, c);
        }
      }
    }
    std::memset(dst, 0, gemm_.padded_depth - gemm_.depth);
  }

  Geometry geo_;
  const std::int8_t* input_;
  std::int8_t* output_;
  std::uint8_t pad_byte_;
  vnni::PackedGemm gemm_;
  pthreadpool* threadpool_;
  std::size_t pixels_ = 0, task_rows_ = 0, tasks_ = 0;
};

bool has_bias(const FastContext& c) { return c.op.inputs.size() > kBias && c.op.inputs[kBias] != kNoTensor; }

bool per_tensor_int8(const TensorView& v) {
  return v.dtype == DType::kInt8 && v.quant != nullptr && v.quant->scale.size() == 1;
}

std::unique_ptr<FastKernel> make_vnni_conv_int8(const FastContext& c) {
  if (!c.cpu_specific || !vnni::cpu_supported()) return nullptr;
  const TensorView& in = c.inputs[kIn];
  const TensorView& filter = c.inputs[kFilter];
  const TensorView& out = c.outputs[0];
  if (!per_tensor_int8(in) || !per_tensor_int8(out) || filter.dtype != DType::kInt8 || filter.quant == nullptr) {
    return nullptr;
  }
  if (!c.graph.tensor(c.op.inputs[kFilter]).is_constant()) return nullptr;
  if (has_bias(c) && (!c.graph.tensor(c.op.inputs[kBias]).is_constant() || c.inputs[kBias].dtype != DType::kInt32)) {
    return nullptr;
  }
  if (in.shape[3] != filter.shape[3] || out.count() == 0) return nullptr;  // grouped, or nothing to compute
  const auto& o = c.op.opts<Conv2DOptions>();
  const std::size_t channels = static_cast<std::size_t>(out.shape[3]);
  const reference::ConvQuant quant = reference::conv_quant(c.op.type, in, filter, has_bias(c) ? &c.inputs[kBias] : nullptr,
                                                           out, static_cast<std::int64_t>(channels), o.activation);
  const Window own = window_padding(in.shape, out.shape, filter.shape[1], filter.shape[2], o.stride_h, o.stride_w,
                                    o.dilation_h, o.dilation_w);
  const ConvSource source = conv_source(c, own);
  Geometry g;
  g.batch = static_cast<std::size_t>(source.view.shape[0]);
  g.in_h = static_cast<std::size_t>(source.view.shape[1]);
  g.in_w = static_cast<std::size_t>(source.view.shape[2]);
  g.in_c = static_cast<std::size_t>(source.view.shape[3]);
  g.out_h = static_cast<std::size_t>(out.shape[1]);
  g.out_w = static_cast<std::size_t>(out.shape[2]);
  g.out_c = channels;
  g.kernel_h = static_cast<std::size_t>(filter.shape[1]);
  g.kernel_w = static_cast<std::size_t>(filter.shape[2]);
  g.stride_h = static_cast<std::size_t>(o.stride_h);
  g.stride_w = static_cast<std::size_t>(o.stride_w);
  g.dilation_h = static_cast<std::size_t>(o.dilation_h);
  g.dilation_w = static_cast<std::size_t>(o.dilation_w);
  g.pad_top = source.pad.top;
  g.pad_left = source.pad.left;
  const std::size_t depth = g.kernel_h * g.kernel_w * g.in_c;
  const auto input_zero_point = static_cast<std::int32_t>(in.quant->zero_point[0]);
  std::span<const std::int32_t> bias;
  if (has_bias(c)) bias = {c.inputs[kBias].as<const std::int32_t>(), channels};
  vnni::PackedGemm gemm = vnni::pack_gemm({filter.as<const std::int8_t>(), channels * depth}, channels, depth, bias,
                                          input_zero_point, quant);
  const auto pad_byte = static_cast<std::uint8_t>(static_cast<std::uint8_t>(input_zero_point) ^ vnni::kSignFlip);
  return std::make_unique<VnniConvKernel>(g, source.view.as<const std::int8_t>(), out.as<std::int8_t>(), pad_byte,
                                          std::move(gemm), c.threadpool);
}

}  // namespace

void add_vnni_conv_int8_kernels(FastKernelTable& table) { table.add(OpType::kConv2D, make_vnni_conv_int8); }

}  // namespace octet::fast
