#include "core/graph.h"

#include <algorithm>
#include <unordered_set>

#include "core/error.h"

namespace octet {

TensorId Graph::add_tensor(Tensor tensor) {
  tensors_.push_back(std::move(tensor));
  return static_cast<TensorId>(tensors_.size() - 1);
}

Op& Graph::add_op(OpType type, std::string name, std::vector<TensorId> inputs,
                  std::vector<TensorId> outputs, OpOptions options) {
  ops_.push_back(Op{type, std::move(name), std::move(inputs), std::move(outputs), std::move(options)});
  return ops_.back();
}

Op& Graph::add_op(OpType type, std::string name, std::vector<TensorId> inputs,
                  std::vector<TensorId> outputs) {
  return add_op(type, std::move(name), std::move(inputs), std::move(outputs), default_options(type));
}

std::int64_t Graph::producer(TensorId id) const {
  for (std::size_t i = 0; i < ops_.size(); ++i) {
    const auto& outs = ops_[i].outputs;
    if (std::find(outs.begin(), outs.end(), id) != outs.end()) return static_cast<std::int64_t>(i);
  }
  return -1;
}

std::vector<std::size_t> Graph::consumers(TensorId id) const {
  std::vector<std::size_t> result;
  for (std::size_t i = 0; i < ops_.size(); ++i) {
    const auto& ins = ops_[i].inputs;
    if (std::find(ins.begin(), ins.end(), id) != ins.end()) result.push_back(i);
  }
  return result;
}

bool Graph::is_output(TensorId id) const {
  return std::find(outputs_.begin(), outputs_.end(), id) != outputs_.end();
}

void Graph::replace_uses(TensorId from, TensorId to) {
  for (Op& op : ops_) std::replace(op.inputs.begin(), op.inputs.end(), from, to);
  std::replace(outputs_.begin(), outputs_.end(), from, to);
}

void Graph::release_if_unused(TensorId id) {
  if (id == kNoTensor || !tensor(id).is_constant()) return;
  const auto mentions = [id](const std::vector<TensorId>& ids) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
  };
  if (mentions(inputs_) || mentions(outputs_)) return;
  for (const Op& op : ops_) {
    if (mentions(op.inputs)) return;
  }
  tensor(id).data.reset();
}

void Graph::remove_unused() {
  // Walk ops backwards keeping those whose outputs are needed.
  std::vector<char> needed(tensors_.size(), 0);
  for (const TensorId id : outputs_) needed[static_cast<std::size_t>(id)] = 1;
  std::vector<char> keep(ops_.size(), 0);
  for (std::size_t i = ops_.size(); i-- > 0;) {
    const Op& op = ops_[i];
    const bool used = std::any_of(op.outputs.begin(), op.outputs.end(),
                                  [&](TensorId id) { return needed[static_cast<std::size_t>(id)] != 0; });
    if (!used) continue;
    keep[i] = 1;
    for (const TensorId id : op.inputs) {
      if (id != kNoTensor) needed[static_cast<std::size_t>(id)] = 1;
    }
  }
  std::vector<Op> kept_ops;
  for (std::size_t i = 0; i < ops_.size(); ++i) {
    if (keep[i]) kept_ops.push_back(std::move(ops_[i]));
  }
  ops_ = std::move(kept_ops);

  // Renumber: keep graph inputs, outputs and everything the kept ops touch.
  std::vector<char> referenced(tensors_.size(), 0);
  for (const TensorId id : inputs_) referenced[static_cast<std::size_t>(id)] = 1;
  for (const TensorId id : outputs_) referenced[static_cast<std::size_t>(id)] = 1;
  for (const Op& op : ops_) {
    for (const TensorId id : op.inputs) {
      if (id != kNoTensor) referenced[static_cast<std::size_t>(id)] = 1;
    }
    for (const TensorId id : op.outputs) referenced[static_cast<std::size_t>(id)] = 1;
  }
  std::vector<TensorId> new_id(tensors_.size(), kNoTensor);
  std::vector<Tensor> kept_tensors;
  for (std::size_t i = 0; i < tensors_.size(); ++i) {
    if (!referenced[i]) continue;
    new_id[i] = static_cast<TensorId>(kept_tensors.size());
    kept_tensors.push_back(std::move(tensors_[i]));
  }
  tensors_ = std::move(kept_tensors);
  const auto remap = [&](std::vector<TensorId>& ids) {
    for (TensorId& id : ids) {
      if (id != kNoTensor) id = new_id[static_cast<std::size_t>(id)];
    }
  };
  remap(inputs_);
  remap(outputs_);
  for (Op& op : ops_) {
    remap(op.inputs);
    remap(op.outputs);
  }
}

