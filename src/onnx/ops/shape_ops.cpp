// Shape and data-movement operators. Shapes are static, so shape arithmetic
// (Shape, Gather, Concat, Unsqueeze... on constants) folds while importing.

#include <algorithm>
#include <limits>

#include "core/error.h"
#include "onnx/ops/ops.h"
#include "onnx/tensor_proto.h"

namespace octet::onnx_import {

namespace {

// Axes from the attribute (older opsets) or from input `index` (newer ones).
std::vector<std::int64_t> axes_of(ImportContext& c, const NodeView& n, std::size_t index, int input_since) {
  if (n.opset() < input_since) return n.get_ints("axes");
  if (!n.has_input(index)) return {};
  return c.constant_ints(n, index);
}

std::vector<std::int64_t> normalize_axes(std::vector<std::int64_t> axes, std::size_t rank, const NodeView& n) {
  for (auto& a : axes) a = normalize_axis(a, rank, n);
  std::sort(axes.begin(), axes.end());
  return axes;
}

template <typename T>
TensorId fill_constant(ImportContext& c, const std::string& name, DType dtype, const Shape& shape, T value) {
  const std::vector<T> values(static_cast<std::size_t>(element_count(shape)), value);
  return c.graph().add_constant<T>(c.unique_name(name), dtype, shape, values);
}

}  // namespace

std::optional<std::string> check_dropout(const NodeView& n) {
  if (n.output_count() > 1 && !n.output(1).empty()) return "the mask output is not supported";
  if (n.has_input(2)) return "the training_mode input is not supported (octet converts inference graphs)";
  return std::nullopt;
}

void convert_identity(ImportContext& c, const NodeView& n) {
  // Identity and inference-mode Dropout (see check_dropout) forward their input.
  c.bind_output(n, 0, c.input(n, 0));
}

std::optional<std::string> check_constant(const NodeView& n) {
  if (n.has("sparse_value")) return "sparse_value constants are not supported";
  if (n.has("value_string") || n.has("value_strings")) return "string constants are not supported";
  return std::nullopt;
}

void convert_constant(ImportContext& c, const NodeView& n) {
  Tensor t;
  if (const onnx::TensorProto* proto = n.get_tensor("value")) {
    t = tensor_from_proto(*proto, {});
  } else if (n.has("value_float")) {
    const float v = n.get_float("value_float", 0);
    t.dtype = DType::kFloat32;
    t.data = make_bytes(std::span<const float>(&v, 1));
  } else if (n.has("value_floats")) {
    const auto v = n.get_floats("value_floats");
    t.dtype = DType::kFloat32;
    t.shape = {static_cast<std::int64_t>(v.size())};
    t.data = make_bytes(std::span<const float>(v));
  } else if (n.has("value_int")) {
    const std::int64_t v = n.get_int("value_int", 0);
    t.dtype = DType::kInt64;
    t.data = make_bytes(std::span<const std::int64_t>(&v, 1));
  } else if (n.has("value_ints")) {
    const auto v = n.get_ints("value_ints");
    t.dtype = DType::kInt64;
    t.shape = {static_cast<std::int64_t>(v.size())};
    t.data = make_bytes(std::span<const std::int64_t>(v));
  } else {
    throw fail("node '{}' (Constant): no value attribute", n.name());
  }
  t.name = c.unique_name(n.output(0));
  c.bind_output(n, 0, c.graph().add_tensor(std::move(t)));
}

void convert_shape(ImportContext& c, const NodeView& n) {
  const Shape& s = c.shape(c.input(n, 0));
  const auto rank = static_cast<std::int64_t>(s.size());
  std::int64_t start = n.get_int("start", 0);
  std::int64_t end = n.get_int("end", rank);
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<std::int64_t>(start, 0, rank);
  end = std::clamp<std::int64_t>(end, start, rank);
  const std::vector<std::int64_t> dims(s.begin() + start, s.begin() + end);
  c.bind_output(n, 0, c.graph().add_constant<std::int64_t>(c.unique_name(n.output(0)), DType::kInt64,
                                                           {static_cast<std::int64_t>(dims.size())}, dims));
}

void convert_flatten(ImportContext& c, const NodeView& n) {
  const TensorId x = c.input(n, 0);
  const Shape xs = c.shape(x);
  const std::int64_t axis = n.get_int("axis", 1) < 0 ? n.get_int("axis", 1) + static_cast<std::int64_t>(xs.size())
                                                      : n.get_int("axis", 1);
  std::int64_t outer = 1;
  for (std::int64_t d = 0; d < axis; ++d) outer *= xs[static_cast<std::size_t>(d)];
  c.bind_output(n, 0, c.reshape(x, {outer, element_count(xs) / std::max<std::int64_t>(outer, 1)}, n.name()));
}

void convert_reshape(ImportContext& c, const NodeView& n) {
  const TensorId x = c.input(n, 0);
  const Shape xs = c.shape(x);
  std::vector<std::int64_t> target = n.opset() < 5 ? n.get_ints("shape") : c.constant_ints(n, 1);
  const bool allow_zero = n.get_int("allowzero", 0) != 0;
  std::int64_t known = 1;
  std::optional<std::size_t> infer;
  for (std::size_t i = 0; i < target.size(); ++i) {
    if (target[i] == 0 && !allow_zero) {
      if (i >= xs.size()) throw fail("node '{}' (Reshape): 0 at position {} has no input dimension to copy", n.name(), i);
      target[i] = xs[i];
    }
    if (target[i] == -1) {
      if (infer) throw fail("node '{}' (Reshape): more than one -1 in the shape", n.name());
      infer = i;
    } else {
      known *= target[i];
    }
  }
  if (infer) {
    if (known == 0 || element_count(xs) % known != 0) {
      throw fail("node '{}' (Reshape): cannot reshape {} to {}", n.name(), shape_string(xs), shape_string(target));
    }
    target[*infer] = element_count(xs) / known;
  }
  if (element_count(target) != element_count(xs)) {
    throw fail("node '{}' (Reshape): cannot reshape {} ({} values) to {}", n.name(), shape_string(xs),
               element_count(xs), shape_string(target));
  }
  c.bind_output(n, 0, c.reshape(x, target, n.name()));
}

void convert_transpose(ImportContext& c, const NodeView& n) {
  const TensorId x = c.input(n, 0);
  std::vector<std::int64_t> perm = n.get_ints("perm");
  if (perm.empty()) {
    for (std::size_t d = c.rank(x); d-- > 0;) perm.push_back(static_cast<std::int64_t>(d));
  }
  c.bind_output(n, 0, c.transpose(x, to_i32(perm), n.name()));
}

void convert_squeeze(ImportContext& c, const NodeView& n) {
  const TensorId x = c.input(n, 0);
  const Shape xs = c.shape(x);
  const auto axes = normalize_axes(axes_of(c, n, 1, 13), xs.size(), n);
  Shape out;
  for (std::size_t d = 0; d < xs.size(); ++d) {
    const bool listed = std::find(axes.begin(), axes.end(), static_cast<std::int64_t>(d)) != axes.end();
    if (listed && xs[d] != 1) throw fail("node '{}' (Squeeze): dimension {} has size {}, not 1", n.name(), d, xs[d]);
    if (listed || (axes.empty() && xs[d] == 1)) continue;
    out.push_back(xs[d]);
  }
  c.bind_output(n, 0, c.reshape(x, out, n.name()));
}

void convert_unsqueeze(ImportContext& c, const NodeView& n) {
  const TensorId x = c.input(n, 0);
  const Shape xs = c.shape(x);
  const std::size_t rank = xs.size() + axes_of(c, n, 1, 13).size();
  const auto axes = normalize_axes(axes_of(c, n, 1, 13), rank, n);
  Shape out;
  std::size_t next = 0;
  for (std::size_t d = 0; d < rank; ++d) {
    if (std::find(axes.begin(), axes.end(), static_cast<std::int64_t>(d)) != axes.end()) {
      out.push_back(1);
    } else {
      out.push_back(xs.at(next++));
    }
  }
  c.bind_output(n, 0, c.reshape(x, out, n.name()));
}

void convert_concat(ImportContext& c, const NodeView& n) {
  std::vector<TensorId> inputs;
  for (std::size_t i = 0; i < n.input_count(); ++i) {
    const TensorId id = c.input(n, i);
    if (id != kNoTensor && element_count(c.shape(id)) > 0) inputs.push_back(id);
  }
  if (inputs.empty()) throw fail("node '{}' (Concat): every input is empty", n.name());
  ConcatenationOptions o;
  o.axis = static_cast<int>(normalize_axis(n.get_int("axis", 0), c.rank(inputs.front()), n));
  if (inputs.size() == 1) {
    c.bind_output(n, 0, inputs.front());
    return;
  }
  c.bind_output(n, 0, c.emit1(OpType::kConcatenation, n.name(), inputs, o));
}

void convert_split(ImportContext& c, const NodeView& n) {
  const TensorId x = c.input(n, 0);
  const std::int64_t axis = normalize_axis(n.get_int("axis", 0), c.rank(x), n);
  const std::int64_t dim = c.shape(x)[static_cast<std::size_t>(axis)];
  std::vector<std::int64_t> sizes = n.opset() < 13 ? n.get_ints("split") : (n.has_input(1) ? c.constant_ints(n, 1) : std::vector<std::int64_t>{});
  const auto outputs = n.output_count();
  if (sizes.empty()) {
    // Equal parts; opset 18's num_outputs allows a smaller last part.
    const auto parts = static_cast<std::int64_t>(outputs);
    const std::int64_t part = (dim + parts - 1) / parts;
    for (std::int64_t i = 0; i < parts; ++i) sizes.push_back(std::min(part, dim - i * part));
  }
  if (sizes.size() != outputs) throw fail("node '{}' (Split): {} sizes for {} outputs", n.name(), sizes.size(), outputs);
  SplitOptions o;
  o.num_splits = static_cast<int>(outputs);
  const TensorId axis_id = c.constant_i32(n.name() + "/axis", {static_cast<std::int32_t>(axis)}, Shape{});
  std::vector<TensorId> parts;
  if (std::all_of(sizes.begin(), sizes.end(), [&](std::int64_t s) { return s == sizes.front(); })) {
    parts = c.emit(OpType::kSplit, n.name(), {axis_id, x}, o, outputs);
  } else {
    const TensorId size_id = c.constant_i32(n.name() + "/sizes", to_i32(sizes));
    parts = c.emit(OpType::kSplitV, n.name(), {x, size_id, axis_id}, o, outputs);
  }
  for (std::size_t i = 0; i < outputs; ++i) c.bind_output(n, i, parts[i]);
}

void convert_slice(ImportContext& c, const NodeView& n) {
  const TensorId x = c.input(n, 0);
  const Shape xs = c.shape(x);
  std::vector<std::int64_t> starts;
  std::vector<std::int64_t> ends;
  std::vector<std::int64_t> axes;
  std::vector<std::int64_t> steps;
  if (n.opset() < 10) {
    starts = n.get_ints("starts");
    ends = n.get_ints("ends");
    axes = n.get_ints("axes");
  } else {
    starts = c.constant_ints(n, 1);
    ends = c.constant_ints(n, 2);
    if (n.has_input(3)) axes = c.constant_ints(n, 3);
    if (n.has_input(4)) steps = c.constant_ints(n, 4);
  }
  if (axes.empty()) {
    for (std::size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<std::int64_t>(i));
  }
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size()) {
    throw fail("node '{}' (Slice): starts, ends, axes and steps must have the same length", n.name());
  }
  const std::size_t rank = xs.size();
  std::vector<std::int32_t> begin(rank, 0);
  std::vector<std::int32_t> end(rank);
  std::vector<std::int32_t> stride(rank, 1);
  for (std::size_t d = 0; d < rank; ++d) end[d] = static_cast<std::int32_t>(xs[d]);
  StridedSliceOptions o;
  for (std::size_t i = 0; i < starts.size(); ++i) {
    const auto axis = static_cast<std::size_t>(normalize_axis(axes[i], rank, n));
    const std::int64_t dim = xs[axis];
    const std::int64_t step = steps[i];
    if (step == 0) throw fail("node '{}' (Slice): step 0", n.name());
    std::int64_t s = starts[i] < 0 ? starts[i] + dim : starts[i];
    std::int64_t e = ends[i] < 0 ? ends[i] + dim : ends[i];
    if (step > 0) {
      s = std::clamp<std::int64_t>(s, 0, dim);
      e = std::clamp<std::int64_t>(e, 0, dim);
    } else {
      s = std::clamp<std::int64_t>(s, 0, dim - 1);
      e = std::clamp<std::int64_t>(e, -1, dim - 1);
      if (e == -1) o.end_mask |= 1 << axis;  // runs through index 0
    }
    begin[axis] = static_cast<std::int32_t>(s);
    end[axis] = static_cast<std::int32_t>(e);
    stride[axis] = static_cast<std::int32_t>(step);
  }
  const TensorId b = c.constant_i32(n.name() + "/begin", begin);
  const TensorId e = c.constant_i32(n.name() + "/end", end);
  const TensorId s = c.constant_i32(n.name() + "/strides", stride);
  c.bind_output(n, 0, c.emit1(OpType::kStridedSlice, n.name(), {x, b, e, s}, o));
}

