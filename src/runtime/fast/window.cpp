#include "runtime/fast/window.h"

#include <algorithm>
#include <utility>

#include "runtime/reference/common.h"

namespace octet::fast {

Window window_padding(const Shape& in, const Shape& out, std::int64_t filter_h, std::int64_t filter_w, int stride_h,
                      int stride_w, int dilation_h, int dilation_w) {
  const auto axis = [](std::int64_t size, std::int64_t filter, int stride, int dilation, std::int64_t out_size) {
    const std::int64_t before = reference::window_padding_before(size, filter, stride, dilation, out_size);
    const std::int64_t needed = (out_size - 1) * stride + (filter - 1) * dilation + 1;
    const std::int64_t after = std::max<std::int64_t>(needed - size - before, 0);
    return std::pair{static_cast<std::uint32_t>(before), static_cast<std::uint32_t>(after)};
  };
  const auto [top, bottom] = axis(in[1], filter_h, stride_h, dilation_h, out[1]);
  const auto [left, right] = axis(in[2], filter_w, stride_w, dilation_w, out[2]);
  return {top, right, bottom, left};
}

}  // namespace octet::fast
