#include "onnx/ops/window.h"

#include <algorithm>

#include "core/error.h"

namespace octet::onnx_import {

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// TFLite's SAME split of the padding along one axis: (before, after).
std::pair<std::int64_t, std::int64_t> same_padding(std::int64_t in, std::int64_t kernel, std::int64_t stride,
                                                   std::int64_t dilation) {
  const std::int64_t out = ceil_div(in, stride);
  const std::int64_t effective = (kernel - 1) * dilation + 1;
  const std::int64_t total = std::max<std::int64_t>((out - 1) * stride + effective - in, 0);
  return {total / 2, total - total / 2};
}

}  // namespace

std::int64_t window_output(std::int64_t in, std::int64_t kernel, std::int64_t stride, std::int64_t dilation,
                           std::int64_t pad_before, std::int64_t pad_after) {
  const std::int64_t effective = (kernel - 1) * dilation + 1;
  return (in + pad_before + pad_after - effective) / stride + 1;
}

Window2D resolve_window(const NodeView& node, std::int64_t in_h, std::int64_t in_w, std::int64_t kernel_h,
                        std::int64_t kernel_w, bool ceil_mode) {
  Window2D w;
  const auto kernel = node.get_ints("kernel_shape", {kernel_h, kernel_w});
  const auto strides = node.get_ints("strides", {1, 1});
  const auto dilations = node.get_ints("dilations", {1, 1});
  if (kernel.size() != 2 || strides.size() != 2 || dilations.size() != 2) {
    throw fail("node '{}' ({}): kernel_shape, strides and dilations must have 2 values for a 2-D window",
               node.name(), node.op_type());
  }
  w.kernel_h = kernel[0];
  w.kernel_w = kernel[1];
  w.stride_h = strides[0];
  w.stride_w = strides[1];
  w.dilation_h = dilations[0];
  w.dilation_w = dilations[1];
  if (std::min({w.kernel_h, w.kernel_w, w.stride_h, w.stride_w, w.dilation_h, w.dilation_w}) < 1) {
    throw fail("node '{}' ({}): kernel, strides and dilations must be positive", node.name(), node.op_type());
  }

  const std::string auto_pad = node.get_string("auto_pad", "NOTSET");
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    auto [top, bottom] = same_padding(in_h, w.kernel_h, w.stride_h, w.dilation_h);
    auto [left, right] = same_padding(in_w, w.kernel_w, w.stride_w, w.dilation_w);
    if (auto_pad == "SAME_LOWER") {
      std::swap(top, bottom);
      std::swap(left, right);
    }
    w.pad_top = top;
    w.pad_bottom = bottom;
    w.pad_left = left;
    w.pad_right = right;
  } else if (auto_pad == "NOTSET") {
    const auto pads = node.get_ints("pads", {0, 0, 0, 0});
    if (pads.size() != 4) {
      throw fail("node '{}' ({}): pads must have 4 values for a 2-D window", node.name(), node.op_type());
    }
    w.pad_top = pads[0];
    w.pad_left = pads[1];
    w.pad_bottom = pads[2];
    w.pad_right = pads[3];
  } else if (auto_pad != "VALID") {
    throw fail("node '{}' ({}): auto_pad '{}' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID", node.name(),
               node.op_type(), auto_pad);
  }
  if (std::min({w.pad_top, w.pad_left, w.pad_bottom, w.pad_right}) < 0) {
    throw fail("node '{}' ({}): negative pads are not supported", node.name(), node.op_type());
  }
  if (ceil_mode) {
    // Grow the end padding until the floor formula gives the ceil output size.
    const auto grow = [](std::int64_t in, std::int64_t k, std::int64_t s, std::int64_t d, std::int64_t before,
                         std::int64_t& after) {
      const std::int64_t effective = (k - 1) * d + 1;
      const std::int64_t span = in + before + after - effective;
      const std::int64_t out = ceil_div(span, s) + 1;
      // PyTorch/ONNX: the last window must start inside the input or left padding.
      const std::int64_t adjusted = ((out - 1) * s >= in + before) ? out - 1 : out;
      after += std::max<std::int64_t>((adjusted - 1) * s + effective - (in + before + after), 0);
    };
    grow(in_h, w.kernel_h, w.stride_h, w.dilation_h, w.pad_top, w.pad_bottom);
    grow(in_w, w.kernel_w, w.stride_w, w.dilation_w, w.pad_left, w.pad_right);
  }
  return w;
}

std::optional<Padding> tflite_padding(const Window2D& w, std::int64_t in_h, std::int64_t in_w) {
  if (w.pad_top == 0 && w.pad_left == 0 && w.pad_bottom == 0 && w.pad_right == 0) {
    // VALID only if the output sizes agree (they always do without padding).
    return Padding::kValid;
  }
  const auto [top, bottom] = same_padding(in_h, w.kernel_h, w.stride_h, w.dilation_h);
  const auto [left, right] = same_padding(in_w, w.kernel_w, w.stride_w, w.dilation_w);
  const bool same_split = w.pad_top == top && w.pad_bottom == bottom && w.pad_left == left && w.pad_right == right;
  const bool same_size =
      window_output(in_h, w.kernel_h, w.stride_h, w.dilation_h, w.pad_top, w.pad_bottom) == ceil_div(in_h, w.stride_h) &&
      window_output(in_w, w.kernel_w, w.stride_w, w.dilation_w, w.pad_left, w.pad_right) == ceil_div(in_w, w.stride_w);
  if (same_split && same_size) return Padding::kSame;
  return std::nullopt;
}

}  // namespace octet::onnx_import