void convert_gather(ImportContext& c, const NodeView& n) {
  const TensorId data = c.input(n, 0);
  TensorId indices = c.input(n, 1);
  const std::int64_t axis = normalize_axis(n.get_int("axis", 0), c.rank(data), n);
  if (c.is_constant(indices)) {
    // ONNX allows negative indices; TFLite does not: normalise them now.
    const std::int64_t dim = c.shape(data)[static_cast<std::size_t>(axis)];
    std::vector<std::int32_t> values;
    for (const auto v : c.constant_ints(n, 1)) {
      if (v < -dim || v >= dim) throw fail("node '{}' (Gather): index {} out of range for size {}", n.name(), v, dim);
      values.push_back(static_cast<std::int32_t>(v < 0 ? v + dim : v));
    }
    const Shape index_shape = c.shape(indices);
    indices = c.graph().add_constant<std::int32_t>(c.unique_name(n.name() + "/indices"), DType::kInt32,
                                                   index_shape, values);
  }
  GatherOptions o;
  o.axis = static_cast<int>(axis);
  c.bind_output(n, 0, c.emit1(OpType::kGather, n.name(), {data, indices}, o));
}

std::optional<std::string> check_pad(const NodeView& n) {
  const std::string mode = n.get_string("mode", "constant");
  if (mode != "constant") return "mode '" + mode + "' is not supported (only constant)";
  if (n.input_count() > 3 && n.has_input(3)) return "the axes input (opset 18) is not supported";
  return std::nullopt;
}

