#include "passes/merge_reshapes.h"

#include <algorithm>

namespace octet {

void merge_reshapes(Graph& graph) {
  for (Op& op : graph.ops()) {
    if (op.type != OpType::kReshape) continue;
    const std::int64_t p = graph.producer(op.inputs[0]);
    if (p >= 0 && graph.ops()[static_cast<std::size_t>(p)].type == OpType::kReshape) {
      op.inputs[0] = graph.ops()[static_cast<std::size_t>(p)].inputs[0];
    }
  }
  for (const Op& op : graph.ops()) {
    if (op.type != OpType::kReshape) continue;
    const TensorId in = op.inputs[0];
    const TensorId out = op.outputs[0];
    const bool is_output = graph.is_output(out);
    if (!is_output && graph.tensor(in).shape == graph.tensor(out).shape) graph.replace_uses(out, in);
  }
  graph.remove_unused();
}

}  // namespace octet
