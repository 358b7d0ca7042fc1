#include "passes/store_weights_fp16.h"

#include <algorithm>
#include <unordered_map>

#include "passes/graph_edit.h"
#include "runtime/float16.h"

namespace octet {

namespace {

// Inputs that TFLite requires to stay constant int32 or that are tiny scalars
// gain nothing from float16: keep float32 constants with fewer elements.
constexpr std::int64_t kMinElementsForFp16 = 2;

}  // namespace

void store_weights_fp16(Graph& graph) {
  std::unordered_map<TensorId, TensorId> expanded;  // float32 constant -> DEQUANTIZE output
  std::vector<Op> dequantize_ops;
  for (Op& op : graph.ops()) {
    for (TensorId& input : op.inputs) {
      if (input == kNoTensor) continue;
      const Tensor& t = graph.tensor(input);
      if (!t.is_constant() || t.dtype != DType::kFloat32 || element_count(t.shape) < kMinElementsForFp16) continue;
      auto found = expanded.find(input);
      if (found == expanded.end()) {
        const auto values = t.values<float>();
        std::vector<std::uint16_t> halves(values.size());
        std::transform(values.begin(), values.end(), halves.begin(), float_to_half);
        const std::string name = t.name;
        const Shape shape = t.shape;
        const TensorId half = graph.add_constant<std::uint16_t>(name + "/fp16", DType::kFloat16, shape, halves);
        const TensorId full = add_activation_tensor(graph, name, DType::kFloat32, shape);
        dequantize_ops.push_back(Op{OpType::kDequantize, name + "/dequantize", {half}, {full}, NoOptions{}});
        found = expanded.emplace(input, full).first;
      }
      input = found->second;
    }
  }
  graph.ops().insert(graph.ops().begin(), dequantize_ops.begin(), dequantize_ops.end());
  graph.remove_unused();
}

}  // namespace octet
