// float32 CONV_2D on the AVX-512F GEMM core (avx512_gemm_f32.h): one group,
// constant weights and bias, any kernel size, stride, dilation and padding (a
// folded PAD's included, fold_pad.h), fused NONE / RELU / RELU6 /
// RELU_N1_TO_1. Each output pixel's taps are read in place through an
// indirection (pointers to input pixels, or to a zero vector for padding
// taps, computed once when the kernel is made), without an im2col copy;
// inputs with few channels are first copied into a padded buffer so that a
// kernel row is one tap (merges_kernel_rows below). Output pixels and channel blocks are split
// into tasks over the thread pool. Registered before XNNPACK's convolution; declines
// (XNNPACK's kernel then runs) on CPUs without AVX-512F and under
// KernelSet::kFastBaseline.

#include <algorithm>
#include <vector>

#include "runtime/fast/avx512_gemm_f32.h"
#include "runtime/fast/fold_add.h"
#include "runtime/fast/im2col.h"
#include "runtime/fast/registry.h"
#include "runtime/fast/xnnpack_util.h"

namespace octet::fast {

namespace {

// With fewer input channels than a vector holds (a network's stem: 3), a tap
// is a handful of multiply-adds between the pointer loads and loop steps that
// start it. Then the input is copied into a zero-padded buffer each run, in
// which the kernel_w taps of a kernel row are contiguous (kernel_w x C floats,
// without dilation along W), so a row has kernel_h taps of kernel_w x C
// values: the weights' (kh, kw, c) order is unchanged. resnet50's 7x7x3 stem:
// 2.1 -> 1.4 ms at 1 thread.
bool merges_kernel_rows(const ConvGeometry& g) {
  return g.in_c < avx512::kLanes && g.kernel_w > 1 && g.dilation_w == 1 && g.pad_top >= 0 && g.pad_left >= 0;
}

// The zero-padded copy of the input that merged kernel rows read: every row
// and column any tap reads, from the top-left padding on.
class PaddedInput {
 public:
  PaddedInput() = default;
  explicit PaddedInput(const ConvGeometry& g)
      : source_(g),
        height_((g.out_h - 1) * g.stride_h + (g.kernel_h - 1) * g.dilation_h + 1),
        width_((g.out_w - 1) * g.stride_w + g.kernel_w),
        data_(g.batch * height_ * width_ * g.in_c, 0.0F) {}

  // The geometry of the convolution over this buffer, one tap per kernel row.
  ConvGeometry merged_geometry() const {
    ConvGeometry g = source_;
    g.in_h = height_;
    g.in_w = width_;
    g.pad_top = g.pad_left = 0;
    g.kernel_w = 1;
    return g;
  }
  const float* data() const { return data_.data(); }

  // Copies the input's rows and columns the taps read; the padding stays zero.
  void fill(const float* input) {
    const ConvGeometry& g = source_;
    const auto top = static_cast<std::size_t>(g.pad_top);
    const auto left = static_cast<std::size_t>(g.pad_left);
    const std::size_t rows = std::min(g.in_h, height_ > top ? height_ - top : 0);
    const std::size_t columns = std::min(g.in_w, width_ > left ? width_ - left : 0);
    for (std::size_t b = 0; b < g.batch; ++b) {
      for (std::size_t y = 0; y < rows; ++y) {
        std::copy_n(input + (b * g.in_h + y) * g.in_w * g.in_c, columns * g.in_c,
                    data_.data() + ((b * height_ + top + y) * width_ + left) * g.in_c);
      }
    }
  }

 private:
  ConvGeometry source_{};
  std::size_t height_ = 0, width_ = 0;
  std::vector<float> data_;
};

class Avx512ConvKernel final : public FastKernel {
 public:
  // With `residual`, output is the folded ADD's output (fold_add.h).
  Avx512ConvKernel(const ConvGeometry& geometry, const float* input, float* output, avx512::PackedGemm gemm,
                   avx512::Residual residual, pthreadpool* threadpool)
      : geo_(geometry), input_(input), output_(output), gemm_(std::move(gemm)), residual_(residual),
        threadpool_(threadpool),
        merged_(merges_kernel_rows(geometry)),
        zeros_(geometry.kernel_w * geometry.in_c, 0.0F),
        plan_(plan_gemm_tasks(geo_.pixels(), avx512::kTileRows, gemm_.depth * sizeof(float),
                              avx512::block_count(geometry.out_c), threadpool)) {
    // The tensors' memory never moves, so every row's tap pointers are fixed:
    // computed once here (whole tiles; rows past the last pixel are read,
    // never stored: any valid pointers).
    ConvGeometry taps_geo = geo_;
    const float* source = input_;
    if (merged_) {
      padded_ = PaddedInput(geo_);
      taps_geo = padded_.merged_geometry();
      source = padded_.data();
    }
    taps_ = taps_geo.kernel_h * taps_geo.kernel_w;
    const std::size_t pixels = geo_.pixels();
    const std::size_t tiled = (pixels + avx512::kTileRows - 1) / avx512::kTileRows * avx512::kTileRows;
    indirection_.assign(tiled * taps_, zeros_.data());
    for (std::size_t r = 0; r < pixels; ++r) {
      indirect_pixel<float>(taps_geo, source, r, indirection_.data() + r * taps_, zeros_.data());
    }
  }