void verify_graph(const Graph& graph) {
  const auto count = static_cast<TensorId>(graph.tensor_count());
  const auto in_range = [&](TensorId id) { return id >= 0 && id < count; };
  std::vector<char> available(graph.tensor_count(), 0);
  std::vector<char> produced(graph.tensor_count(), 0);

  for (std::size_t i = 0; i < graph.tensor_count(); ++i) {
    const Tensor& t = graph.tensor(static_cast<TensorId>(i));
    for (const std::int64_t dim : t.shape) {
      if (dim < 0) throw fail("graph: tensor '{}' has unresolved dimension in shape {}", t.name, shape_string(t.shape));
    }
    if (t.is_constant()) {
      if (t.data->size() != t.byte_size()) {
        throw fail("graph: constant '{}' holds {} bytes, its {} {} shape needs {}", t.name, t.data->size(),
                   dtype_name(t.dtype), shape_string(t.shape), t.byte_size());
      }
      available[i] = 1;
    }
    if (t.quant && t.quant->scale.size() != t.quant->zero_point.size()) {
      throw fail("graph: tensor '{}' has {} scales but {} zero points", t.name, t.quant->scale.size(),
                 t.quant->zero_point.size());
    }
  }
  for (const TensorId id : graph.inputs()) {
    if (!in_range(id)) throw fail("graph: input id {} out of range", id);
    available[static_cast<std::size_t>(id)] = 1;
  }
  for (const Op& op : graph.ops()) {
    const OpInfo& info = op_info(op.type);
    const auto label = [&] { return fmt::format("op '{}' ({})", op.name, info.name); };
    const auto inputs = static_cast<int>(op.inputs.size());
    if (inputs < info.min_inputs || inputs > info.max_inputs) {
      throw fail("graph: {} has {} inputs, expected {}..{}", label(), inputs, info.min_inputs, info.max_inputs);
    }
    if (op.options.index() != info.options_index) throw fail("graph: {} carries the wrong options type", label());
    for (const TensorId id : op.inputs) {
      if (id == kNoTensor) continue;
      if (!in_range(id)) throw fail("graph: {} reads tensor id {} out of range", label(), id);
      if (!available[static_cast<std::size_t>(id)]) {
        throw fail("graph: {} reads '{}' before it is produced", label(), graph.tensor(id).name);
      }
    }
    if (op.outputs.empty()) throw fail("graph: {} has no outputs", label());
    for (const TensorId id : op.outputs) {
      if (!in_range(id)) throw fail("graph: {} writes tensor id {} out of range", label(), id);
      const auto index = static_cast<std::size_t>(id);
      if (produced[index] || graph.tensor(id).is_constant()) {
        throw fail("graph: tensor '{}' is produced twice (again by {})", graph.tensor(id).name, label());
      }
      produced[index] = 1;
      available[index] = 1;
    }
  }
  for (const TensorId id : graph.outputs()) {
    if (!in_range(id) || !available[static_cast<std::size_t>(id)]) {
      throw fail("graph: output id {} is never produced", id);
    }
  }
}

}  // namespace octet
