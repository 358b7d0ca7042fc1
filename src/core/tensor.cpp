#include "core/tensor.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace octet {

std::int64_t element_count(const Shape& shape) {
  std::int64_t count = 1;
  for (const std::int64_t dim : shape) count *= dim;
  return count;
}

std::string shape_string(const Shape& shape) {
  if (shape.empty()) return "scalar";
  return fmt::format("{}", fmt::join(shape, "x"));
}

std::size_t Tensor::byte_size() const {
  return static_cast<std::size_t>(element_count(shape)) * dtype_size(dtype);
}

}  // namespace octet
