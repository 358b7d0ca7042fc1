#include "runtime/fast/avx512_gemm_f32.h"

#include <algorithm>

#include "runtime/fast/gemm_tiles.h"
#include "util/cpu_features.h"

#if defined(OCTET_X86_DISPATCH)
#include <immintrin.h>
#define OCTET_TARGET_AVX512 __attribute__((target("avx512f")))
#endif

namespace octet::fast::avx512 {

PackedGemm pack_gemm(std::span<const float> weights, std::size_t channels, std::size_t depth,
                     std::span<const float> bias, float min, float max) {
  PackedGemm g;
  g.depth = depth;
  g.channels = channels;
  g.min = min;
  g.max = max;
  const std::size_t blocks = block_count(channels);
  g.weights.assign(blocks * depth * kBlockChannels, 0.0F);
  g.bias.assign(blocks * kBlockChannels, 0.0F);
  for (std::size_t n = 0; n < channels; ++n) {
    float* dst = g.weights.data() + (n / kBlockChannels) * depth * kBlockChannels + n % kBlockChannels;
    for (std::size_t k = 0; k < depth; ++k) dst[k * kBlockChannels] = weights[n * depth + k];
    if (!bias.empty()) g.bias[n] = bias[n];
  }
  return g;
}

#if defined(OCTET_X86_DISPATCH)

bool cpu_supported() { return cpu_has_avx512f(); }

namespace {

constexpr __mmask16 kAllLanes = 0xFFFF;

// The lanes of vector v (16 channels from v * 16) among `valid` channels.
__mmask16 lane_mask(std::size_t v, std::size_t valid) {
  const std::size_t first = v * kLanes;
  const std::size_t lanes = first < valid ? std::min(kLanes, valid - first) : 0;
  return static_cast<__mmask16>((1U << lanes) - 1U);
}

// A plain store for a whole vector: a masked one (for the last channels) is
// slow on AMD's Zen cores (mobilenet_v2's 112x112x96 expansion: 0.59 ms with
// every store masked, 0.38 ms without).
OCTET_TARGET_AVX512 inline void store_lanes(float* out, __mmask16 mask, __m512 value) {
  if (mask == kAllLanes) {
    _mm512_storeu_ps(out, value);
  } else {
    _mm512_mask_storeu_ps(out, mask, value);
  }
}

// A plain load for a whole vector, as store_lanes; zeros in the lanes past the mask.
OCTET_TARGET_AVX512 inline __m512 load_lanes(const float* in, __mmask16 mask) {
  return mask == kAllLanes ? _mm512_loadu_ps(in) : _mm512_maskz_loadu_ps(mask, in);
}

// One tile: kTileRows rows x kVectors vectors of 16 channels of block `block`.
template <std::size_t kVectors>
OCTET_TARGET_AVX512 void tile(const PackedGemm& g, std::size_t block, const float* const* indirection,
                              std::size_t taps, std::size_t valid_rows, float* out, std::size_t out_stride,
                              const Residual& residual) {
  const std::size_t channel0 = block * kBlockChannels;
  const std::size_t tap_depth = g.depth / taps;
  const std::size_t valid_channels = std::min(kBlockChannels, g.channels - channel0);
  const float* w = g.block(block);
  float* tile_out = out + channel0;
  __m512 acc[kTileRows][kVectors];
#pragma GCC unroll 4
  for (std::size_t v = 0; v < kVectors; ++v) {
    const __m512 b = _mm512_loadu_ps(g.bias.data() + channel0 + v * kLanes);
#pragma GCC unroll 8
    for (std::size_t r = 0; r < kTileRows; ++r) acc[r][v] = b;
  }
  for (std::size_t t = 0; t < taps; ++t) {
    const float* row[kTileRows];
#pragma GCC unroll 8
    for (std::size_t r = 0; r < kTileRows; ++r) row[r] = indirection[r * taps + t];
    for (std::size_t k = 0; k < tap_depth; ++k, w += kBlockChannels) {
      __m512 wv[kVectors];
#pragma GCC unroll 4
      for (std::size_t v = 0; v < kVectors; ++v) wv[v] = _mm512_loadu_ps(w + v * kLanes);
#pragma GCC unroll 8
      for (std::size_t r = 0; r < kTileRows; ++r) {
        const __m512 a = _mm512_set1_ps(row[r][k]);
#pragma GCC unroll 4
        for (std::size_t v = 0; v < kVectors; ++v) acc[r][v] = _mm512_fmadd_ps(a, wv[v], acc[r][v]);
      }
    }
  }
  const __m512 lo = _mm512_set1_ps(g.min);
  const __m512 hi = _mm512_set1_ps(g.max);
  if (residual.data != nullptr) {
    const float* add = residual.data + channel0;
    float* unsummed = residual.unsummed != nullptr ? residual.unsummed + channel0 : nullptr;
#pragma GCC unroll 4
    for (std::size_t v = 0; v < kVectors; ++v) {
      const __mmask16 mask = lane_mask(v, valid_channels);
#pragma GCC unroll 8
      for (std::size_t r = 0; r < kTileRows; ++r) {
        if (r >= valid_rows) continue;
        const std::size_t at = r * out_stride + v * kLanes;
        if (unsummed != nullptr) store_lanes(unsummed + at, mask, acc[r][v]);
        const __m512 sum = _mm512_add_ps(acc[r][v], load_lanes(add + at, mask));
        store_lanes(tile_out + at, mask, _mm512_maskz_min_ps(kAllLanes, _mm512_maskz_max_ps(kAllLanes, sum, lo), hi));
      }
    }
    return;
  }
#pragma GCC unroll 4
  for (std::size_t v = 0; v < kVectors; ++v) {
    const __mmask16 mask = lane_mask(v, valid_channels);
#pragma GCC unroll 8
    for (std::size_t r = 0; r < kTileRows; ++r) {
      // maskz forms with every lane on: GCC 12's plain min/max trip -Wmaybe-uninitialized (bug 105593).
      const __m512 value = _mm512_maskz_min_ps(kAllLanes, _mm512_maskz_max_ps(kAllLanes, acc[r][v], lo), hi);
      if (r < valid_rows) store_lanes(tile_out + r * out_stride + v * kLanes, mask, value);
    }
  }
}

}  // namespace

void gemm(const PackedGemm& g, const float* const* indirection, std::size_t taps, std::size_t count,
          std::size_t first_block, std::size_t end_block, float* out, std::size_t out_stride,
          const Residual* residual) {
  const TileGrid grid{g.channels, count, first_block, end_block, kLanes, kMaxVectors, kTileRows};
  for_each_tile<kMaxVectors>(grid, [&](auto vectors, std::size_t block, std::size_t first, std::size_t rows) {
    // The residual's rows of this tile, at the output's offsets.
    Residual rows_residual;
    if (residual != nullptr) {
      rows_residual.data = residual->data + first * out_stride;
      if (residual->unsummed != nullptr) rows_residual.unsummed = residual->unsummed + first * out_stride;
    }
    tile<decltype(vectors)::value>(g, block, indirection + first * taps, taps, rows, out + first * out_stride,
                                   out_stride, rows_residual);
  });
}

#else

bool cpu_supported() { return false; }
void gemm(const PackedGemm&, const float* const*, std::size_t, std::size_t, std::size_t, std::size_t, float*,
          std::size_t, const Residual*) {}

#endif

}  // namespace octet::fast::avx512
