#pragma once
// A float32 GEMM core on AVX-512F for octet's CONV_2D (avx512_conv_f32.cpp):
// out[r][n] = clamp(bias[n] + sum_k row_r[k] w[n][k], min, max), where row r
// is read through an indirection: K = taps x C, and tap t of row r is C
// floats at indirection[r * taps + t] (an input pixel in place, or a shared
// zero vector for a padding tap), so no im2col copy is made. Weights are packed once into blocks of 64 output
// channels, each depth step one 256-byte line of four 16-float vectors; the
// micro-kernel keeps 6 rows x 64 channels in 24 zmm accumulators and
// broadcasts one row value per fused multiply-add column. The sums run in a
// different order from the reference kernel's, so results agree to rounding
// (as XNNPACK's do), not bit for bit.

#include <cstddef>
#include <span>
#include <vector>

namespace octet::fast::avx512 {

inline constexpr std::size_t kLanes = 16;      // floats per zmm register
inline constexpr std::size_t kMaxVectors = 4;  // zmm accumulators per row: a block of 64 channels
inline constexpr std::size_t kBlockChannels = kLanes * kMaxVectors;
inline constexpr std::size_t kTileRows = 6;    // rows (output pixels) per micro-kernel call

// True when this CPU runs the kernels (AVX-512F).
bool cpu_supported();

struct PackedGemm {
  std::size_t depth = 0;     // K
  std::size_t channels = 0;  // N
  std::vector<float> weights;  // blocks of kBlockChannels channels x K (the last block zero-filled)
  std::vector<float> bias;     // padded to whole blocks
  float min = 0.0F, max = 0.0F;  // the fused activation's clamp

  const float* block(std::size_t b) const { return weights.data() + b * depth * kBlockChannels; }
};

// Packs `weights` ([N][K] row-major) and `bias` (N values, or empty).
PackedGemm pack_gemm(std::span<const float> weights, std::size_t channels, std::size_t depth,
                     std::span<const float> bias, float min, float max);

// Channel blocks of N channels.
inline std::size_t block_count(std::size_t channels) { return (channels + kBlockChannels - 1) / kBlockChannels; }

// A sum added to every output before the clamp (a residual ADD folded into
// the convolution, fold_add.h), laid out as the output: out = clamp((bias +
// sum_k ...) + residual), the two additions rounded in that order, as the
// convolution and then the ADD round them. `unsummed`, if set, also receives
// the value before the residual (the convolution's own output).
struct Residual {
  const float* data = nullptr;
  float* unsummed = nullptr;
};

// Computes `count` output rows for the channels of blocks [first_block,
// end_block); indirection[r * taps + t] points at tap t of row r (C = K /
// taps floats; the array holds whole tiles of kTileRows rows: rows past
// `count` are read, never stored). Row r's channel n goes to
// out[r * out_stride + n]; with `residual`, row r's channel n of it is at the
// same offset from residual->data (and residual->unsummed).
void gemm(const PackedGemm& g, const float* const* indirection, std::size_t taps, std::size_t count,
          std::size_t first_block, std::size_t end_block, float* out, std::size_t out_stride,
          const Residual* residual = nullptr);

}  // namespace octet::fast::avx512
