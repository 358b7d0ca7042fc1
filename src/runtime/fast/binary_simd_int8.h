#pragma once
// The AVX2 int8 ADD / SUB / MUL arithmetic of binary_simd_int8.cpp on plain
// arrays, for tests that check it directly (not only through whichever fast
// kernel the interpreter picks).

#include <cstdint>
#include <span>

#include "core/graph.h"

namespace octet::fast {

// out[i] = op(a[i], b[i]) (equal lengths) with the fast kernel's AVX2 arithmetic
// (the kernel itself uses an AVX-512 body for XNNPACK's ADD and MUL rules
// where the CPU has it: the interpreter's differential tests cover that one);
// false, nothing written, where the kernel declines (no AVX2, TANH, shifts it
// does not handle, an op other than ADD, SUB, MUL).
bool simd_binary_int8(OpType type, Activation activation, const QuantParams& q1, const QuantParams& q2,
                      const QuantParams& qo, std::span<const std::int8_t> a, std::span<const std::int8_t> b,
                      std::span<std::int8_t> out);

}  // namespace octet::fast
