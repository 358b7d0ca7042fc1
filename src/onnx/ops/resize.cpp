// Resize (opset 10+) and Upsample (opset 7-9) of the two spatial axes of an
// NCHW tensor, mapped onto TFLite's RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR.
//
// Supported coordinate modes (docs/onnx-ops.md):
//   linear : align_corners, half_pixel, pytorch_half_pixel (output > 1), asymmetric
//   nearest: asymmetric + floor; align_corners + round_prefer_ceil;
//            half_pixel / pytorch_half_pixel + round_prefer_ceil

#include <cmath>
#include <optional>
#include <utility>

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

// s as p/q with a small q, to float precision.
std::optional<std::pair<std::int64_t, std::int64_t>> as_ratio(double s) {
  for (std::int64_t q = 1; q <= 256; ++q) {
    const double p = std::round(s * static_cast<double>(q));
    if (p >= 1 && std::abs(p / static_cast<double>(q) - s) <= 1e-6 * s) return std::pair{static_cast<std::int64_t>(p), q};
  }
  return std::nullopt;
}

// Appends `count` copies of the last row along NHWC `axis` (1 or 2).
TensorId extend_edge(ImportContext& c, TensorId x, int axis, std::int64_t count, const std::string& name) {
  const Shape& xs = c.shape(x);
  std::vector<std::int32_t> begin{0, 0, 0, 0};
  std::vector<std::int32_t> size{-1, -1, -1, -1};
  begin[static_cast<std::size_t>(axis)] = static_cast<std::int32_t>(xs[static_cast<std::size_t>(axis)] - 1);
  size[static_cast<std::size_t>(axis)] = 1;
  const TensorId edge = c.emit1(OpType::kSlice, name + "/edge",
                                {x, c.constant_i32(name + "/edge_begin", begin), c.constant_i32(name + "/edge_size", size)});
  std::vector<TensorId> parts{x};
  for (std::int64_t i = 0; i < count; ++i) parts.push_back(edge);
  ConcatenationOptions o;
  o.axis = axis;
  return c.emit1(OpType::kConcatenation, name, parts, o);
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
  TensorId x_nhwc = c.transpose(x, kToNhwc, n.name() + "/to_nhwc");
  // TFLite maps output to input coordinates with in / out; ONNX with 1 / scale
  // when scales are given. When floor(in * scale) makes those differ, resize a
  // copy of the input extended (edge rows repeated) to in' with in' / out' =
  // 1 / scale exactly, then keep the first `out` rows: the coordinates that
  // matter then never pass the first repeated row, which is the edge clamp.
  Shape big = out;
  for (std::size_t d = 2; d < 4 && sizes.empty(); ++d) {
    const double inverse = 1.0 / static_cast<double>(scales[d]);
    if (std::abs(static_cast<double>(xs[d]) / static_cast<double>(out[d]) - inverse) <= 1e-6 * inverse) continue;
    if (options.align_corners) {
      throw fail("node '{}' ({}): align_corners with scale {} not giving a whole output size ({} x {}) is not "
                 "supported (ONNX Runtime and the ONNX reference disagree); give sizes instead",
                 n.name(), n.op_type(), scales[d], xs[d], scales[d]);
    }
    const auto ratio = as_ratio(static_cast<double>(scales[d]));
    if (!ratio) {
      throw fail("node '{}' ({}): scale {} is not a ratio of small integers and floor({} x {}) != {} x {}: TFLite's "
                 "resize cannot express it, not supported",
                 n.name(), n.op_type(), scales[d], xs[d], scales[d], xs[d], scales[d]);
    }
    const std::int64_t k = (xs[d] + ratio->second - 1) / ratio->second;
    const auto axis = static_cast<int>(d - 1);  // H, W of NHWC
    if (k * ratio->second > xs[d]) {
      x_nhwc = extend_edge(c, x_nhwc, axis, k * ratio->second - xs[d], fmt::format("{}/extend{}", n.name(), axis));
    }
    big[d] = k * ratio->first;
  }
  const TensorId size =
      c.constant_i32(n.name() + "/size", {static_cast<std::int32_t>(big[2]), static_cast<std::int32_t>(big[3])});
  TensorId y = c.emit1(mode->type, n.name(), {x_nhwc, size}, options);
  if (big != out) {
    const TensorId begin = c.constant_i32(n.name() + "/keep_begin", {0, 0, 0, 0});
    const TensorId keep = c.constant_i32(
        n.name() + "/keep_size", {-1, static_cast<std::int32_t>(out[2]), static_cast<std::int32_t>(out[3]), -1});
    y = c.emit1(OpType::kSlice, n.name() + "/keep", {y, begin, keep});
  }
  c.bind_output(n, 0, c.transpose(y, kToNchw, n.name() + "/to_nchw"));
}

}  // namespace octet::onnx_import
