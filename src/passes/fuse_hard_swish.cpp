#include "passes/fuse_hard_swish.h"

#include <cmath>
#include <optional>

#include "passes/graph_edit.h"

namespace octet {

namespace {

constexpr float kHardSwishAlpha = 1.0F / 6.0F;  // HardSwish(x) = x * clamp(x / 6 + 1/2, 0, 1)
constexpr float kHardSwishBeta = 0.5F;
constexpr float kClampLow = 0.0F;
constexpr float kClampHigh = 1.0F;

// The one value of a float32 constant holding a single element.
std::optional<float> scalar_constant(const Graph& graph, TensorId id) {
  const Tensor& t = graph.tensor(id);
  if (!t.is_constant() || t.dtype != DType::kFloat32 || element_count(t.shape) != 1) return std::nullopt;
  const std::vector<float> values = t.values<float>();
  if (values.size() != 1) return std::nullopt;
  return values.front();
}

bool near(float value, float want) { return std::fabs(value - want) <= kHardSwishParamTolerance; }

bool no_fused_activation(const Op& op) {
  const auto* binary = std::get_if<BinaryOptions>(&op.options);
  return binary != nullptr && binary->activation == Activation::kNone;
}

// If `id` is made by an op of `type` (and read by one op only) from a scalar
// constant close to `want` and another tensor: that other tensor.
std::optional<TensorId> scalar_step(const Graph& graph, TensorId id, OpType type, float want) {
  const std::int64_t p = graph.producer(id);
  if (p < 0 || !single_use(graph, id)) return std::nullopt;
  const Op& op = graph.ops()[static_cast<std::size_t>(p)];
  if (op.type != type || op.inputs.size() != 2 || op.outputs.size() != 1) return std::nullopt;
  if (type != OpType::kMaximum && type != OpType::kMinimum && !no_fused_activation(op)) return std::nullopt;
  for (const std::size_t k : {0U, 1U}) {
    const std::optional<float> value = scalar_constant(graph, op.inputs[k]);
    if (value && near(*value, want)) return op.inputs[1 - k];
  }
  return std::nullopt;
}

// The tensor x if `gate` is HardSigmoid(x) with HardSwish's alpha and beta.
std::optional<TensorId> hard_sigmoid_input(const Graph& graph, TensorId gate) {
  const auto high = scalar_step(graph, gate, OpType::kMinimum, kClampHigh);
  if (!high) return std::nullopt;
  const auto low = scalar_step(graph, *high, OpType::kMaximum, kClampLow);
  if (!low) return std::nullopt;
  const auto shift = scalar_step(graph, *low, OpType::kAdd, kHardSwishBeta);
  if (!shift) return std::nullopt;
  const auto scale = scalar_step(graph, *shift, OpType::kMul, kHardSwishAlpha);
  if (!scale) return std::nullopt;
  return scale;
}

}  // namespace

void fuse_hard_swish(Graph& graph) {
  bool changed = false;
  for (Op& op : graph.ops()) {
    if (op.type != OpType::kMul || op.inputs.size() != 2 || op.outputs.size() != 1 || !no_fused_activation(op)) {
      continue;
    }
    const Tensor& out = graph.tensor(op.outputs[0]);
    for (const std::size_t k : {0U, 1U}) {
      const TensorId x = op.inputs[k];
      const std::optional<TensorId> gated = hard_sigmoid_input(graph, op.inputs[1 - k]);
      if (!gated || *gated != x) continue;
      const Tensor& xt = graph.tensor(x);
      if (xt.dtype != DType::kFloat32 || xt.shape != out.shape) continue;
      op.type = OpType::kHardSwish;
      op.inputs = {x};
      op.options = default_options(OpType::kHardSwish);
      changed = true;  // the HardSigmoid chain is now unread: remove_unused drops it
      break;
    }
  }
  if (changed) graph.remove_unused();
}

}  // namespace octet
