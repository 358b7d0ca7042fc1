#pragma once
// octet's graph IR: tensors (values with static shapes and dtypes, constants
// holding their bytes) and operators in topological order. Operators follow
// TensorFlow Lite semantics (see op_options.h), so the graph a model is
// converted to is the graph that is written, read back, and interpreted.

#include <cstdint>
#include <string>
#include <vector>

#include "core/op_options.h"
#include "core/op_table.h"
#include "core/tensor.h"

namespace octet {

using TensorId = std::int32_t;
// An absent optional input (e.g. a convolution without bias), as in TFLite.
inline constexpr TensorId kNoTensor = -1;

struct Op {
  OpType type;
  std::string name;
  std::vector<TensorId> inputs;
  std::vector<TensorId> outputs;
  OpOptions options;

  template <typename T>
  const T& opts() const {
    return std::get<T>(options);
  }
  template <typename T>
  T& opts() {
    return std::get<T>(options);
  }
};

class Graph {
 public:
  TensorId add_tensor(Tensor tensor);
  // A constant from typed values.
  template <typename T>
  TensorId add_constant(std::string name, DType dtype, Shape shape, std::span<const T> values) {
    Tensor t;
    t.name = std::move(name);
    t.dtype = dtype;
    t.shape = std::move(shape);
    t.data = make_bytes(values);
    return add_tensor(std::move(t));
  }
  Op& add_op(OpType type, std::string name, std::vector<TensorId> inputs, std::vector<TensorId> outputs,
             OpOptions options);
  Op& add_op(OpType type, std::string name, std::vector<TensorId> inputs, std::vector<TensorId> outputs);

  Tensor& tensor(TensorId id) { return tensors_.at(static_cast<std::size_t>(id)); }
  const Tensor& tensor(TensorId id) const { return tensors_.at(static_cast<std::size_t>(id)); }
  std::size_t tensor_count() const { return tensors_.size(); }

  std::vector<Op>& ops() { return ops_; }
  const std::vector<Op>& ops() const { return ops_; }
  std::vector<TensorId>& inputs() { return inputs_; }
  const std::vector<TensorId>& inputs() const { return inputs_; }
  std::vector<TensorId>& outputs() { return outputs_; }
  const std::vector<TensorId>& outputs() const { return outputs_; }

  // Index of the op producing `id`, or -1 for graph inputs and constants.
  std::int64_t producer(TensorId id) const;
  // Indices of the ops reading `id`.
  std::vector<std::size_t> consumers(TensorId id) const;
  // Whether `id` is one of the graph's outputs.
  bool is_output(TensorId id) const;
  // Replaces every use of `from` (op inputs and graph outputs) by `to`.
  void replace_uses(TensorId from, TensorId to);
  // Drops ops whose outputs nobody uses and tensors nothing references,
  // renumbering tensor ids. Graph inputs and outputs are kept.
  void remove_unused();
  // Frees a constant's bytes at once if no op, graph input or output reads
  // it (the tensor itself goes at the next remove_unused()). Keeps peak memory
  // near one copy of the weights while passes replace them.
  void release_if_unused(TensorId id);

 private:
  std::vector<Tensor> tensors_;
  std::vector<Op> ops_;
  std::vector<TensorId> inputs_;
  std::vector<TensorId> outputs_;
};

// Checks the structural invariants every pass must keep: ids in range, each
// tensor produced once, ops in topological order, options matching the op
// type, input counts within the op table's bounds, constant byte sizes
// matching shapes. Throws octet::Error naming the op or tensor at fault.
void verify_graph(const Graph& graph);

}  // namespace octet
