// Resize (opset 10+) and Upsample (opset 7-9) of the two spatial axes of an
// NCHW tensor, mapped onto TFLite's RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR.
//
// Supported coordinate modes (docs/onnx-ops.md):
//   linear : align_corners, half_pixel, pytorch_half_pixel (output > 1), asymmetric
//   nearest: asymmetric + floor; align_corners + round_prefer_ceil;
//            half_pixel / pytorch_half_pixel + round_prefer_ceil

#include <cmath>

#include "core/error.h"
#include "onnx/ops/ops.h"

namespace octet::onnx_import {

namespace {

struct ResizeMode {
  OpType type;
  ResizeOptions options;
};

std::string coordinate_mode(const NodeView& n) {
  if (n.op_type() == "Upsample" || n.opset() < 11) return "asymmetric";
  return n.get_string("coordinate_transformation_mode", "half_pixel");
}

std::optional<ResizeMode> resize_mode(const NodeView& n, std::string* why) {
  const std::string mode = n.get_string("mode", "nearest");
  const std::string coords = coordinate_mode(n);
  const std::string nearest = n.get_string("nearest_mode", "round_prefer_floor");
  ResizeMode result{};
  if (mode == "linear" || mode == "bilinear") {
    result.type = OpType::kResizeBilinear;
    if (coords == "align_corners") {
      result.options.align_corners = true;
    } else if (coords == "half_pixel" || coords == "pytorch_half_pixel") {
      result.options.half_pixel_centers = true;
    } else if (coords != "asymmetric") {
      *why = "linear resize with coordinate_transformation_mode '" + coords + "' is not supported";
      return std::nullopt;
    }
    return result;
  }
  if (mode == "nearest") {
    result.type = OpType::kResizeNearestNeighbor;
    const bool legacy = n.op_type() == "Upsample" || n.opset() < 11;
    if (coords == "asymmetric" && (legacy || nearest == "floor")) return result;
    if (coords == "align_corners" && nearest == "round_prefer_ceil") {
      result.options.align_corners = true;
      return result;
    }
    if ((coords == "half_pixel" || coords == "pytorch_half_pixel") && nearest == "round_prefer_ceil") {
      result.options.half_pixel_centers = true;
      return result;
    }
    *why = "nearest resize with coordinate_transformation_mode '" + coords + "' and nearest_mode '" + nearest +
           "' is not supported";
    return std::nullopt;
  }
  *why = "mode '" + mode + "' is not supported (nearest and linear are)";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> check_resize(const NodeView& n) {
  std::string why;
  if (!resize_mode(n, &why)) return why;
  if (n.get_int("antialias", 0) != 0) return "antialias=1 is not supported";
  if (n.has("axes")) return "the axes attribute (opset 18) is not supported";
  if (n.get_int("exclude_outside", 0) != 0) return "exclude_outside=1 is not supported";
  return std::nullopt;
}

void convert_resize(ImportContext& c, const NodeView& n) {
  const TensorId x = c.input(n, 0);
  if (c.rank(x) != 4) throw fail("node '{}' ({}): only 4-D (NCHW) inputs are supported", n.name(), n.op_type());
  const Shape xs = c.shape(x);
  std::vector<float> scales;
  std::vector<std::int64_t> sizes;
  if (n.op_type() == "Upsample" && n.opset() < 9) {
    scales = n.get_floats("scales");
  } else if (n.op_type() == "Upsample" || n.opset() == 10) {
    scales = c.constant_floats(n, 1);
  } else {
    if (n.has_input(3)) sizes = c.constant_ints(n, 3);
    if (sizes.empty() && n.has_input(2)) scales = c.constant_floats(n, 2);
  }
  Shape out = xs;
  if (!sizes.empty()) {
    if (sizes.size() != 4) throw fail("node '{}' ({}): sizes must have 4 values", n.name(), n.op_type());
    out.assign(sizes.begin(), sizes.end());
  } else {
    if (scales.size() != 4) throw fail("node '{}' ({}): scales must have 4 values", n.name(), n.op_type());
    for (std::size_t d = 0; d < 4; ++d) {
      out[d] = static_cast<std::int64_t>(std::floor(static_cast<double>(xs[d]) * static_cast<double>(scales[d])));
    }
  }
  if (out[0] != xs[0] || out[1] != xs[1]) {
    throw fail("node '{}' ({}): only the spatial axes can be resized (asked {} -> {})", n.name(), n.op_type(),
               shape_string(xs), shape_string(out));
  }
  std::string why;
  const std::optional<ResizeMode> mode = resize_mode(n, &why);
  if (!mode) throw fail("node '{}' ({}): {}", n.name(), n.op_type(), why);
  ResizeOptions options = mode->options;
  if (n.opset() >= 11 && coordinate_mode(n) == "pytorch_half_pixel" && (out[2] == 1 || out[3] == 1)) {
    throw fail("node '{}' ({}): pytorch_half_pixel with an output size of 1 is not supported", n.name(), n.op_type());
  }
  const TensorId x_nhwc = c.transpose(x, kToNhwc, n.name() + "/to_nhwc");
  const TensorId size =
      c.constant_i32(n.name() + "/size", {static_cast<std::int32_t>(out[2]), static_cast<std::int32_t>(out[3])});
  const TensorId y = c.emit1(mode->type, n.name(), {x_nhwc, size}, options);
  c.bind_output(n, 0, c.transpose(y, kToNchw, n.name() + "/to_nchw"));
}

}  // namespace octet::onnx_import