void convert_pad(ImportContext& c, const NodeView& n) {
  const TensorId x = c.input(n, 0);
  const std::size_t rank = c.rank(x);
  const auto pads = n.opset() < 11 ? n.get_ints("pads") : c.constant_ints(n, 1);
  if (pads.size() != 2 * rank) throw fail("node '{}' (Pad): {} pads for rank {}", n.name(), pads.size(), rank);
  std::vector<std::int32_t> paddings;
  for (std::size_t d = 0; d < rank; ++d) {
    if (pads[d] < 0 || pads[d + rank] < 0) throw fail("node '{}' (Pad): negative pads are not supported", n.name());
    paddings.push_back(static_cast<std::int32_t>(pads[d]));
    paddings.push_back(static_cast<std::int32_t>(pads[d + rank]));
  }
  float value = n.opset() < 11 ? n.get_float("value", 0.0F) : 0.0F;
  if (n.opset() >= 11 && n.has_input(2)) value = c.constant_floats(n, 2).at(0);
  const TensorId p = c.constant_i32(n.name() + "/paddings", paddings, {static_cast<std::int64_t>(rank), 2});
  if (value == 0.0F) {
    c.bind_output(n, 0, c.emit1(OpType::kPad, n.name(), {x, p}));
  } else {
    c.bind_output(n, 0, c.emit1(OpType::kPadV2, n.name(), {x, p, c.constant_f32(n.name() + "/value", {value}, {})}));
  }
}

