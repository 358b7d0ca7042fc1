#include "passes/rewrite_div_as_mul.h"

#include <algorithm>
#include <cmath>

namespace octet {

void rewrite_div_as_mul(Graph& graph) {
  for (Op& op : graph.ops()) {
    if (op.type != OpType::kDiv) continue;
    const Tensor& divisor = graph.tensor(op.inputs.at(1));
    if (!divisor.is_constant() || divisor.dtype != DType::kFloat32) continue;
    std::vector<float> values = divisor.values<float>();
    const bool invertible =
        std::all_of(values.begin(), values.end(), [](float v) { return v != 0.0F && std::isfinite(1.0F / v); });
    if (!invertible) continue;
    for (float& v : values) v = 1.0F / v;
    const TensorId reciprocal = graph.add_constant<float>(divisor.name + "/reciprocal", DType::kFloat32,
                                                          divisor.shape, values);
    const TensorId old = op.inputs[1];
    op.type = OpType::kMul;  // same options struct (BinaryOptions): the fused activation stays
    op.inputs[1] = reciprocal;
    graph.release_if_unused(old);
  }
  graph.remove_unused();
}

}  // namespace octet
