#include "runtime/fast/vnni_gemm_int8.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "runtime/fast/gemm_tiles.h"
#include "util/cpu_features.h"

#if defined(OCTET_X86_DISPATCH)
#include <immintrin.h>
#define OCTET_TARGET_VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
#endif

namespace octet::fast::vnni {

namespace {

constexpr std::size_t kGroupBytes = kMaxVectors * kLanes * kDepthGroup;  // one depth group of a block
constexpr std::int32_t kUnsignedOffset = 128;                           // u = x + 128

}  // namespace

PackedGemm pack_gemm(std::span<const std::int8_t> weights, std::size_t channels, std::size_t depth,
                     std::span<const std::int32_t> bias, std::int32_t input_zero_point, reference::ConvQuant quant) {
  PackedGemm g;
  g.depth = depth;
  g.padded_depth = padded_depth(depth);
  g.channels = channels;
  const std::size_t blocks = block_count(channels);
  g.weights.assign(blocks * g.padded_depth * kBlockChannels, 0);
  g.bias.assign(blocks * kBlockChannels, 0);
  g.scales.assign(blocks * kBlockChannels, 0.0F);
  for (std::size_t n = 0; n < channels; ++n) {
    const std::size_t block = n / kBlockChannels;
    const std::size_t lane = n % kBlockChannels;  // vector (lane / 16) and lane within it, contiguous
    std::int8_t* dst = g.weights.data() + block * g.padded_depth * kBlockChannels;
    std::int64_t sum = 0;
    for (std::size_t k = 0; k < depth; ++k) {
      const std::int8_t w = weights[n * depth + k];
      sum += w;
      dst[(k / kDepthGroup) * kGroupBytes + lane * kDepthGroup + k % kDepthGroup] = w;
    }
    const std::int64_t b = bias.empty() ? 0 : bias[n];
    // Modular int32 arithmetic, as the reference's accumulator.
    g.bias[n] = static_cast<std::int32_t>(b - (kUnsignedOffset + std::int64_t{input_zero_point}) * sum);
    g.scales[n] = quant.scales[n];
  }
  g.quant = std::move(quant);
  return g;
}

#if defined(OCTET_X86_DISPATCH)

bool cpu_supported() {
  static const bool supported = __builtin_cpu_supports("avx512f") != 0 && __builtin_cpu_supports("avx512bw") != 0 &&
                                __builtin_cpu_supports("avx512vl") != 0 &&
                                __builtin_cpu_supports("avx512vnni") != 0;
  return supported;
}

namespace {

constexpr __mmask16 kAllLanes = 0xFFFF;

// 16 channels' bytes: a plain store when all are valid (masked stores are
// slow on AMD's Zen cores, see avx512_gemm_f32.cpp).
OCTET_TARGET_VNNI inline void store_bytes(std::int8_t* out, __mmask16 mask, __m128i bytes) {
  if (mask == kAllLanes) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), bytes);
  } else {
    _mm_mask_storeu_epi8(out, mask, bytes);
  }
}

