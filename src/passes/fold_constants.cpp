#include "passes/fold_constants.h"

#include <algorithm>

#include "runtime/kernel.h"

namespace octet {

namespace {

bool foldable(const Graph& graph, const Op& op) {
  // Quantization boundaries are kept as written: they are the model's interface. The exception is
  // FP16 weight storage (a float16 constant through DEQUANTIZE, as an FP16 .tflite keeps its
  // weights): it becomes the float32 constant it stands for, so the graph's weights are constants
  // again for the later passes and for INT8 quantization (store_weights_fp16 restores the pattern
  // when FP16 output is asked for).
  if (op.type == OpType::kDequantize) {
    const TensorId x = op.inputs.empty() ? kNoTensor : op.inputs[0];
    return x != kNoTensor && graph.tensor(x).is_constant() && graph.tensor(x).dtype == DType::kFloat16;
  }
  if (op.type == OpType::kQuantize) return false;
  if (!has_reference_kernel(op.type)) return false;
  return std::all_of(op.inputs.begin(), op.inputs.end(),
                     [&](TensorId id) { return id == kNoTensor || graph.tensor(id).is_constant(); });
}

}  // namespace

bool fold_if_constant(Graph& graph, std::size_t index) {
  const Op& op = graph.ops()[index];
  if (!foldable(graph, op)) return false;

  const KernelContext context{graph, op};
  const std::vector<TensorSpec> specs = reference_kernel(op.type).prepare(context);
  std::vector<TensorView> inputs;
  for (const TensorId id : op.inputs) {
    TensorView view;
    if (id != kNoTensor) {
      const Tensor& t = graph.tensor(id);
      view.dtype = t.dtype;
      view.shape = t.shape;
      // Kernels never write their inputs.
      view.data = const_cast<std::byte*>(t.data->data());
      view.quant = t.quant ? &*t.quant : nullptr;
    }
    inputs.push_back(std::move(view));
  }
  std::vector<std::shared_ptr<Bytes>> results;
  std::vector<TensorView> outputs;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const Tensor& t = graph.tensor(op.outputs[i]);
    auto bytes = std::make_shared<Bytes>(static_cast<std::size_t>(element_count(specs[i].shape)) *
                                         dtype_size(specs[i].dtype));
    TensorView view;
    view.dtype = specs[i].dtype;
    view.shape = specs[i].shape;
    view.data = bytes->data();
    view.quant = t.quant ? &*t.quant : nullptr;
    outputs.push_back(std::move(view));
    results.push_back(std::move(bytes));
  }
  reference_kernel(op.type).eval(context, inputs, outputs);

  const std::vector<TensorId> produced = op.outputs;
  for (std::size_t i = 0; i < produced.size(); ++i) {
    Tensor& t = graph.tensor(produced[i]);
    t.dtype = specs[i].dtype;
    t.shape = specs[i].shape;
    t.data = std::move(results[i]);
  }
  graph.ops().erase(graph.ops().begin() + static_cast<std::ptrdiff_t>(index));
  return true;
}

void fold_constants(Graph& graph) {
  for (std::size_t i = 0; i < graph.ops().size();) {
    const std::vector<TensorId> consumed = graph.ops()[i].inputs;
    if (!fold_if_constant(graph, i)) {
      ++i;
      continue;
    }
    // In the pass, ops are the only readers: a constant none reads is garbage.
    for (const TensorId id : consumed) graph.release_if_unused(id);
  }
}

}  // namespace octet
