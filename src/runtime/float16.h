#pragma once
// Exact IEEE 754 binary16 <-> binary32 conversion (float16 tensors of FP16
// models, CAST and DEQUANTIZE). float -> half rounds to nearest, ties to even,
// overflows to infinity, keeps subnormals, and keeps NaN a NaN (quiet, with
// the top payload bits); half -> float is exact.

#include <cstdint>

namespace octet {

std::uint16_t float_to_half(float value);
float half_to_float(std::uint16_t bits);

}  // namespace octet