// One tile: kTileRows rows x kVectors vectors of 16 channels of block `block`.
template <std::size_t kVectors>
OCTET_TARGET_VNNI void tile(const PackedGemm& g, std::size_t block, const std::uint8_t* rows, std::size_t valid_rows,
                            std::int8_t* out, std::size_t out_stride) {
  const std::size_t depth = g.padded_depth;
  const std::size_t channel0 = block * kBlockChannels;
  const std::int8_t* w = g.block(block);
  __m512i acc[kTileRows][kVectors];
#pragma GCC unroll 4
  for (std::size_t v = 0; v < kVectors; ++v) {
    const __m512i b = _mm512_loadu_si512(g.bias.data() + channel0 + v * kLanes);
#pragma GCC unroll 8
    for (std::size_t r = 0; r < kTileRows; ++r) acc[r][v] = b;
  }
  for (std::size_t k = 0; k < depth; k += kDepthGroup, w += kGroupBytes) {
    __m512i wv[kVectors];
#pragma GCC unroll 4
    for (std::size_t v = 0; v < kVectors; ++v) wv[v] = _mm512_loadu_si512(w + v * kLanes * kDepthGroup);
#pragma GCC unroll 8
    for (std::size_t r = 0; r < kTileRows; ++r) {
      std::int32_t four;
      std::memcpy(&four, rows + r * depth + k, sizeof four);
      const __m512i a = _mm512_set1_epi32(four);
#pragma GCC unroll 4
      for (std::size_t v = 0; v < kVectors; ++v) acc[r][v] = _mm512_dpbusd_epi32(acc[r][v], a, wv[v]);
    }
  }
  const std::size_t valid_channels = std::min(kBlockChannels, g.channels - channel0);
  const reference::ConvQuant& q = g.quant;
  if (q.rule == reference::Requantization::kFp32) {
    // quant::fp32_requantize, 16 lanes, from the registers (every index constant after unrolling):
    // round_half_even(clamp(float(acc) * s)) + zp. The maskz forms with every lane on: GCC 12's
    // plain forms trip -Wmaybe-uninitialized (bug 105593).
    const __m512 lo = _mm512_set1_ps(static_cast<float>(q.range.min - q.output_zero_point));
    const __m512 hi = _mm512_set1_ps(static_cast<float>(q.range.max - q.output_zero_point));
    const __m512i zero_point = _mm512_set1_epi32(q.output_zero_point);
#pragma GCC unroll 4
    for (std::size_t v = 0; v < kVectors; ++v) {
      const std::size_t first = v * kLanes;
      const std::size_t lanes = first < valid_channels ? std::min(kLanes, valid_channels - first) : 0;
      const auto mask = static_cast<__mmask16>((1U << lanes) - 1U);
      const __m512 scale = _mm512_loadu_ps(g.scales.data() + channel0 + first);
#pragma GCC unroll 8
      for (std::size_t r = 0; r < kTileRows; ++r) {
        const __m512 scaled = _mm512_mul_ps(_mm512_maskz_cvtepi32_ps(kAllLanes, acc[r][v]), scale);
        const __m512 clamped = _mm512_maskz_min_ps(kAllLanes, _mm512_maskz_max_ps(kAllLanes, scaled, lo), hi);
        const __m512i q8 = _mm512_add_epi32(_mm512_maskz_cvtps_epi32(kAllLanes, clamped), zero_point);
        if (r < valid_rows) store_bytes(out + r * out_stride + channel0 + first, mask, _mm512_maskz_cvtsepi32_epi8(kAllLanes, q8));
      }
    }
    return;
  }
  // The builtin rules, one value at a time through the reference's own ConvQuant::requantize.
  alignas(64) std::int32_t sums[kTileRows][kVectors][kLanes];
#pragma GCC unroll 8
  for (std::size_t r = 0; r < kTileRows; ++r) {
#pragma GCC unroll 4
    for (std::size_t v = 0; v < kVectors; ++v) _mm512_store_si512(sums[r][v], acc[r][v]);
  }
  for (std::size_t r = 0; r < valid_rows; ++r) {
    std::int8_t* row = out + r * out_stride + channel0;
    for (std::size_t n = 0; n < valid_channels; ++n) row[n] = q.requantize(sums[r][n / kLanes][n % kLanes], channel0 + n);
  }
}

}  // namespace

void gemm(const PackedGemm& g, const std::uint8_t* packed_rows, std::size_t rows, std::size_t first_block,
          std::size_t end_block, std::int8_t* out, std::size_t out_stride) {
  const TileGrid grid{g.channels, rows, first_block, end_block, kLanes, kMaxVectors, kTileRows};
  for_each_tile<kMaxVectors>(grid, [&](auto vectors, std::size_t block, std::size_t first, std::size_t count) {
    tile<decltype(vectors)::value>(g, block, packed_rows + first * g.padded_depth, count, out + first * out_stride,
                                   out_stride);
  });
}

OCTET_TARGET_VNNI void flip_copy(std::uint8_t* dst, const std::int8_t* src, std::size_t count) {
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(kSignFlip));
  constexpr std::size_t kBytes = 64;
  std::size_t i = 0;
  for (; i + kBytes <= count; i += kBytes) {
    _mm512_storeu_si512(dst + i, _mm512_xor_si512(_mm512_loadu_si512(src + i), flip));
  }
  if (i < count) {
    const __mmask64 mask = (__mmask64{1} << (count - i)) - 1;
    _mm512_mask_storeu_epi8(dst + i, mask, _mm512_xor_si512(_mm512_maskz_loadu_epi8(mask, src + i), flip));
  }
}

#else

bool cpu_supported() { return false; }
void gemm(const PackedGemm&, const std::uint8_t*, std::size_t, std::size_t, std::size_t, std::int8_t*, std::size_t) {}
void flip_copy(std::uint8_t* dst, const std::int8_t* src, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) dst[i] = static_cast<std::uint8_t>(src[i]) ^ kSignFlip;
}

#endif

}  // namespace octet::fast::vnni
