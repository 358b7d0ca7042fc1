#include "onnx/import_context.h"

#include "core/error.h"
#include "onnx/node_view.h"
#include "passes/fold_constants.h"
#include "runtime/kernel.h"

namespace octet::onnx_import {

bool ImportContext::has_value(const std::string& onnx_name) const { return values_.count(onnx_name) > 0; }

TensorId ImportContext::value(const std::string& onnx_name) const {
  const auto it = values_.find(onnx_name);
  if (it == values_.end()) throw fail("ONNX value '{}' is used before it is defined", onnx_name);
  return it->second;
}

void ImportContext::bind(const std::string& onnx_name, TensorId id) {
  onnx_named_.insert(id);
  values_[onnx_name] = id;
  names_.insert(onnx_name);
  if (const auto it = name_uses_.find(onnx_name); it != name_uses_.end()) tensor_uses_[id] += it->second;
}

TensorId ImportContext::input(const NodeView& node, std::size_t i) const {
  return node.has_input(i) ? value(node.input(i)) : kNoTensor;
}

void ImportContext::bind_output(const NodeView& node, std::size_t i, TensorId id) {
  if (i >= node.output_count() || node.output(i).empty()) return;
  // A tensor this node created takes the ONNX value's name (aliases keep theirs).
  if (onnx_named_.insert(id).second) graph_.tensor(id).name = node.output(i);
  bind(node.output(i), id);
}

void ImportContext::node_done(const NodeView& node) {
  for (std::size_t i = 0; i < node.input_count(); ++i) {
    if (!node.has_input(i)) continue;
    const auto value = values_.find(node.input(i));
    if (value == values_.end()) continue;
    const auto it = tensor_uses_.find(value->second);
    if (it == tensor_uses_.end() || --it->second > 0) continue;
    graph_.release_if_unused(value->second);
  }
  // Constants the converter made and folded away (a transposed weight before
  // its per-group slices, ...): nothing can name them once the node is done.
  const auto count = static_cast<TensorId>(graph_.tensor_count());
  for (auto id = static_cast<TensorId>(node_first_tensor_); id < count; ++id) {
    if (onnx_named_.count(id) == 0) graph_.release_if_unused(id);
  }
  node_first_tensor_ = graph_.tensor_count();
}

std::string ImportContext::unique_name(const std::string& base) {
  std::string name = base;
  for (int suffix = 1; names_.count(name) > 0; ++suffix) name = fmt::format("{}_{}", base, suffix);
  names_.insert(name);
  return name;
}

std::vector<TensorId> ImportContext::emit(OpType type, const std::string& name, std::vector<TensorId> inputs,
                                          OpOptions options, std::size_t outputs) {
  std::vector<TensorId> ids;
  for (std::size_t i = 0; i < outputs; ++i) {
    Tensor t;
    t.name = unique_name(outputs == 1 ? name : fmt::format("{}:{}", name, i));
    ids.push_back(graph_.add_tensor(std::move(t)));
  }
  Op& op = graph_.add_op(type, name, std::move(inputs), ids, std::move(options));
  const std::vector<TensorSpec> specs = infer_outputs(graph_, op);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    Tensor& t = graph_.tensor(ids[i]);
    t.dtype = specs[i].dtype;
    t.shape = specs[i].shape;
  }
  fold_if_constant(graph_, graph_.ops().size() - 1);
  return ids;
}

TensorId ImportContext::emit1(OpType type, const std::string& name, std::vector<TensorId> inputs,
                              OpOptions options) {
  return emit(type, name, std::move(inputs), std::move(options), 1).front();
}

TensorId ImportContext::emit1(OpType type, const std::string& name, std::vector<TensorId> inputs) {
  return emit1(type, name, std::move(inputs), default_options(type));
}

TensorId ImportContext::constant_i32(const std::string& name, const std::vector<std::int32_t>& values,
                                     Shape shape) {
  if (shape.empty()) shape = {static_cast<std::int64_t>(values.size())};
  return graph_.add_constant<std::int32_t>(unique_name(name), DType::kInt32, std::move(shape), values);
}

TensorId ImportContext::constant_f32(const std::string& name, const std::vector<float>& values, Shape shape) {
  return graph_.add_constant<float>(unique_name(name), DType::kFloat32, std::move(shape), values);
}

TensorId ImportContext::transpose(TensorId x, const std::vector<std::int32_t>& perm, const std::string& name) {
  const TensorId p = constant_i32(name + "/perm", perm);
  return emit1(OpType::kTranspose, name, {x, p});
}

TensorId ImportContext::reshape(TensorId x, const Shape& shape, const std::string& name) {
  std::vector<std::int32_t> dims;
  for (const auto d : shape) dims.push_back(static_cast<std::int32_t>(d));
  const TensorId s = constant_i32(name + "/shape", dims);
  return emit1(OpType::kReshape, name, {x, s});
}

namespace {
template <typename T>
std::vector<std::int64_t> widen(const Tensor& t) {
  const auto values = t.values<T>();
  return {values.begin(), values.end()};
}
}  // namespace

std::vector<std::int64_t> ImportContext::constant_ints(const NodeView& node, std::size_t input) const {
  const TensorId id = this->input(node, input);
  if (!is_constant(id)) {
    throw fail("node '{}' ({}): input {} ('{}') must be a constant (octet converts static graphs)", node.name(),
               node.op_type(), input, node.has_input(input) ? node.input(input) : std::string());
  }
  const Tensor& t = graph_.tensor(id);
  switch (t.dtype) {
    case DType::kInt64: return widen<std::int64_t>(t);
    case DType::kInt32: return widen<std::int32_t>(t);
    case DType::kInt16: return widen<std::int16_t>(t);
    case DType::kInt8: return widen<std::int8_t>(t);
    case DType::kUint8: return widen<std::uint8_t>(t);
    default: break;
  }
  throw fail("node '{}' ({}): input {} must hold integers, not {}", node.name(), node.op_type(), input,
             dtype_name(t.dtype));
}

std::vector<float> ImportContext::constant_floats(const NodeView& node, std::size_t input) const {
  const TensorId id = this->input(node, input);
  if (!is_constant(id)) {
    throw fail("node '{}' ({}): input {} must be a constant", node.name(), node.op_type(), input);
  }
  const Tensor& t = graph_.tensor(id);
  if (t.dtype == DType::kFloat32) return t.values<float>();
  if (t.dtype == DType::kInt64 || t.dtype == DType::kInt32) {
    const auto ints = constant_ints(node, input);
    return {ints.begin(), ints.end()};
  }
  throw fail("node '{}' ({}): input {} must hold float32 values, not {}", node.name(), node.op_type(), input,
             dtype_name(t.dtype));
}

}  // namespace octet::onnx_import