  std::string_view name() const override { return "avx512"; }

  void run() override {
    if (merged_) padded_.fill(input_);
    run_pixel_tasks(threadpool_, plan_.tasks(), [this](std::size_t t) { task(t); });
  }

 private:
  void task(std::size_t index) {
    const std::size_t first = plan_.chunk(index) * plan_.rows_per_chunk;
    const std::size_t count = std::min(plan_.rows_per_chunk, geo_.pixels() - first);
    const std::size_t offset = first * geo_.out_c;
    avx512::Residual rows_residual;
    if (residual_.data != nullptr) {
      rows_residual.data = residual_.data + offset;
      if (residual_.unsummed != nullptr) rows_residual.unsummed = residual_.unsummed + offset;
    }
    avx512::gemm(gemm_, indirection_.data() + first * taps_, taps_, count, plan_.first_block(index),
                 plan_.end_block(index), output_ + offset, geo_.out_c,
                 residual_.data != nullptr ? &rows_residual : nullptr);
  }

  ConvGeometry geo_;
  const float* input_;
  float* output_;
  avx512::PackedGemm gemm_;
  avx512::Residual residual_;  // a folded ADD's residual (data nullptr: none)
  pthreadpool* threadpool_;
  bool merged_;
  PaddedInput padded_;        // merged kernel rows only
  std::vector<float> zeros_;  // what a padding tap reads (a whole kernel row's worth)
  std::size_t taps_ = 0;      // per row: kernel_h x kernel_w, or kernel_h merged
  std::vector<const float*> indirection_;
  GemmTasks plan_;
};

// Convolutions with at most this many output channels (one or two vectors
// per row) are left to XNNPACK, whose kernels run them faster than the 6-row
// tiles here (mobilenet_v2's 3x3x3 stem to 32 channels: 0.21 ms against 0.39;
// its 32 -> 16 1x1 projection: 0.10 against 0.20; mobilenet_v2 FP32 5.3 ->
// 5.0 ms at 1 thread).
constexpr std::size_t kXnnpackMaxChannels = 2 * avx512::kLanes;

// The kernel of CONV_2D `c`, computing a folded ADD too when `add` is set.
std::unique_ptr<FastKernel> make_avx512_conv(const FastContext& c, const ResidualAdd* add) {
  if (!c.cpu_specific || !avx512::cpu_supported()) return nullptr;
  const TensorView& in = c.inputs[kConvInput];
  const TensorView& filter = c.inputs[kConvFilter];
  const TensorView& out = c.outputs[0];
  if (in.dtype != DType::kFloat32 || filter.dtype != DType::kFloat32 || out.dtype != DType::kFloat32) return nullptr;
  if (!packable_one_group_conv(c, DType::kFloat32)) return nullptr;
  const Activation activation = add != nullptr ? add->activation : c.op.opts<Conv2DOptions>().activation;
  if (add != nullptr && c.op.opts<Conv2DOptions>().activation != Activation::kNone) return nullptr;
  const auto range = activation_range(activation);
  if (!range) return nullptr;  // fused TANH
  const ConvGeometry g = conv_geometry(c);
  if (g.out_c <= kXnnpackMaxChannels) return nullptr;
  avx512::Residual residual;
  float* destination = out.as<float>();
  if (add != nullptr) {
    const TensorView& r = *add->residual;
    const TensorView& sum = *add->sum;
    if (r.dtype != DType::kFloat32 || sum.dtype != DType::kFloat32 || r.shape != out.shape || sum.shape != out.shape) {
      return nullptr;
    }
    residual.data = r.as<const float>();
    if (add->write_conv_output) residual.unsummed = out.as<float>();
    destination = sum.as<float>();
  }
  const std::size_t depth = g.depth();
  std::span<const float> bias;
  if (conv_has_bias(c)) bias = {c.inputs[kConvBias].as<const float>(), g.out_c};
  avx512::PackedGemm gemm = avx512::pack_gemm({filter.as<const float>(), g.out_c * depth}, g.out_c, depth, bias,
                                              range->first, range->second);
  return std::make_unique<Avx512ConvKernel>(g, conv_data(c).as<const float>(), destination, std::move(gemm),
                                            residual, c.threadpool);
}

std::unique_ptr<FastKernel> make_avx512_conv_f32(const FastContext& c) { return make_avx512_conv(c, nullptr); }

}  // namespace

std::unique_ptr<FastKernel> make_conv_add(const FastContext& conv, const ResidualAdd& add) {
  if (conv.op.type != OpType::kConv2D) return nullptr;
  return make_avx512_conv(conv, &add);
}

void add_avx512_conv_f32_kernels(FastKernelTable& table) { table.add(OpType::kConv2D, make_avx512_conv_f32); }

}  // namespace octet::fast
