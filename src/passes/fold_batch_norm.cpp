#include "passes/fold_batch_norm.h"

#include <fmt/format.h>

#include "passes/graph_edit.h"

namespace octet {

namespace {

bool foldable_producer(OpType t) {
  return t == OpType::kConv2D || t == OpType::kDepthwiseConv2D || t == OpType::kFullyConnected;
}

bool has_fused_activation(const Op& op) {
  return std::visit(
      [](const auto& o) {
        if constexpr (requires { o.activation; }) {
          return o.activation != Activation::kNone;
        } else {
          return false;
        }
      },
      op.options);
}

// Per-output-channel values of a constant that broadcasts only along the last
// axis (shape [C], [1,..,1,C] or a scalar), expanded to `channels`.
std::optional<std::vector<float>> per_channel(const Graph& g, TensorId id, std::int64_t channels) {
  const Tensor& t = g.tensor(id);
  if (!t.is_constant() || t.dtype != DType::kFloat32) return std::nullopt;
  for (std::size_t d = 0; d + 1 < t.shape.size(); ++d) {
    if (t.shape[d] != 1) return std::nullopt;
  }
  const auto values = t.values<float>();
  if (values.size() == 1) return std::vector<float>(static_cast<std::size_t>(channels), values[0]);
  if (static_cast<std::int64_t>(values.size()) != channels) return std::nullopt;
  return values;
}

// Output channel of filter element i, for each layout.
std::size_t channel_of(OpType type, std::size_t i, std::size_t channels, std::size_t per_row) {
  return type == OpType::kDepthwiseConv2D ? i % channels : i / per_row;
}

bool fold_into(Graph& g, std::size_t pi, std::size_t ai) {
  Op& producer = g.ops()[pi];
  const Op& affine = g.ops()[ai];
  const TensorId out = producer.outputs[0];
  const TensorId other = affine.inputs[0] == out ? affine.inputs[1] : affine.inputs[0];
  const Tensor& filter = g.tensor(producer.inputs[1]);
  if (!filter.is_constant() || filter.dtype != DType::kFloat32) return false;
  const std::int64_t channels = g.tensor(out).shape.back();
  const auto factors = per_channel(g, other, channels);
  if (!factors) return false;
  const auto c = static_cast<std::size_t>(channels);

  std::vector<float> bias(c, 0.0F);
  if (producer.inputs.size() > 2 && producer.inputs[2] != kNoTensor) {
    if (!g.tensor(producer.inputs[2]).is_constant()) return false;
    bias = g.tensor(producer.inputs[2]).values<float>();
  }
  std::vector<float> weights = filter.values<float>();
  if (affine.type == OpType::kMul) {
    const std::size_t per_row = weights.size() / c;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      weights[i] = static_cast<float>(static_cast<double>(weights[i]) *
                                      static_cast<double>((*factors)[channel_of(producer.type, i, c, per_row)]));
    }
    for (std::size_t k = 0; k < c; ++k) bias[k] = static_cast<float>(static_cast<double>(bias[k]) * static_cast<double>((*factors)[k]));
    const Shape filter_shape = filter.shape;
    const std::string name = filter.name;
    const TensorId old_filter = producer.inputs[1];
    producer.inputs[1] = g.add_constant<float>(name + "/folded", DType::kFloat32, filter_shape, weights);
    g.release_if_unused(old_filter);
  } else if (affine.type == OpType::kAdd) {
    for (std::size_t k = 0; k < c; ++k) bias[k] = static_cast<float>(static_cast<double>(bias[k]) + static_cast<double>((*factors)[k]));
  } else {
    return false;
  }
  Op& p = g.ops()[pi];
  const std::string bias_name = fmt::format("{}/bias", p.name);
  const TensorId bias_id = g.add_constant<float>(bias_name, DType::kFloat32, {channels}, bias);
  if (p.inputs.size() < 3) p.inputs.push_back(bias_id);
  else p.inputs[2] = bias_id;
  p.outputs[0] = g.ops()[ai].outputs[0];
  g.ops().erase(g.ops().begin() + static_cast<std::ptrdiff_t>(ai));
  return true;
}

}  // namespace

void fold_batch_norm(Graph& graph) {
  bool changed = true;
  while (changed) {
    changed = false;
    for (std::size_t ai = 0; ai < graph.ops().size() && !changed; ++ai) {
      const Op& affine = graph.ops()[ai];
      if (affine.type != OpType::kMul && affine.type != OpType::kAdd) continue;
      if (affine.opts<BinaryOptions>().activation != Activation::kNone) continue;
      for (const TensorId in : affine.inputs) {
        const std::int64_t p = graph.producer(in);
        if (p < 0 || !single_use(graph, in)) continue;
        const Op& producer = graph.ops()[static_cast<std::size_t>(p)];
        if (!foldable_producer(producer.type) || has_fused_activation(producer)) continue;
        if (graph.tensor(in).shape != graph.tensor(affine.outputs[0]).shape) continue;
        if (fold_into(graph, static_cast<std::size_t>(p), ai)) {
          changed = true;
          break;
        }
      }
    }
  }
  graph.remove_unused();
}

}  // namespace octet
