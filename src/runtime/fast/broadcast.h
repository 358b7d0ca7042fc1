#pragma once
// Broadcasts the fast element-wise kernels cover: an operand that is a
// trailing block of the output (a scalar, a per-channel vector [C] or
// [1, 1, 1, C], trailing rows...), repeating every `period` output elements.

#include <cstddef>

#include "core/tensor.h"

namespace octet::fast {

// The number of output elements after which an input with `shape` repeats,
// or 0 when it is not a trailing block of `out` (right-aligned: leading
// dimensions 1, then the output's own trailing dimensions).
inline std::size_t repeat_period(const Shape& shape, const Shape& out) {
  if (shape.size() > out.size()) return 0;
  const std::size_t offset = out.size() - shape.size();
  std::size_t first = 0;  // first dimension of `shape` that is not a leading 1
  while (first < shape.size() && shape[first] == 1) ++first;
  std::size_t period = 1;
  for (std::size_t d = first; d < shape.size(); ++d) {
    if (shape[d] != out[offset + d]) return 0;
    period *= static_cast<std::size_t>(shape[d]);
  }
  return period;
}

}  // namespace octet::fast
