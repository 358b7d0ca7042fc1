#pragma once
// The explicit padding of a window op (convolution, pooling) in XNNPACK's
// terms, computed as the reference kernels do: before = the reference's
// padding, after = whatever the last window still needs.

#include <cstdint>

#include "core/tensor.h"

namespace octet::fast {

struct Window {
  std::uint32_t top, right, bottom, left;
};

// `in` and `out` are NHWC shapes of the op's input and output.
Window window_padding(const Shape& in, const Shape& out, std::int64_t filter_h, std::int64_t filter_w, int stride_h,
                      int stride_w, int dilation_h, int dilation_w);

}  // namespace octet::fast
