#pragma once
// The state of one ONNX import: the IR graph being built, the map from ONNX
// value names to IR tensors, and helpers the per-op converters share. Every
// emitted op gets its output dtypes and shapes from the reference kernel's
// Prepare (one source of shape truth), and an op whose inputs are all
// constant is folded at once, which resolves PyTorch's Shape/Gather/Concat/
// Reshape chains into constants while importing.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/graph.h"

namespace octet::onnx_import {

class NodeView;

// NCHW <-> NHWC permutations.
inline const std::vector<std::int32_t> kToNhwc{0, 2, 3, 1};
inline const std::vector<std::int32_t> kToNchw{0, 3, 1, 2};

class ImportContext {
 public:
  explicit ImportContext(Graph& graph) : graph_(graph) {}

  Graph& graph() { return graph_; }
  const Tensor& tensor(TensorId id) const { return graph_.tensor(id); }
  const Shape& shape(TensorId id) const { return graph_.tensor(id).shape; }
  std::size_t rank(TensorId id) const { return graph_.tensor(id).shape.size(); }

  bool has_value(const std::string& onnx_name) const;
  TensorId value(const std::string& onnx_name) const;
  void bind(const std::string& onnx_name, TensorId id);
  // Input i of a node, or kNoTensor when absent.
  TensorId input(const NodeView& node, std::size_t i) const;
  // Binds the node's output i to `id` (renaming the IR tensor to the ONNX name).
  void bind_output(const NodeView& node, std::size_t i, TensorId id);

  // A name not used yet, derived from `base`.
  std::string unique_name(const std::string& base);

  std::vector<TensorId> emit(OpType type, const std::string& name, std::vector<TensorId> inputs,
                             OpOptions options, std::size_t outputs = 1);
  TensorId emit1(OpType type, const std::string& name, std::vector<TensorId> inputs, OpOptions options);
  TensorId emit1(OpType type, const std::string& name, std::vector<TensorId> inputs);

  TensorId constant_i32(const std::string& name, const std::vector<std::int32_t>& values, Shape shape = {});
  TensorId constant_f32(const std::string& name, const std::vector<float>& values, Shape shape);
  TensorId transpose(TensorId x, const std::vector<std::int32_t>& perm, const std::string& name);
  TensorId reshape(TensorId x, const Shape& shape, const std::string& name);

  // A constant input's values as int64 (from any integer dtype); throws
  // naming the node when the input is not constant.
  std::vector<std::int64_t> constant_ints(const NodeView& node, std::size_t input) const;
  // A constant input's values as float (from float32 / float16 / integers).
  std::vector<float> constant_floats(const NodeView& node, std::size_t input) const;
  bool is_constant(TensorId id) const { return id != kNoTensor && graph_.tensor(id).is_constant(); }

  // How many nodes read each ONNX value (graph outputs count as a use). Call
  // before binding any value: the counts are summed per IR tensor, since
  // Identity binds several ONNX names to one tensor.
  void set_use_counts(std::unordered_map<std::string, int> counts) { name_uses_ = std::move(counts); }
  // Called after a node is converted: constants no later node reads and no
  // IR op references are freed at once (the originals of permuted weights,
  // and the intermediate constants the converter folded).
  void node_done(const NodeView& node);

 private:
  Graph& graph_;
  std::unordered_map<std::string, TensorId> values_;
  std::unordered_set<std::string> names_;
  std::unordered_set<TensorId> onnx_named_;  // tensors carrying an ONNX value name
  std::unordered_map<std::string, int> name_uses_;
  std::unordered_map<TensorId, int> tensor_uses_;  // reads left, over every ONNX name bound to the tensor
  std::size_t node_first_tensor_ = 0;              // tensors from here on were created by the current node
};

}  // namespace octet::onnx_import
