#include "runtime/fast/byte_lookup.h"

#include <immintrin.h>

namespace octet::fast {

namespace {

constexpr std::size_t kZmmBytes = 64;  // bytes per AVX-512 register

#define OCTET_TARGET_VBMI __attribute__((target("avx512f,avx512bw,avx512vbmi,bmi2")))

// The table as four 64-byte quarters: vpermi2b selects among 128 bytes (two
// registers) by an index's low 7 bits; its top bit picks the half.
struct Quarters {
  __m512i q0, q1, q2, q3;
};

OCTET_TARGET_VBMI inline __m512i lookup64(const Quarters& t, __m512i index) {
  const __m512i low = _mm512_permutex2var_epi8(t.q0, index, t.q1);
  const __m512i high = _mm512_permutex2var_epi8(t.q2, index, t.q3);
  return _mm512_mask_blend_epi8(_mm512_movepi8_mask(index), low, high);
}

OCTET_TARGET_VBMI void byte_lookup_vbmi(const ByteTable& table, const std::uint8_t* in, std::uint8_t* out,
                                        std::size_t count) {
  const Quarters t{_mm512_loadu_si512(table.data()), _mm512_loadu_si512(table.data() + kZmmBytes),
                   _mm512_loadu_si512(table.data() + 2 * kZmmBytes), _mm512_loadu_si512(table.data() + 3 * kZmmBytes)};
  std::size_t i = 0;
  for (; i + kZmmBytes <= count; i += kZmmBytes) _mm512_storeu_si512(out + i, lookup64(t, _mm512_loadu_si512(in + i)));
  if (i < count) {
    const __mmask64 tail = _bzhi_u64(~std::uint64_t{0}, static_cast<unsigned>(count - i));
    _mm512_mask_storeu_epi8(out + i, tail, lookup64(t, _mm512_maskz_loadu_epi8(tail, in + i)));
  }
}

}  // namespace

void byte_lookup_scalar(const ByteTable& table, const std::uint8_t* in, std::uint8_t* out, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) out[i] = table[in[i]];
}

ByteLookupFn best_byte_lookup() {
  static const ByteLookupFn chosen = [] {
    __builtin_cpu_init();
    const bool vbmi = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                      __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("bmi2");
    return vbmi ? &byte_lookup_vbmi : &byte_lookup_scalar;
  }();
  return chosen;
}

}  // namespace octet::fast
