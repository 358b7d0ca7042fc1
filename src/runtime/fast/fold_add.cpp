#include "runtime/fast/fold_add.h"

namespace octet::fast {

std::vector<AddFold> find_add_folds(const Graph& graph) {
  const std::vector<Op>& ops = graph.ops();
  std::vector<AddFold> folds;
  for (std::size_t a = 0; a < ops.size(); ++a) {
    const Op& add = ops[a];
    if (add.type != OpType::kAdd || add.inputs.size() != 2 || add.inputs[0] == add.inputs[1]) continue;
    const Tensor& out = graph.tensor(add.outputs[0]);
    if (out.dtype != DType::kFloat32) continue;
    if (graph.tensor(add.inputs[0]).shape != out.shape || graph.tensor(add.inputs[1]).shape != out.shape) continue;
    for (std::size_t side = 0; side < 2; ++side) {
      const TensorId x = add.inputs[side];
      const TensorId r = add.inputs[1 - side];
      const std::int64_t c = graph.producer(x);
      if (c < 0 || ops[static_cast<std::size_t>(c)].type != OpType::kConv2D ||
          ops[static_cast<std::size_t>(c)].opts<Conv2DOptions>().activation != Activation::kNone) {
        continue;
      }
      // x read by the ADD alone (whose two inputs differ), not returned.
      if (graph.is_output(x) || graph.consumers(x).size() != 1 || graph.tensor(x).dtype != DType::kFloat32) continue;
      if (graph.producer(r) >= c) continue;  // not yet written when the convolution runs (-1: input or constant)
      folds.push_back({static_cast<std::size_t>(c), a, r});
      break;
    }
  }
  return folds;
}

std::vector<ExtraRead> add_fold_extra_reads(const Graph& graph, std::span<const AddFold> folds) {
  std::vector<ExtraRead> reads;
  for (const AddFold& f : folds) {
    reads.push_back({f.residual, f.conv_op});
    reads.push_back({graph.ops()[f.add_op].outputs[0], f.conv_op});
  }
  return reads;
}

}  // namespace octet::fast
