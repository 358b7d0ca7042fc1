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

#include "runtime/fast/im2col.h"
#include "runtime/fast/registry.h"
#include "runtime/fast/vnni_gemm_int8.h"

namespace octet::fast {

namespace {

class VnniConvKernel final : public FastKernel {
 public:
  VnniConvKernel(const ConvGeometry& geometry, const std::int8_t* input, std::int8_t* output, std::uint8_t pad_byte,
                 vnni::PackedGemm gemm, pthreadpool* threadpool)
      : geo_(geometry), input_(input), output_(output), pad_byte_(pad_byte), gemm_(std::move(gemm)),
        threadpool_(threadpool),
        contiguous_rows_(geometry.pointwise() && gemm_.padded_depth == gemm_.depth),
        plan_(plan_gemm_tasks(geo_.pixels(), vnni::kTileRows, gemm_.padded_depth,
                              vnni::block_count(geometry.out_c), threadpool)) {}

  std::string_view name() const override { return "vnni"; }

  void run() override {
    run_pixel_tasks(threadpool_, plan_.tasks(), [this](std::size_t t) { task(t); });
  }

 private:
  void task(std::size_t index) {
    thread_local std::vector<std::uint8_t> rows;
    const std::size_t first = plan_.chunk(index) * plan_.rows_per_chunk;
    const std::size_t count = std::min(plan_.rows_per_chunk, geo_.pixels() - first);
    const std::size_t depth = gemm_.padded_depth;
    rows.resize(plan_.rows_per_chunk * depth);
    const std::size_t tiled = (count + vnni::kTileRows - 1) / vnni::kTileRows * vnni::kTileRows;
    if (contiguous_rows_) {
      // A pointwise convolution whose depth needs no padding: the task's rows are one run of the input.
      vnni::flip_copy(rows.data(), input_ + first * depth, count * depth);
      std::memset(rows.data() + count * depth, 0, (tiled - count) * depth);
    } else {
      gather_rows(first, count, tiled, rows.data());
    }
    vnni::gemm(gemm_, rows.data(), count, plan_.first_block(index), plan_.end_block(index),
               output_ + first * geo_.out_c, geo_.out_c);
  }

  // Rows [0, tiled) of the task from output pixel `first`: `count` gathered, the rest zeros.
  void gather_rows(std::size_t first, std::size_t count, std::size_t tiled, std::uint8_t* rows) const {
    const std::size_t depth = gemm_.padded_depth;
    const auto flip = [](std::uint8_t* dst, const std::int8_t* src, std::size_t n) { vnni::flip_copy(dst, src, n); };
    for (std::size_t r = 0; r < tiled; ++r) {
      std::uint8_t* row = rows + r * depth;
      if (r < count) {
        // x ^ 0x80 for the input, zp_in ^ 0x80 for the padding taps, zeros up to the padded depth.
        gather_pixel<std::uint8_t>(geo_, reinterpret_cast<const std::uint8_t*>(input_), first + r, row, pad_byte_,
                                   [&](std::uint8_t* dst, const std::uint8_t* src, std::size_t n) {
                                     flip(dst, reinterpret_cast<const std::int8_t*>(src), n);
                                   });
        std::memset(row + gemm_.depth, 0, depth - gemm_.depth);
      } else {
        std::memset(row, 0, depth);  // read by the last tile, never stored
      }
    }
  }

  ConvGeometry geo_;
  const std::int8_t* input_;
  std::int8_t* output_;
  std::uint8_t pad_byte_;
  vnni::PackedGemm gemm_;
  pthreadpool* threadpool_;
  bool contiguous_rows_;
  GemmTasks plan_;
};

bool per_tensor_int8(const TensorView& v) {
  return v.dtype == DType::kInt8 && v.quant != nullptr && v.quant->scale.size() == 1;
}

std::unique_ptr<FastKernel> make_vnni_conv_int8(const FastContext& c) {
  if (!c.cpu_specific || !vnni::cpu_supported()) return nullptr;
  const TensorView& in = c.inputs[kConvInput];
  const TensorView& filter = c.inputs[kConvFilter];
  const TensorView& out = c.outputs[0];
  if (!per_tensor_int8(in) || !per_tensor_int8(out) || filter.dtype != DType::kInt8 || filter.quant == nullptr) {
    return nullptr;
  }
  if (!packable_one_group_conv(c, DType::kInt32)) return nullptr;
  const auto& o = c.op.opts<Conv2DOptions>();
  const std::size_t channels = static_cast<std::size_t>(out.shape[3]);
  const TensorView* bias_view = conv_has_bias(c) ? &c.inputs[kConvBias] : nullptr;
  const reference::ConvQuant quant = reference::conv_quant(c.op.type, in, filter, bias_view, out,
                                                           static_cast<std::int64_t>(channels), o.activation);
  const ConvGeometry g = conv_geometry(c);
  const std::size_t depth = g.depth();
  const auto input_zero_point = static_cast<std::int32_t>(in.quant->zero_point[0]);
  std::span<const std::int32_t> bias;
  if (conv_has_bias(c)) bias = {c.inputs[kConvBias].as<const std::int32_t>(), channels};
  vnni::PackedGemm gemm = vnni::pack_gemm({filter.as<const std::int8_t>(), channels * depth}, channels, depth, bias,
                                          input_zero_point, quant);
  const auto pad_byte = static_cast<std::uint8_t>(static_cast<std::uint8_t>(input_zero_point) ^ vnni::kSignFlip);
  return std::make_unique<VnniConvKernel>(g, conv_data(c).as<const std::int8_t>(), out.as<std::int8_t>(), pad_byte,
                                          std::move(gemm), c.threadpool);
}

}  // namespace

void add_vnni_conv_int8_kernels(FastKernelTable& table) { table.add(OpType::kConv2D, make_vnni_conv_int8); }

}  // namespace octet::fast