void convert_cast(ImportContext& c, const NodeView& n) {
  const TensorId x = c.input(n, 0);
  CastOptions o;
  o.output_type = dtype_from_onnx(static_cast<int>(n.get_int("to", 1)), fmt::format("node '{}' (Cast)", n.name()));
  if (o.output_type == c.tensor(x).dtype) {
    c.bind_output(n, 0, x);
    return;
  }
  c.bind_output(n, 0, c.emit1(OpType::kCast, n.name(), {x}, o));
}

void convert_constant_of_shape(ImportContext& c, const NodeView& n) {
  const auto dims = c.constant_ints(n, 0);
  const Shape shape(dims.begin(), dims.end());
  const onnx::TensorProto* proto = n.get_tensor("value");
  const Tensor value = proto != nullptr ? tensor_from_proto(*proto, {}) : Tensor{};
  const std::string name = n.output(0);
  TensorId id = kNoTensor;
  if (proto == nullptr || value.dtype == DType::kFloat32) {
    id = fill_constant<float>(c, name, DType::kFloat32, shape, proto == nullptr ? 0.0F : value.values<float>().at(0));
  } else if (value.dtype == DType::kInt64) {
    id = fill_constant<std::int64_t>(c, name, DType::kInt64, shape, value.values<std::int64_t>().at(0));
  } else if (value.dtype == DType::kInt32) {
    id = fill_constant<std::int32_t>(c, name, DType::kInt32, shape, value.values<std::int32_t>().at(0));
  } else {
    throw fail("node '{}' (ConstantOfShape): value type {} is not supported", n.name(), dtype_name(value.dtype));
  }
  c.bind_output(n, 0, id);
}

}  // namespace octet::onnx_import
