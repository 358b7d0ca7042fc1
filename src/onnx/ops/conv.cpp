// Conv and ConvTranspose: NCHW in ONNX, NHWC in the IR. Weights are permuted
// once here (OIHW -> OHWI, or 1HWO for depthwise); the transposes around the
// op are removed later by the layout pass.

#include <algorithm>
#include <utility>

#include "core/error.h"
#include "onnx/ops/ops.h"
#include "onnx/ops/window.h"

namespace octet::onnx_import {

namespace {

Conv2DOptions conv_options(Padding padding, const Window2D& w) {
  Conv2DOptions o;
  o.padding = padding;
  o.stride_h = static_cast<int>(w.stride_h);
  o.stride_w = static_cast<int>(w.stride_w);
  o.dilation_h = static_cast<int>(w.dilation_h);
  o.dilation_w = static_cast<int>(w.dilation_w);
  return o;
}

// Zero-pads an NHWC tensor explicitly (for paddings TFLite's SAME cannot express).
TensorId pad_nhwc(ImportContext& c, TensorId x, const Window2D& w, const std::string& name) {
  const TensorId paddings = c.constant_i32(
      name + "/paddings",
      {0, 0, static_cast<std::int32_t>(w.pad_top), static_cast<std::int32_t>(w.pad_bottom),
       static_cast<std::int32_t>(w.pad_left), static_cast<std::int32_t>(w.pad_right), 0, 0},
      {4, 2});
  return c.emit1(OpType::kPad, name, {x, paddings});
}

// One convolution on NHWC input with OIHW weights already split to this group.
TensorId conv_group(ImportContext& c, TensorId x_nhwc, TensorId w_oihw, TensorId bias, Padding padding,
                    const Window2D& window, std::int64_t groups, const std::string& name) {
  const Shape& ws = c.shape(w_oihw);
  const std::int64_t in_channels = c.shape(x_nhwc)[3];
  if (groups > 1 && groups == in_channels && ws[1] == 1) {
    DepthwiseConv2DOptions o;
    const Conv2DOptions base = conv_options(padding, window);
    o.padding = base.padding;
    o.stride_h = base.stride_h;
    o.stride_w = base.stride_w;
    o.dilation_h = base.dilation_h;
    o.dilation_w = base.dilation_w;
    o.depth_multiplier = static_cast<int>(ws[0] / in_channels);
    const TensorId filter = c.transpose(w_oihw, {1, 2, 3, 0}, name + "/filter");
    return c.emit1(OpType::kDepthwiseConv2D, name, {x_nhwc, filter, bias}, o);
  }
  const TensorId filter = c.transpose(w_oihw, {0, 2, 3, 1}, name + "/filter");
  return c.emit1(OpType::kConv2D, name, {x_nhwc, filter, bias}, conv_options(padding, window));
}

}  // namespace

std::optional<std::string> check_conv(const NodeView& n) {
  const auto kernel = n.get_ints("kernel_shape");
  if (!kernel.empty() && kernel.size() != 1 && kernel.size() != 2) {
    return "only 1-D and 2-D convolutions are supported";
  }
  return std::nullopt;
}

void convert_conv(ImportContext& c, const NodeView& n) {
  TensorId x = c.input(n, 0);
  TensorId w = c.input(n, 1);
  const TensorId b = c.input(n, 2);
  if (!c.is_constant(w)) throw fail("node '{}' (Conv): weights must be constant", n.name());
  const bool one_d = c.rank(x) == 3;
  if (!one_d && c.rank(x) != 4) throw fail("node '{}' (Conv): input must be rank 3 or 4", n.name());
  if (c.rank(w) != c.rank(x)) throw fail("node '{}' (Conv): weights rank must equal input rank", n.name());

  std::optional<Window2D> window;
  if (one_d) {
    // [N, C, L] as [N, C, 1, L]; the 1-D attributes become (1, value).
    const Shape xs = c.shape(x);
    const Shape wsh = c.shape(w);
    x = c.reshape(x, {xs[0], xs[1], 1, xs[2]}, n.name() + "/as_2d");
    w = c.reshape(w, {wsh[0], wsh[1], 1, wsh[2]}, n.name() + "/weights_2d");
    Window2D w2;
    w2.kernel_w = wsh[2];
    w2.stride_w = n.get_ints("strides", {1}).at(0);
    w2.dilation_w = n.get_ints("dilations", {1}).at(0);
    const std::string auto_pad = n.get_string("auto_pad", "NOTSET");
    if (auto_pad != "NOTSET" && auto_pad != "VALID") {
      throw fail("node '{}' (Conv): auto_pad {} is not supported for 1-D convolution", n.name(), auto_pad);
    }
    const auto pads = n.get_ints("pads", {0, 0});
    w2.pad_left = pads.at(0);
    w2.pad_right = pads.at(1);
    window = w2;
  }
  const Shape xs = c.shape(x);
  const Shape ws = c.shape(w);
  if (!window) window = resolve_window(n, xs[2], xs[3], ws[2], ws[3]);
  const std::int64_t groups = n.get_int("group", 1);
  if (groups < 1 || xs[1] % groups != 0 || ws[0] % groups != 0 || ws[1] * groups != xs[1]) {
    throw fail("node '{}' (Conv): group {} does not divide input channels {} and weights {}", n.name(), groups,
               xs[1], shape_string(ws));
  }

  TensorId x_nhwc = c.transpose(x, kToNhwc, n.name() + "/to_nhwc");
  std::optional<Padding> padding = tflite_padding(*window, xs[2], xs[3]);
  if (!padding) {
    x_nhwc = pad_nhwc(c, x_nhwc, *window, n.name() + "/pad");
    padding = Padding::kValid;
  }

  TensorId y = kNoTensor;
  const bool depthwise = groups > 1 && groups == xs[1] && ws[1] == 1;
  if (groups == 1 || depthwise) {
    y = conv_group(c, x_nhwc, w, b, *padding, *window, groups, n.name());
  } else {
    // Grouped convolution: one CONV_2D per group, concatenated on channels.
    const auto g = static_cast<int>(groups);
    const TensorId axis = c.constant_i32(n.name() + "/split_axis", {3}, Shape{});
    SplitOptions split;
    split.num_splits = g;
    const auto xs_g = c.emit(OpType::kSplit, n.name() + "/split", {axis, x_nhwc}, split, static_cast<std::size_t>(g));
    const TensorId w_axis = c.constant_i32(n.name() + "/split_w_axis", {0}, Shape{});
    const auto ws_g = c.emit(OpType::kSplit, n.name() + "/split_w", {w_axis, w}, split, static_cast<std::size_t>(g));
    std::vector<TensorId> bs_g(static_cast<std::size_t>(g), kNoTensor);
    if (b != kNoTensor) {
      bs_g = c.emit(OpType::kSplit, n.name() + "/split_b", {w_axis, b}, split, static_cast<std::size_t>(g));
    }
    std::vector<TensorId> parts;
    for (std::size_t i = 0; i < static_cast<std::size_t>(g); ++i) {
      parts.push_back(conv_group(c, xs_g[i], ws_g[i], bs_g[i], *padding, *window, 1,
                                 fmt::format("{}/group{}", n.name(), i)));
    }
    ConcatenationOptions concat;
    concat.axis = 3;
    y = c.emit1(OpType::kConcatenation, n.name() + "/concat", parts, concat);
  }
  TensorId out = c.transpose(y, kToNchw, n.name() + "/to_nchw");
  if (one_d) {
    const Shape os = c.shape(out);
    out = c.reshape(out, {os[0], os[1], os[3]}, n.name() + "/as_1d");
  }
  c.bind_output(n, 0, out);
}

std::optional<std::string> check_conv_transpose(const NodeView& n) {
  if (n.get_int("group", 1) != 1) return "group > 1 is not supported";
  for (const auto d : n.get_ints("dilations", {1, 1})) {
    if (d != 1) return "dilations other than 1 are not supported (TFLite TRANSPOSE_CONV has none)";
  }
  if (n.get_ints("kernel_shape").size() > 2) return "only 2-D transposed convolutions are supported";
  for (std::size_t i = 0; i < 2; ++i) {
    const int rank = n.input_facts(i).rank;
    if (rank >= 0 && rank != 4) {
      return fmt::format("input {} has rank {}: only 2-D transposed convolutions (rank 4) are supported", i, rank);
    }
  }
  return std::nullopt;
}

void convert_conv_transpose(ImportContext& c, const NodeView& n) {
  const TensorId x = c.input(n, 0);
  const TensorId w = c.input(n, 1);
  const TensorId b = c.input(n, 2);
  if (!c.is_constant(w)) throw fail("node '{}' (ConvTranspose): weights must be constant", n.name());
  if (c.rank(x) != 4) throw fail("node '{}' (ConvTranspose): input must be rank 4 (NCHW)", n.name());
  const Shape xs = c.shape(x);
  const Shape ws = c.shape(w);  // [C_in, C_out, kh, kw]
  const auto strides = n.get_ints("strides", {1, 1});
  const auto output_padding = n.get_ints("output_padding", {0, 0});
  auto pads = n.get_ints("pads", {0, 0, 0, 0});
  const std::int64_t kh = ws[2];
  const std::int64_t kw = ws[3];
  // Full (unpadded) output, then crop the ONNX padding.
  const std::int64_t full_h = (xs[2] - 1) * strides[0] + kh + output_padding[0];
  const std::int64_t full_w = (xs[3] - 1) * strides[1] + kw + output_padding[1];
  const auto output_shape = n.get_ints("output_shape");
  const std::string auto_pad = n.get_string("auto_pad", "NOTSET");
  if (!output_shape.empty() || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    // ONNX: total padding = full - output size, split with the larger half at
    // the end for SAME_UPPER and at the start otherwise (floor division, so a
    // negative total, an output larger than the full one, grows the end).
    const std::int64_t out_h = output_shape.empty() ? xs[2] * strides[0] : output_shape.at(output_shape.size() - 2);
    const std::int64_t out_w = output_shape.empty() ? xs[3] * strides[1] : output_shape.back();
    const auto split = [&](std::int64_t total) {
      const std::int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);  // floor(total / 2)
      return auto_pad == "SAME_UPPER" ? std::pair{half, total - half} : std::pair{total - half, half};
    };
    const auto [top, bottom] = split(full_h - out_h);
    const auto [left, right] = split(full_w - out_w);
    pads = {top, left, bottom, right};
  }
  const TensorId x_nhwc = c.transpose(x, kToNhwc, n.name() + "/to_nhwc");
  const TensorId filter = c.transpose(w, {1, 2, 3, 0}, n.name() + "/filter");  // [C_out, kh, kw, C_in]
  const TensorId shape = c.constant_i32(
      n.name() + "/output_shape",
      {static_cast<std::int32_t>(xs[0]), static_cast<std::int32_t>(full_h), static_cast<std::int32_t>(full_w),
       static_cast<std::int32_t>(ws[1])});
  TransposeConvOptions o;
  o.padding = Padding::kValid;
  o.stride_h = static_cast<int>(strides[0]);
  o.stride_w = static_cast<int>(strides[1]);
  TensorId y = c.emit1(OpType::kTransposeConv, n.name(), {shape, filter, x_nhwc}, o);
  // Positive pads crop the full output; negative ones (an output_shape larger
  // than the full output) add zeros, which the bias then offsets as in ONNX.
  const auto crop = [](std::int64_t p) { return static_cast<std::int32_t>(std::max<std::int64_t>(p, 0)); };
  const auto grow = [](std::int64_t p) { return static_cast<std::int32_t>(std::max<std::int64_t>(-p, 0)); };
  if (crop(pads[0]) + crop(pads[1]) + crop(pads[2]) + crop(pads[3]) != 0 || full_h != c.shape(y)[1]) {
    const TensorId begin = c.constant_i32(n.name() + "/crop_begin", {0, crop(pads[0]), crop(pads[1]), 0});
    const TensorId size = c.constant_i32(
        n.name() + "/crop_size", {-1, static_cast<std::int32_t>(full_h) - crop(pads[0]) - crop(pads[2]),
                                  static_cast<std::int32_t>(full_w) - crop(pads[1]) - crop(pads[3]), -1});
    y = c.emit1(OpType::kSlice, n.name() + "/crop", {y, begin, size});
  }
  if (grow(pads[0]) + grow(pads[1]) + grow(pads[2]) + grow(pads[3]) != 0) {
    const TensorId paddings = c.constant_i32(
        n.name() + "/grow", {0, 0, grow(pads[0]), grow(pads[2]), grow(pads[1]), grow(pads[3]), 0, 0}, {4, 2});
    y = c.emit1(OpType::kPad, n.name() + "/grow", {y, paddings});
  }
  if (b != kNoTensor) y = c.emit1(OpType::kAdd, n.name() + "/bias", {y, b}, BinaryOptions{});
  c.bind_output(n, 0, c.transpose(y, kToNchw, n.name() + "/to_nchw"));
}

}  // namespace octet::onnx_import
