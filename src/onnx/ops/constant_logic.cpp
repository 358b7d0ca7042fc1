// Equal, Where and Expand on constants only: the shape logic exporters write
// around Expand (PyTorch's `expand(n, -1, -1)` becomes
// Where(Equal(shape, -1), 1, shape)), evaluated while importing. On values
// computed from the model's inputs they are refused by the pre-check.

#include <cstring>

#include "core/error.h"
#include "onnx/ops/ops.h"

namespace octet::onnx_import {

namespace {

Shape broadcast(const NodeView& n, Shape a, Shape b) {
  if (a.size() < b.size()) std::swap(a, b);
  b.insert(b.begin(), a.size() - b.size(), 1);
  for (std::size_t d = 0; d < a.size(); ++d) {
    if (a[d] == b[d] || b[d] == 1) continue;
    if (a[d] != 1) {
      throw fail("node '{}' ({}): shapes {} and {} do not broadcast", n.name(), n.op_type(), shape_string(a),
                 shape_string(b));
    }
    a[d] = b[d];
  }
  return a;
}

// Flat index into `in` of every element of the broadcast shape `out`.
std::vector<std::int64_t> gather_indices(const Shape& in, const Shape& out) {
  const std::size_t rank = out.size();
  Shape padded(rank - in.size(), 1);
  padded.insert(padded.end(), in.begin(), in.end());
  std::vector<std::int64_t> stride(rank, 0);
  std::int64_t s = 1;
  for (std::size_t d = rank; d-- > 0;) {
    stride[d] = padded[d] == 1 ? 0 : s;
    s *= padded[d];
  }
  std::vector<std::int64_t> result(static_cast<std::size_t>(element_count(out)));
  std::vector<std::int64_t> index(rank, 0);
  for (auto& r : result) {
    std::int64_t flat = 0;
    for (std::size_t d = 0; d < rank; ++d) flat += index[d] * stride[d];
    r = flat;
    for (std::size_t d = rank; d-- > 0;) {
      if (++index[d] < out[d]) break;
      index[d] = 0;
    }
  }
  return result;
}

const Tensor& constant_input(ImportContext& c, const NodeView& n, std::size_t i) {
  const TensorId id = c.input(n, i);
  if (!c.is_constant(id)) {
    throw fail("node '{}' ({}): input {} ('{}') must be a constant (octet evaluates {} on shape logic only)", n.name(),
               n.op_type(), i, n.input(i), n.op_type());
  }
  return c.tensor(id);
}

// `from` broadcast to `shape`, as a new constant.
TensorId broadcast_copy(ImportContext& c, const NodeView& n, const Tensor& from, const Shape& shape) {
  const std::size_t size = dtype_size(from.dtype);
  const auto indices = gather_indices(from.shape, shape);
  auto bytes = std::make_shared<Bytes>(indices.size() * size);
  for (std::size_t i = 0; i < indices.size(); ++i) {
    std::memcpy(bytes->data() + i * size, from.data->data() + static_cast<std::size_t>(indices[i]) * size, size);
  }
  Tensor t;
  t.name = c.unique_name(n.output(0));
  t.dtype = from.dtype;
  t.shape = shape;
  t.data = std::move(bytes);
  return c.graph().add_tensor(std::move(t));
}

}  // namespace

std::optional<std::string> check_constant_logic(const NodeView& n) {
  for (std::size_t i = 0; i < n.input_count(); ++i) {
    if (n.input_facts(i).from_inputs) {
      return fmt::format("input {} ('{}') is computed from the model's inputs: {} is supported on constant shape "
                         "logic only",
                         i, n.input(i), n.op_type());
    }
  }
  return std::nullopt;
}

void convert_equal(ImportContext& c, const NodeView& n) {
  const Tensor& a = constant_input(c, n, 0);
  const Tensor& b = constant_input(c, n, 1);
  const Shape shape = broadcast(n, a.shape, b.shape);
  const bool floats = a.dtype == DType::kFloat32;
  std::vector<double> x;
  std::vector<double> y;
  if (floats) {
    for (const float v : c.constant_floats(n, 0)) x.push_back(v);
    for (const float v : c.constant_floats(n, 1)) y.push_back(v);
  } else {
    for (const auto v : c.constant_ints(n, 0)) x.push_back(static_cast<double>(v));
    for (const auto v : c.constant_ints(n, 1)) y.push_back(static_cast<double>(v));
  }
  const auto ia = gather_indices(a.shape, shape);
  const auto ib = gather_indices(b.shape, shape);
  std::vector<std::uint8_t> out(ia.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = x[static_cast<std::size_t>(ia[i])] == y[static_cast<std::size_t>(ib[i])] ? 1 : 0;
  }
  c.bind_output(n, 0, c.graph().add_constant<std::uint8_t>(c.unique_name(n.output(0)), DType::kBool, shape, out));
}

void convert_where(ImportContext& c, const NodeView& n) {
  const Tensor& cond = constant_input(c, n, 0);
  const Tensor& x = constant_input(c, n, 1);
  const Tensor& y = constant_input(c, n, 2);
  if (cond.dtype != DType::kBool || x.dtype != y.dtype) {
    throw fail("node '{}' (Where): expects a bool condition and two values of one type, got {}, {} and {}", n.name(),
               dtype_name(cond.dtype), dtype_name(x.dtype), dtype_name(y.dtype));
  }
  const Shape shape = broadcast(n, broadcast(n, cond.shape, x.shape), y.shape);
  const std::size_t size = dtype_size(x.dtype);
  const auto ic = gather_indices(cond.shape, shape);
  const auto ix = gather_indices(x.shape, shape);
  const auto iy = gather_indices(y.shape, shape);
  auto bytes = std::make_shared<Bytes>(ic.size() * size);
  for (std::size_t i = 0; i < ic.size(); ++i) {
    const bool pick_x = std::to_integer<int>(cond.data->at(static_cast<std::size_t>(ic[i]))) != 0;
    const Tensor& from = pick_x ? x : y;
    const std::int64_t j = pick_x ? ix[i] : iy[i];
    std::memcpy(bytes->data() + i * size, from.data->data() + static_cast<std::size_t>(j) * size, size);
  }
  Tensor t;
  t.name = c.unique_name(n.output(0));
  t.dtype = x.dtype;
  t.shape = shape;
  t.data = std::move(bytes);
  c.bind_output(n, 0, c.graph().add_tensor(std::move(t)));
}

void convert_expand(ImportContext& c, const NodeView& n) {
  const Tensor& x = constant_input(c, n, 0);
  const std::vector<std::int64_t> dims = c.constant_ints(n, 1);
  const Shape shape = broadcast(n, x.shape, Shape(dims.begin(), dims.end()));
  c.bind_output(n, 0, broadcast_copy(c, n, x, shape));
}

}  // namespace octet::onnx_import
