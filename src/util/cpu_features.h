#pragma once
// Instruction-set extensions of the CPU octet runs on, for the few hot loops
// that carry an extra body compiled for them (with a target attribute, so the
// binary itself stays portable). OCTET_X86_DISPATCH is defined where such
// bodies can be compiled (GCC or Clang on x86-64).

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define OCTET_X86_DISPATCH 1
#endif

namespace octet {

// True when the CPU (and the OS, which saves its registers) supports AVX-512F.
inline bool cpu_has_avx512f() {
#if defined(OCTET_X86_DISPATCH)
  static const bool has = __builtin_cpu_supports("avx512f") != 0;
  return has;
#else
  return false;
#endif
}

}  // namespace octet
