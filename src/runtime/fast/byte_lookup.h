#pragma once
// Byte-to-byte table look-up over a buffer, the inner loop of the int8 unary
// table kernel: out[i] = table[uint8(in[i])]. Vectorised with AVX512-VBMI
// (two vpermi2b over 128-entry halves, picked by the index's top bit) where
// the CPU has it, a scalar loop elsewhere; both give the same bytes.

#include <array>
#include <cstddef>
#include <cstdint>

namespace octet::fast {

inline constexpr std::size_t kByteTableSize = 256;
using ByteTable = std::array<std::uint8_t, kByteTableSize>;

// The look-up function this CPU runs best, chosen once.
using ByteLookupFn = void (*)(const ByteTable& table, const std::uint8_t* in, std::uint8_t* out, std::size_t count);
ByteLookupFn best_byte_lookup();
// The portable loop (tests compare the vectorised one against it).
void byte_lookup_scalar(const ByteTable& table, const std::uint8_t* in, std::uint8_t* out, std::size_t count);

}  // namespace octet::fast
