#pragma once
// An exact int8 GEMM core on AVX512-VNNI (vpdpbusd: u8 x s8 products, four
// per int32 lane, summed without saturation), for the int8 convolution of
// vnni_conv_int8.cpp. It computes, for rows r (output pixels) and output
// channels n,
//   acc[r][n] = bias[n] + sum_k (x[r][k] - zp_in) w[n][k]
// exactly as the reference kernel's int32 sum, then requantizes with the
// reference's own rule (reference::ConvQuant): the fp32 rule vectorised
// (float(acc) * s[n], clamp, round half to even, + zp), the single- and
// double-rounding rules by ConvQuant::requantize per value.
//
// vpdpbusd multiplies unsigned by signed bytes, so the rows hold u = x + 128
// (x ^ 0x80): sum_k u w = sum_k x w + 128 sum_k w, and
//   acc = sum_k u w + (bias - (128 + zp_in) sum_k w)
// with the bracket folded into a per-channel bias when the weights are packed.
// A padding tap holds u = zp_in + 128, contributing exactly 0 as in the
// reference; k beyond K (K rounded up to 4) has weight 0.
//
// Weights are packed once into blocks of kBlockChannels channels: for each
// group of 4 k, the block's vectors of 16 channels x 4 bytes (64 bytes each),
// the layout vpdpbusd reads.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "runtime/reference/int8_common.h"

namespace octet::fast::vnni {

inline constexpr std::size_t kLanes = 16;        // int32 lanes (output channels) per zmm register
inline constexpr std::size_t kDepthGroup = 4;    // bytes each lane sums per vpdpbusd
inline constexpr std::size_t kMaxVectors = 4;    // zmm accumulators per row: a block of 64 channels
inline constexpr std::size_t kBlockChannels = kLanes * kMaxVectors;
inline constexpr std::size_t kTileRows = 6;      // rows (output pixels) per micro-kernel call
inline constexpr std::uint8_t kSignFlip = 0x80;  // x ^ 0x80 = x + 128 as an unsigned byte

// True when this CPU runs the kernels (AVX512-F, -BW and -VNNI).
bool cpu_supported();

// K rounded up to whole depth groups: the row stride of the packed rows.
constexpr std::size_t padded_depth(std::size_t depth) { return (depth + kDepthGroup - 1) / kDepthGroup * kDepthGroup; }

struct PackedGemm {
  std::size_t depth = 0;         // K
  std::size_t padded_depth = 0;  // K rounded up to kDepthGroup
  std::size_t channels = 0;      // N
  std::vector<std::int8_t> weights;  // blocks of kBlockChannels channels (the last one zero-filled)
  std::vector<std::int32_t> bias;  // bias - (128 + zp_in) sum_k w, padded to whole blocks
  std::vector<float> scales;       // fp32 rule scales, padded to whole blocks
  reference::ConvQuant quant;

  const std::int8_t* block(std::size_t b) const {
    return weights.data() + b * padded_depth * kBlockChannels;
  }
};

// Packs `weights` ([N][K] row-major int8) with `bias` (N values, or empty)
// for input zero point `input_zero_point` and requantization `quant`.
PackedGemm pack_gemm(std::span<const std::int8_t> weights, std::size_t channels, std::size_t depth,
                     std::span<const std::int32_t> bias, std::int32_t input_zero_point, reference::ConvQuant quant);

// Channel blocks of N channels.
inline std::size_t block_count(std::size_t channels) { return (channels + kBlockChannels - 1) / kBlockChannels; }

// Computes `rows` output rows for the channels of blocks [first_block,
// end_block) from packed rows of padded_depth unsigned bytes each (whole
// tiles of kTileRows rows: rows past `rows` in the last tile are read, never
// stored), block by block so each block's weights serve every tile; row r's
// channel n goes to out[r * out_stride + n].
void gemm(const PackedGemm& g, const std::uint8_t* packed_rows, std::size_t rows, std::size_t first_block,
          std::size_t end_block, std::int8_t* out, std::size_t out_stride);

// dst[i] = src[i] ^ 0x80 (= src[i] + 128 as an unsigned byte), i < count.
void flip_copy(std::uint8_t* dst, const std::int8_t* src, std::size_t count);

}  // namespace octet::fast::vnni
