#pragma once
// Read access to one ONNX node: typed attributes with defaults and clear
// errors, for the per-op converters in src/onnx/ops/.

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <onnx/onnx_pb.h>

namespace octet::onnx_import {

// What the pre-conversion check knows of an ONNX value from the model's
// declarations alone (inputs, initializers, value_info, Constant nodes, and
// element types carried through type-preserving ops).
struct ValueFacts {
  std::int32_t elem_type = 0;  // onnx::TensorProto::DataType; 0 when unknown
  int rank = -1;               // -1 when unknown
  bool from_inputs = false;    // computed from the model's input data (not only from constants and shapes)
};
using ValueFactsMap = std::unordered_map<std::string, ValueFacts>;

class NodeView {
 public:
  NodeView(const onnx::NodeProto& node, int opset, const ValueFactsMap* facts = nullptr);

  const std::string& op_type() const { return node_.op_type(); }
  // The node's name, or its first output's name when unnamed.
  const std::string& name() const { return name_; }
  int opset() const { return opset_; }
  const onnx::NodeProto& proto() const { return node_; }

  std::size_t input_count() const { return static_cast<std::size_t>(node_.input_size()); }
  // True if input i exists and is not the empty name ONNX uses for "absent".
  bool has_input(std::size_t i) const;
  const std::string& input(std::size_t i) const { return node_.input(static_cast<int>(i)); }
  std::size_t output_count() const { return static_cast<std::size_t>(node_.output_size()); }
  const std::string& output(std::size_t i) const { return node_.output(static_cast<int>(i)); }

  // Pre-check facts of input i (default ValueFacts when unknown).
  ValueFacts input_facts(std::size_t i) const;

  bool has(const std::string& attribute) const;
  std::int64_t get_int(const std::string& attribute, std::int64_t fallback) const;
  float get_float(const std::string& attribute, float fallback) const;
  std::string get_string(const std::string& attribute, const std::string& fallback) const;
  std::vector<std::int64_t> get_ints(const std::string& attribute, std::vector<std::int64_t> fallback = {}) const;
  std::vector<float> get_floats(const std::string& attribute, std::vector<float> fallback = {}) const;
  const onnx::TensorProto* get_tensor(const std::string& attribute) const;

 private:
  const onnx::AttributeProto* find(const std::string& attribute) const;
  const onnx::AttributeProto& require(const std::string& attribute, onnx::AttributeProto::AttributeType type) const;

  const onnx::NodeProto& node_;
  std::string name_;
  int opset_;
  const ValueFactsMap* facts_;
};

}  // namespace octet::onnx_import
