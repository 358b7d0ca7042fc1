#include "passes/graph_edit.h"

#include <algorithm>

#include "runtime/kernel.h"

namespace octet {

void reinfer_outputs(Graph& graph, const Op& op) {
  const std::vector<TensorSpec> specs = infer_outputs(graph, op);
  for (std::size_t i = 0; i < specs.size(); ++i) {
    Tensor& t = graph.tensor(op.outputs[i]);
    t.dtype = specs[i].dtype;
    t.shape = specs[i].shape;
  }
}

std::optional<std::vector<std::int64_t>> constant_ints(const Graph& graph, TensorId id) {
  if (id == kNoTensor) return std::nullopt;
  const Tensor& t = graph.tensor(id);
  if (!t.is_constant()) return std::nullopt;
  if (t.dtype == DType::kInt32) {
    const auto v = t.values<std::int32_t>();
    return std::vector<std::int64_t>(v.begin(), v.end());
  }
  if (t.dtype == DType::kInt64) return t.values<std::int64_t>();
  return std::nullopt;
}

TensorId add_i32_constant(Graph& graph, const std::string& name, const std::vector<std::int64_t>& values,
                          Shape shape) {
  std::vector<std::int32_t> narrow;
  narrow.reserve(values.size());
  for (const auto v : values) narrow.push_back(static_cast<std::int32_t>(v));
  if (shape.empty()) shape = {static_cast<std::int64_t>(values.size())};
  return graph.add_constant<std::int32_t>(name, DType::kInt32, std::move(shape), narrow);
}

TensorId add_activation_tensor(Graph& graph, const std::string& base, DType dtype, Shape shape) {
  Tensor t;
  t.name = base;
  t.dtype = dtype;
  t.shape = std::move(shape);
  return graph.add_tensor(std::move(t));
}

bool single_use(const Graph& graph, TensorId id) {
  if (graph.is_output(id)) return false;
  std::size_t uses = 0;
  for (const Op& op : graph.ops()) uses += static_cast<std::size_t>(std::count(op.inputs.begin(), op.inputs.end(), id));
  return uses == 1;
}

}  // namespace octet
