#pragma once
// Geometry shared by the 2-D window operators (Conv, ConvTranspose, pools):
// ONNX's auto_pad/pads resolved to explicit padding, and how that maps onto
// TFLite's SAME/VALID padding.

#include <cstdint>
#include <string>
#include <vector>

#include "core/op_options.h"
#include "onnx/node_view.h"

namespace octet::onnx_import {

struct Window2D {
  std::int64_t kernel_h = 1, kernel_w = 1;
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t dilation_h = 1, dilation_w = 1;
  // Explicit padding of the input, as ONNX resolves it.
  std::int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
};

// Reads kernel_shape (or `kernel` from the weights), strides, dilations,
// auto_pad and pads for input spatial size (in_h, in_w). With ceil_mode, extra
// end padding makes the output size the rounded-up one.
Window2D resolve_window(const NodeView& node, std::int64_t in_h, std::int64_t in_w, std::int64_t kernel_h,
                        std::int64_t kernel_w, bool ceil_mode = false);

// Output size of a window along one axis with explicit padding.
std::int64_t window_output(std::int64_t in, std::int64_t kernel, std::int64_t stride, std::int64_t dilation,
                           std::int64_t pad_before, std::int64_t pad_after);

// TFLite padding equivalent to the window's explicit padding, if any:
// VALID when there is none, SAME when it equals TFLite's SAME split.
std::optional<Padding> tflite_padding(const Window2D& window, std::int64_t in_h, std::int64_t in_w);

}  // namespace octet::onnx_import
