#include "onnx/rewrite_patterns.h"

#include <cmath>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "onnx/tensor_proto.h"

namespace octet::onnx_import {

namespace {

constexpr double kScalarTolerance = 1e-4;

class GraphIndex {
 public:
  explicit GraphIndex(const onnx::GraphProto& graph) : graph_(graph) {
    for (const auto& init : graph.initializer()) initializers_[init.name()] = &init;
    for (int i = 0; i < graph.node_size(); ++i) {
      const auto& node = graph.node(i);
      for (const auto& out : node.output()) producer_[out] = i;
      for (const auto& in : node.input()) ++uses_[in];
    }
    for (const auto& out : graph.output()) ++uses_[out.name()];
  }

  // The value of a one-element float constant (initializer or Constant node).
  std::optional<double> scalar(const std::string& name) const {
    const onnx::TensorProto* proto = nullptr;
    if (auto it = initializers_.find(name); it != initializers_.end()) proto = it->second;
    if (proto == nullptr) {
      const auto p = producer_.find(name);
      if (p == producer_.end()) return std::nullopt;
      const auto& node = graph_.node(p->second);
      if (node.op_type() != "Constant") return std::nullopt;
      for (const auto& a : node.attribute()) {
        if (a.name() == "value" && a.has_t()) proto = &a.t();
      }
    }
    if (proto == nullptr || proto->data_type() != onnx::TensorProto::FLOAT) return std::nullopt;
    try {
      const Tensor t = tensor_from_proto(*proto, {});
      const auto values = t.values<float>();
      if (values.size() != 1) return std::nullopt;
      return static_cast<double>(values[0]);
    } catch (...) {
      return std::nullopt;
    }
  }

  // The single node reading `value`, if exactly one does (and it is no graph output).
  std::optional<int> only_consumer(const std::string& value) const {
    if (auto it = uses_.find(value); it == uses_.end() || it->second != 1) return std::nullopt;
    for (int i = 0; i < graph_.node_size(); ++i) {
      for (const auto& in : graph_.node(i).input()) {
        if (in == value) return i;
      }
    }
    return std::nullopt;
  }

  const onnx::NodeProto& node(int i) const { return graph_.node(i); }
  std::optional<int> producer(const std::string& value) const {
    const auto it = producer_.find(value);
    if (it == producer_.end()) return std::nullopt;
    return it->second;
  }

 private:
  const onnx::GraphProto& graph_;
  std::unordered_map<std::string, const onnx::TensorProto*> initializers_;
  std::unordered_map<std::string, int> producer_;
  std::unordered_map<std::string, int> uses_;
};

bool near(std::optional<double> value, double expected) {
  return value && std::abs(*value - expected) <= kScalarTolerance * std::max(1.0, std::abs(expected));
}

// For a binary node with one scalar-constant operand: the other operand.
std::optional<std::string> other_operand(const GraphIndex& index, const onnx::NodeProto& node, double constant) {
  if (node.input_size() != 2) return std::nullopt;
  if (near(index.scalar(node.input(1)), constant)) return node.input(0);
  if (near(index.scalar(node.input(0)), constant)) return node.input(1);
  return std::nullopt;
}

struct GeluMatch {
  std::string x;
  std::string output;
  std::vector<int> nodes;
};

// Erf at `erf_index`: x / sqrt(2) (or x * 1/sqrt(2)) -> Erf -> + 1 -> * x -> * 0.5 (any order of the two Muls).
std::optional<GeluMatch> match_gelu(const GraphIndex& index, int erf_index) {
  const auto& erf = index.node(erf_index);
  const auto scaled_by = index.producer(erf.input(0));
  if (!scaled_by) return std::nullopt;
  const auto& scale = index.node(*scaled_by);
  std::optional<std::string> x;
  if (scale.op_type() == "Div" && near(index.scalar(scale.input(1)), std::sqrt(2.0))) x = scale.input(0);
  if (scale.op_type() == "Mul") x = other_operand(index, scale, 1.0 / std::sqrt(2.0));
  if (!x) return std::nullopt;

  const auto add_index = index.only_consumer(erf.output(0));
  if (!add_index || index.node(*add_index).op_type() != "Add") return std::nullopt;
  const auto& add = index.node(*add_index);
  if (other_operand(index, add, 1.0) != erf.output(0)) return std::nullopt;

  const auto mul1_index = index.only_consumer(add.output(0));
  if (!mul1_index || index.node(*mul1_index).op_type() != "Mul") return std::nullopt;
  const auto& mul1 = index.node(*mul1_index);
  const std::string other = mul1.input(0) == add.output(0) ? mul1.input(1) : mul1.input(0);

  GeluMatch match{*x, {}, {*scaled_by, erf_index, *add_index, *mul1_index}};
  if (other == *x) {
    // (x * (1 + erf)) * 0.5
    const auto half_index = index.only_consumer(mul1.output(0));
    if (!half_index || index.node(*half_index).op_type() != "Mul") return std::nullopt;
    if (other_operand(index, index.node(*half_index), 0.5) != mul1.output(0)) return std::nullopt;
    match.output = index.node(*half_index).output(0);
    match.nodes.push_back(*half_index);
  } else {
    // (x * 0.5) * (1 + erf)
    const auto half_index = index.producer(other);
    if (!half_index || index.node(*half_index).op_type() != "Mul") return std::nullopt;
    if (other_operand(index, index.node(*half_index), 0.5) != *x) return std::nullopt;
    if (!index.only_consumer(other)) return std::nullopt;
    match.output = mul1.output(0);
    match.nodes.push_back(*half_index);
  }
  // x / sqrt(2) must feed only the Erf.
  if (!index.only_consumer(scale.output(0))) return std::nullopt;
  return match;
}

}  // namespace

int rewrite_patterns(onnx::GraphProto& graph) {
  std::unordered_set<int> removed;
  std::unordered_map<int, onnx::NodeProto> replacement;  // placed at the last node of each match
  {
    const GraphIndex index(graph);
    for (int i = 0; i < graph.node_size(); ++i) {
      if (graph.node(i).op_type() != "Erf" || removed.count(i) > 0) continue;
      const auto match = match_gelu(index, i);
      if (!match) continue;
      int last = 0;
      for (const int n : match->nodes) {
        removed.insert(n);
        last = std::max(last, n);
      }
      onnx::NodeProto gelu;
      gelu.set_op_type("Gelu");
      gelu.set_name(graph.node(i).name() + "/gelu");
      gelu.add_input(match->x);
      gelu.add_output(match->output);
      replacement[last] = gelu;
    }
  }
  if (removed.empty()) return 0;
  google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
  for (int i = 0; i < graph.node_size(); ++i) {
    if (auto it = replacement.find(i); it != replacement.end()) {
      *nodes.Add() = it->second;
    } else if (removed.count(i) == 0) {
      *nodes.Add() = graph.node(i);
    }
  }
  graph.mutable_node()->Swap(&nodes);
  return static_cast<int>(replacement.size());
}

}  // namespace octet::onnx_import
