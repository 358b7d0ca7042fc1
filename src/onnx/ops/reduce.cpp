// ReduceMean/Max/Min/Sum and ArgMax/ArgMin.

#include "core/error.h"
#include "onnx/ops/ops.h"

namespace octet::onnx_import {

namespace {

// Opset from which the reduction takes its axes as an input instead of an attribute.
int axes_input_since(OpType type) { return type == OpType::kSum ? 13 : 18; }

void reduce(ImportContext& c, const NodeView& n, OpType type) {
  const TensorId x = c.input(n, 0);
  const std::size_t rank = c.rank(x);
  std::vector<std::int64_t> axes =
      n.opset() < axes_input_since(type) ? n.get_ints("axes") : (n.has_input(1) ? c.constant_ints(n, 1) : std::vector<std::int64_t>{});
  if (axes.empty()) {
    if (n.get_int("noop_with_empty_axes", 0) != 0) {
      c.bind_output(n, 0, x);
      return;
    }
    for (std::size_t d = 0; d < rank; ++d) axes.push_back(static_cast<std::int64_t>(d));
  }
  for (auto& a : axes) a = normalize_axis(a, rank, n);
  ReducerOptions o;
  o.keep_dims = n.get_int("keepdims", 1) != 0;
  const TensorId a = c.constant_i32(n.name() + "/axes", to_i32(axes));
  c.bind_output(n, 0, c.emit1(type, n.name(), {x, a}, o));
}

void arg(ImportContext& c, const NodeView& n, OpType type) {
  if (n.get_int("select_last_index", 0) != 0) {
    throw fail("node '{}' ({}): select_last_index=1 is not supported", n.name(), n.op_type());
  }
  const TensorId x = c.input(n, 0);
  const std::int64_t axis = normalize_axis(n.get_int("axis", 0), c.rank(x), n);
  ArgOptions o;
  o.output_type = DType::kInt64;  // ONNX returns int64 indices
  const TensorId a = c.constant_i32(n.name() + "/axis", {static_cast<std::int32_t>(axis)}, Shape{1});
  TensorId y = c.emit1(type, n.name(), {x, a}, o);
  if (n.get_int("keepdims", 1) != 0) {
    Shape kept = c.shape(x);
    kept[static_cast<std::size_t>(axis)] = 1;
    y = c.reshape(y, kept, n.name() + "/keepdims");
  }
  c.bind_output(n, 0, y);
}

}  // namespace

void convert_reduce_mean(ImportContext& c, const NodeView& n) { reduce(c, n, OpType::kMean); }
void convert_reduce_max(ImportContext& c, const NodeView& n) { reduce(c, n, OpType::kReduceMax); }
void convert_reduce_min(ImportContext& c, const NodeView& n) { reduce(c, n, OpType::kReduceMin); }
void convert_reduce_sum(ImportContext& c, const NodeView& n) { reduce(c, n, OpType::kSum); }
void convert_arg_max(ImportContext& c, const NodeView& n) { arg(c, n, OpType::kArgMax); }
void convert_arg_min(ImportContext& c, const NodeView& n) { arg(c, n, OpType::kArgMin); }

}  // namespace octet::onnx_import
