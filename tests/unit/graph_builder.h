#pragma once
// Builds small IR graphs op by op for unit tests, with output shapes and
// dtypes from shape inference (the reference kernels' Prepare).

#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/graph.h"
#include "runtime/kernel.h"

namespace octet {

// A float32 activation tensor (neither input nor output yet) added to `g`.
inline TensorId add_float_tensor(Graph& g, const std::string& name, const Shape& shape) {
  Tensor t;
  t.name = name;
  t.dtype = DType::kFloat32;
  t.shape = shape;
  return g.add_tensor(std::move(t));
}

// Builds graphs op by op with shapes from shape inference.
class Builder {
 public:
  TensorId input(const std::string& name, Shape shape) {
    Tensor t;
    t.name = name;
    t.shape = std::move(shape);
    const TensorId id = g.add_tensor(std::move(t));
    g.inputs().push_back(id);
    return id;
  }
  TensorId constant(const std::string& name, Shape shape, std::vector<float> values) {
    return g.add_constant<float>(name, DType::kFloat32, std::move(shape), values);
  }
  TensorId ints(const std::string& name, std::vector<std::int32_t> values) {
    return g.add_constant<std::int32_t>(name, DType::kInt32, {static_cast<std::int64_t>(values.size())}, values);
  }
  TensorId op(OpType type, std::vector<TensorId> inputs, OpOptions options) {
    Tensor t;
    t.name = fmt::format("t{}", g.tensor_count());
    const TensorId out = g.add_tensor(std::move(t));
    Op& o = g.add_op(type, fmt::format("op{}", g.ops().size()), std::move(inputs), {out}, std::move(options));
    const auto specs = infer_outputs(g, o);
    g.tensor(out).shape = specs[0].shape;
    g.tensor(out).dtype = specs[0].dtype;
    return out;
  }
  TensorId op(OpType type, std::vector<TensorId> inputs) { return op(type, std::move(inputs), default_options(type)); }
  TensorId transpose(TensorId x, std::vector<std::int32_t> perm) {
    return op(OpType::kTranspose, {x, ints(fmt::format("perm{}", g.tensor_count()), std::move(perm))});
  }
  Graph g;
};

}  // namespace octet
