#pragma once
// Element types of octet's IR tensors.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace octet {

enum class DType : std::uint8_t {
  kFloat32,
  kFloat16,
  kInt8,
  kUint8,
  kInt16,
  kInt32,
  kInt64,
  kBool,
};

std::size_t dtype_size(DType dtype);
std::string_view dtype_name(DType dtype);  // "float32", "int8", ...
bool is_float(DType dtype);

}  // namespace octet
