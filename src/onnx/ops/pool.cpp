// MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool.

#include <limits>

#include "core/error.h"
#include "onnx/ops/ops.h"
#include "onnx/ops/window.h"

namespace octet::onnx_import {

namespace {

Pool2DOptions pool_options(Padding padding, const Window2D& w) {
  Pool2DOptions o;
  o.padding = padding;
  o.filter_h = static_cast<int>(w.kernel_h);
  o.filter_w = static_cast<int>(w.kernel_w);
  o.stride_h = static_cast<int>(w.stride_h);
  o.stride_w = static_cast<int>(w.stride_w);
  return o;
}

void convert_pool(ImportContext& c, const NodeView& n, OpType type) {
  const TensorId x = c.input(n, 0);
  if (c.rank(x) != 4) throw fail("node '{}' ({}): input must be rank 4 (NCHW)", n.name(), n.op_type());
  const Shape xs = c.shape(x);
  const bool ceil_mode = n.get_int("ceil_mode", 0) != 0;
  const Window2D window = resolve_window(n, xs[2], xs[3], 1, 1, ceil_mode);
  if (window.dilation_h != 1 || window.dilation_w != 1) {
    throw fail("node '{}' ({}): dilated pooling is not supported", n.name(), n.op_type());
  }
  TensorId x_nhwc = c.transpose(x, kToNhwc, n.name() + "/to_nhwc");
  std::optional<Padding> padding = tflite_padding(window, xs[2], xs[3]);
  const bool include_pad = n.get_int("count_include_pad", 0) != 0;
  const bool padded = window.pad_top + window.pad_bottom + window.pad_left + window.pad_right > 0;
  if (type == OpType::kAveragePool2D && padded && include_pad) padding.reset();  // TFLite excludes padding
  if (!padding) {
    if (type == OpType::kAveragePool2D && !include_pad) {
      throw fail("node '{}' (AveragePool): padding {} {} {} {} with count_include_pad=0 differs from TFLite's "
                 "SAME split: not supported (TFLite cannot exclude other padding from the average)",
                 n.name(), window.pad_top, window.pad_left, window.pad_bottom, window.pad_right);
    }
    // Max pooling pads with the lowest float (never the maximum); average
    // pooling with count_include_pad pads with zeros that count.
    const float value = type == OpType::kMaxPool2D ? std::numeric_limits<float>::lowest() : 0.0F;
    const TensorId paddings = c.constant_i32(
        n.name() + "/paddings",
        {0, 0, static_cast<std::int32_t>(window.pad_top), static_cast<std::int32_t>(window.pad_bottom),
         static_cast<std::int32_t>(window.pad_left), static_cast<std::int32_t>(window.pad_right), 0, 0},
        {4, 2});
    const TensorId pad_value = c.constant_f32(n.name() + "/pad_value", {value}, {});
    x_nhwc = c.emit1(OpType::kPadV2, n.name() + "/pad", {x_nhwc, paddings, pad_value});
    padding = Padding::kValid;
  }
  const TensorId y = c.emit1(type, n.name(), {x_nhwc}, pool_options(*padding, window));
  c.bind_output(n, 0, c.transpose(y, kToNchw, n.name() + "/to_nchw"));
}

void convert_global(ImportContext& c, const NodeView& n, OpType type) {
  const TensorId x = c.input(n, 0);
  std::vector<std::int32_t> axes;
  for (std::size_t d = 2; d < c.rank(x); ++d) axes.push_back(static_cast<std::int32_t>(d));
  const TensorId a = c.constant_i32(n.name() + "/axes", axes);
  ReducerOptions o;
  o.keep_dims = true;
  c.bind_output(n, 0, c.emit1(type, n.name(), {x, a}, o));
}

}  // namespace

std::optional<std::string> check_pool(const NodeView& n) {
  if (n.get_ints("kernel_shape").size() != 2) return "only 2-D pooling is supported";
  if (n.output_count() > 1 && !n.output(1).empty()) return "the Indices output of MaxPool is not supported";
  if (n.get_int("storage_order", 0) != 0) return "storage_order=1 is not supported";
  return std::nullopt;
}

void convert_max_pool(ImportContext& c, const NodeView& n) { convert_pool(c, n, OpType::kMaxPool2D); }
void convert_average_pool(ImportContext& c, const NodeView& n) { convert_pool(c, n, OpType::kAveragePool2D); }
void convert_global_average_pool(ImportContext& c, const NodeView& n) { convert_global(c, n, OpType::kMean); }
void convert_global_max_pool(ImportContext& c, const NodeView& n) { convert_global(c, n, OpType::kReduceMax); }

}  // namespace octet::onnx_import
