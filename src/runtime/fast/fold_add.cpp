#include "runtime/fast/fold_add.h"

#include <algorithm>
#include <optional>

namespace octet::fast {

namespace {

// The index of the op writing `id`, or nullopt for graph inputs and constants.
std::optional<std::size_t> producer(const Graph& graph, TensorId id) {
  const std::vector<Op>& ops = graph.ops();
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (std::find(ops[i].outputs.begin(), ops[i].outputs.end(), id) != ops[i].outputs.end()) return i;
  }
  return std::nullopt;
}

std::size_t read_count(const Graph& graph, TensorId id) {
  std::size_t reads = 0;
  for (const Op& op : graph.ops()) reads += static_cast<std::size_t>(std::count(op.inputs.begin(), op.inputs.end(), id));
  return reads;
}

}  // namespace

std::vector<AddFold> find_add_folds(const Graph& graph) {
  const std::vector<Op>& ops = graph.ops();
  const auto is_graph_output = [&](TensorId id) {
    return std::find(graph.outputs().begin(), graph.outputs().end(), id) != graph.outputs().end();
  };
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
      const std::optional<std::size_t> c = producer(graph, x);
      if (!c || ops[*c].type != OpType::kConv2D || ops[*c].opts<Conv2DOptions>().activation != Activation::kNone) {
        continue;
      }
      if (is_graph_output(x) || read_count(graph, x) != 1 || graph.tensor(x).dtype != DType::kFloat32) continue;
      const std::optional<std::size_t> r_producer = producer(graph, r);
      if (r_producer && *r_producer >= *c) continue;  // not yet written when the convolution runs
      folds.push_back({*c, a, r});
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
