#include "onnx/node_view.h"

#include "core/error.h"

namespace octet::onnx_import {

NodeView::NodeView(const onnx::NodeProto& node, int opset, const ValueFactsMap* facts)
    : node_(node), name_(node.name()), opset_(opset), facts_(facts) {
  if (name_.empty() && node.output_size() > 0) name_ = node.output(0);
}

ValueFacts NodeView::input_facts(std::size_t i) const {
  if (facts_ == nullptr || !has_input(i)) return {};
  const auto it = facts_->find(input(i));
  return it == facts_->end() ? ValueFacts{} : it->second;
}

bool NodeView::has_input(std::size_t i) const { return i < input_count() && !input(i).empty(); }

const onnx::AttributeProto* NodeView::find(const std::string& attribute) const {
  for (const auto& a : node_.attribute()) {
    if (a.name() == attribute) return &a;
  }
  return nullptr;
}

bool NodeView::has(const std::string& attribute) const { return find(attribute) != nullptr; }

const onnx::AttributeProto& NodeView::require(const std::string& attribute,
                                              onnx::AttributeProto::AttributeType type) const {
  const onnx::AttributeProto* a = find(attribute);
  if (a->type() != type) {
    throw fail("node '{}' ({}): attribute '{}' has type {}, expected {}", name_, op_type(), attribute,
               onnx::AttributeProto::AttributeType_Name(a->type()),
               onnx::AttributeProto::AttributeType_Name(type));
  }
  return *a;
}

std::int64_t NodeView::get_int(const std::string& attribute, std::int64_t fallback) const {
  if (!has(attribute)) return fallback;
  return require(attribute, onnx::AttributeProto::INT).i();
}

float NodeView::get_float(const std::string& attribute, float fallback) const {
  if (!has(attribute)) return fallback;
  return require(attribute, onnx::AttributeProto::FLOAT).f();
}

std::string NodeView::get_string(const std::string& attribute, const std::string& fallback) const {
  if (!has(attribute)) return fallback;
  return require(attribute, onnx::AttributeProto::STRING).s();
}

std::vector<std::int64_t> NodeView::get_ints(const std::string& attribute,
                                             std::vector<std::int64_t> fallback) const {
  if (!has(attribute)) return fallback;
  const auto& a = require(attribute, onnx::AttributeProto::INTS);
  return {a.ints().begin(), a.ints().end()};
}

std::vector<float> NodeView::get_floats(const std::string& attribute, std::vector<float> fallback) const {
  if (!has(attribute)) return fallback;
  const auto& a = require(attribute, onnx::AttributeProto::FLOATS);
  return {a.floats().begin(), a.floats().end()};
}

const onnx::TensorProto* NodeView::get_tensor(const std::string& attribute) const {
  if (!has(attribute)) return nullptr;
  return &require(attribute, onnx::AttributeProto::TENSOR).t();
}

}  // namespace octet::onnx_import
