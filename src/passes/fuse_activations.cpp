#include "passes/fuse_activations.h"

#include "passes/graph_edit.h"

namespace octet {

namespace {

std::optional<Activation> activation_of(OpType type) {
  switch (type) {
    case OpType::kRelu: return Activation::kRelu;
    case OpType::kRelu6: return Activation::kRelu6;
    case OpType::kReluN1To1: return Activation::kReluN1To1;
    default: return std::nullopt;
  }
}

// Ops whose TFLite kernels apply a fused activation (CONCATENATION has the
// option field, but its kernel requires NONE; TRANSPOSE_CONV with one is
// version 4, which TFLite 2.12 runtimes cannot load).
bool supports_fused_activation(OpType type) {
  switch (type) {
    case OpType::kConv2D: case OpType::kDepthwiseConv2D:
    case OpType::kFullyConnected: case OpType::kAdd: case OpType::kSub: case OpType::kMul: case OpType::kDiv:
    case OpType::kAveragePool2D: case OpType::kMaxPool2D:
      return true;
    default:
      return false;
  }
}

// The producer's activation slot, if its options have one and it is free.
Activation* activation_slot(Op& op) {
  if (!supports_fused_activation(op.type)) return nullptr;
  Activation* slot = std::visit(
      [](auto& o) -> Activation* {
        if constexpr (requires { o.activation; }) {
          return &o.activation;
        } else {
          return nullptr;
        }
      },
      op.options);
  if (slot == nullptr || *slot != Activation::kNone) return nullptr;
  return slot;
}

}  // namespace

void fuse_activations(Graph& graph) {
  for (std::size_t i = 0; i < graph.ops().size(); ++i) {
    const Op& act = graph.ops()[i];
    const auto activation = activation_of(act.type);
    if (!activation) continue;
    const TensorId input = act.inputs[0];
    const std::int64_t p = graph.producer(input);
    if (p < 0 || !single_use(graph, input)) continue;
    Op& producer = graph.ops()[static_cast<std::size_t>(p)];
    Activation* slot = activation_slot(producer);
    if (slot == nullptr || producer.outputs.size() != 1) continue;
    *slot = *activation;
    // The producer now writes the activation's output tensor directly.
    const TensorId output = act.outputs[0];
    producer.outputs[0] = output;
    graph.ops().erase(graph.ops().begin() + static_cast<std::ptrdiff_t>(i));
    --i;
  }
  graph.remove_unused();
}

}  // namespace octet
