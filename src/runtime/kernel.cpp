#include "runtime/kernel.h"

#include "core/error.h"
#include "runtime/reference/registry.h"

namespace octet {

namespace reference {

KernelTable::KernelTable() : kernels_(all_ops().size()) {}

void KernelTable::add(OpType type, PrepareFn prepare, EvalFn eval) {
  kernels_.at(static_cast<std::size_t>(type)) = Kernel{prepare, eval};
}

const Kernel* KernelTable::find(OpType type) const {
  const auto index = static_cast<std::size_t>(type);
  if (index >= kernels_.size() || kernels_[index].prepare == nullptr) return nullptr;
  return &kernels_[index];
}

}  // namespace reference

namespace {

const reference::KernelTable& table() {
  static const reference::KernelTable kernels = [] {
    reference::KernelTable t;
    reference::add_conv_kernels(t);
    reference::add_pool_kernels(t);
    reference::add_fully_connected_kernels(t);
    reference::add_elementwise_binary_kernels(t);
    reference::add_elementwise_unary_kernels(t);
    reference::add_softmax_kernels(t);
    reference::add_reduce_kernels(t);
    reference::add_shape_kernels(t);
    reference::add_concat_split_kernels(t);
    reference::add_slice_kernels(t);
    reference::add_pad_tile_kernels(t);
    reference::add_resize_kernels(t);
    reference::add_arg_kernels(t);
    reference::add_quantize_kernels(t);
    return t;
  }();
  return kernels;
}

}  // namespace

const Tensor* KernelContext::input(std::size_t i) const {
  if (i >= op.inputs.size() || op.inputs[i] == kNoTensor) return nullptr;
  return &graph.tensor(op.inputs[i]);
}

const Kernel& reference_kernel(OpType type) {
  const Kernel* kernel = table().find(type);
  if (kernel == nullptr) {
    const auto index = static_cast<std::size_t>(type);
    if (index >= all_ops().size()) throw fail("op type #{}: not in the op table", index);
    throw fail("op type {}: no reference kernel", op_name(type));
  }
  return *kernel;
}

bool has_reference_kernel(OpType type) { return table().find(type) != nullptr; }

std::vector<TensorSpec> infer_outputs(const Graph& graph, const Op& op) {
  if (static_cast<std::size_t>(op.type) >= all_ops().size()) {
    throw fail("op '{}': type #{} is not in the op table", op.name, static_cast<std::size_t>(op.type));
  }
  const OpInfo& info = op_info(op.type);
  const Kernel* kernel = table().find(op.type);
  if (kernel == nullptr) throw fail("op '{}' ({}): no reference kernel", op.name, info.name);
  // Prepare functions rely on the op table's invariants: check them first.
  const auto inputs = static_cast<int>(op.inputs.size());
  if (inputs < info.min_inputs || inputs > info.max_inputs) {
    throw fail("op '{}' ({}): has {} inputs, expected {}..{}", op.name, info.name, inputs, info.min_inputs,
               info.max_inputs);
  }
  if (op.options.index() != info.options_index) {
    throw fail("op '{}' ({}): carries the wrong options type", op.name, info.name);
  }
  const KernelContext context{graph, op};
  std::vector<TensorSpec> specs = kernel->prepare(context);
  if (specs.size() != op.outputs.size()) {
    throw fail("op '{}' ({}): has {} outputs, expected {}", op.name, info.name, op.outputs.size(), specs.size());
  }
  return specs;
}

}  // namespace octet
