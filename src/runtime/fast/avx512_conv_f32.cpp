// float32 CONV_2D on the AVX-512F GEMM core (avx512_gemm_f32.h): one group,
// constant weights and bias, any kernel size, stride, dilation and padding (a
// folded PAD's included, fold_pad.h), fused NONE / RELU / RELU6 /
// RELU_N1_TO_1. Each output pixel's taps are read in place through an
// indirection (pointers to input pixels, or to a zero vector for padding
// taps), without an im2col copy. Output pixels and channel blocks are split
// into tasks over the thread pool. Registered before XNNPACK's convolution; declines
// (XNNPACK's kernel then runs) on CPUs without AVX-512F and under
// KernelSet::kFastBaseline.

#include <algorithm>
#include <vector>

#include "runtime/fast/avx512_gemm_f32.h"
#include "runtime/fast/im2col.h"
#include "runtime/fast/registry.h"
#include "runtime/fast/xnnpack_util.h"

namespace octet::fast {

namespace {

class Avx512ConvKernel final : public FastKernel {
 public:
  Avx512ConvKernel(const ConvGeometry& geometry, const float* input, float* output, avx512::PackedGemm gemm,
                   pthreadpool* threadpool)
      : geo_(geometry), input_(input), output_(output), gemm_(std::move(gemm)), threadpool_(threadpool),
        zeros_(geometry.in_c, 0.0F),
        plan_(plan_gemm_tasks(geo_.pixels(), avx512::kTileRows, gemm_.depth * sizeof(float),
                              avx512::block_count(geometry.out_c), threadpool)) {}

  std::string_view name() const override { return "avx512"; }

  void run() override {
    run_pixel_tasks(threadpool_, plan_.tasks(), [this](std::size_t t) { task(t); });
  }

 private:
  void task(std::size_t index) {
    thread_local std::vector<const float*> indirection;
    const std::size_t first = plan_.chunk(index) * plan_.rows_per_chunk;
    const std::size_t count = std::min(plan_.rows_per_chunk, geo_.pixels() - first);
    const std::size_t taps = geo_.kernel_h * geo_.kernel_w;
    const std::size_t tiled = (count + avx512::kTileRows - 1) / avx512::kTileRows * avx512::kTileRows;
    indirection.resize(tiled * taps);
    for (std::size_t r = 0; r < count; ++r) {
      indirect_pixel<float>(geo_, input_, first + r, indirection.data() + r * taps, zeros_.data());
    }
    // Rows past `count` in the last tile are read, never stored: any valid pointers.
    std::fill(indirection.begin() + static_cast<std::ptrdiff_t>(count * taps), indirection.end(), zeros_.data());
    avx512::gemm(gemm_, indirection.data(), taps, count, plan_.first_block(index), plan_.end_block(index),
                 output_ + first * geo_.out_c, geo_.out_c);
  }

  ConvGeometry geo_;
  const float* input_;
  float* output_;
  avx512::PackedGemm gemm_;
  pthreadpool* threadpool_;
  std::vector<float> zeros_;  // what a padding tap reads
  GemmTasks plan_;
};

// Convolutions with at most this many output channels (one or two vectors
// per row) are left to XNNPACK, whose kernels run them faster than the 6-row
// tiles here (mobilenet_v2's 3x3x3 stem to 32 channels: 0.21 ms against 0.39;
// its 32 -> 16 1x1 projection: 0.10 against 0.20; mobilenet_v2 FP32 5.3 ->
// 5.0 ms at 1 thread).
constexpr std::size_t kXnnpackMaxChannels = 2 * avx512::kLanes;

std::unique_ptr<FastKernel> make_avx512_conv_f32(const FastContext& c) {
  if (!c.cpu_specific || !avx512::cpu_supported()) return nullptr;
  const TensorView& in = c.inputs[kConvInput];
  const TensorView& filter = c.inputs[kConvFilter];
  const TensorView& out = c.outputs[0];
  if (in.dtype != DType::kFloat32 || filter.dtype != DType::kFloat32 || out.dtype != DType::kFloat32) return nullptr;
  if (!packable_one_group_conv(c, DType::kFloat32)) return nullptr;
  const auto range = activation_range(c.op.opts<Conv2DOptions>().activation);
  if (!range) return nullptr;  // fused TANH
  const ConvGeometry g = conv_geometry(c);
  if (g.out_c <= kXnnpackMaxChannels) return nullptr;
  const std::size_t depth = g.depth();
  std::span<const float> bias;
  if (conv_has_bias(c)) bias = {c.inputs[kConvBias].as<const float>(), g.out_c};
  avx512::PackedGemm gemm = avx512::pack_gemm({filter.as<const float>(), g.out_c * depth}, g.out_c, depth, bias,
                                              range->first, range->second);
  return std::make_unique<Avx512ConvKernel>(g, conv_data(c).as<const float>(), out.as<float>(), std::move(gemm),
                                            c.threadpool);
}

}  // namespace

void add_avx512_conv_f32_kernels(FastKernelTable& table) { table.add(OpType::kConv2D, make_avx512_conv_f32); }

}  // namespace octet::fast
