#pragma once
// Tensors of octet's IR: every value in a graph has a name, a dtype and a
// static shape; constants also hold their bytes; quantized tensors carry
// their scale and zero point (per tensor, or per channel along `axis`).

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/dtype.h"

namespace octet {

using Shape = std::vector<std::int64_t>;

std::int64_t element_count(const Shape& shape);
std::string shape_string(const Shape& shape);  // "1x3x224x224", "scalar" for rank 0

struct QuantParams {
  std::vector<float> scale;
  std::vector<std::int64_t> zero_point;
  std::int32_t axis = 0;  // the quantized dimension when per-channel
  bool per_channel() const { return scale.size() > 1; }
};

using Bytes = std::vector<std::byte>;

struct Tensor {
  std::string name;
  DType dtype = DType::kFloat32;
  Shape shape;
  std::optional<QuantParams> quant;
  std::shared_ptr<const Bytes> data;  // non-null for constants

  bool is_constant() const { return data != nullptr; }
  std::size_t byte_size() const;

  // A copy of a constant's values; T must match dtype's size.
  template <typename T>
  std::vector<T> values() const {
    std::vector<T> out(data ? data->size() / sizeof(T) : 0);
    if (!out.empty()) std::memcpy(out.data(), data->data(), out.size() * sizeof(T));
    return out;
  }
};

// A constant tensor built from typed values.
template <typename T>
std::shared_ptr<const Bytes> make_bytes(std::span<const T> values) {
  auto bytes = std::make_shared<Bytes>(values.size_bytes());
  if (!values.empty()) std::memcpy(bytes->data(), values.data(), values.size_bytes());
  return bytes;
}

}  // namespace octet
