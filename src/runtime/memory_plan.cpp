#include "runtime/memory_plan.h"

#include <algorithm>
#include <limits>

namespace octet {

namespace {

struct Lifetime {
  std::size_t first = std::numeric_limits<std::size_t>::max();  // op index that writes it (0 for inputs)
  std::size_t last = 0;                                            // op index of the last reader
  bool used = false;
};

std::size_t round_up(std::size_t value, std::size_t multiple) { return (value + multiple - 1) / multiple * multiple; }

std::vector<Lifetime> lifetimes(const Graph& graph, bool share, std::span<const ExtraRead> extra_reads) {
  const std::size_t op_count = graph.ops().size();
  const std::size_t end = op_count;  // "after the last op"
  std::vector<Lifetime> life(graph.tensor_count());
  const auto touch = [&](TensorId id, std::size_t step) {
    if (id == kNoTensor || graph.tensor(id).is_constant()) return;
    Lifetime& l = life[static_cast<std::size_t>(id)];
    l.used = true;
    l.first = std::min(l.first, step);
    l.last = std::max(l.last, step);
  };
  for (std::size_t i = 0; i < op_count; ++i) {
    const Op& op = graph.ops()[i];
    for (const TensorId id : op.outputs) touch(id, i);
    for (const TensorId id : op.inputs) touch(id, i);
  }
  for (const ExtraRead& read : extra_reads) touch(read.tensor, read.op);
  for (const TensorId id : graph.inputs()) {
    touch(id, 0);
    touch(id, end);
  }
  for (const TensorId id : graph.outputs()) touch(id, end);
  if (!share) {
    for (Lifetime& l : life) {
      if (!l.used) continue;
      l.first = 0;
      l.last = end;
    }
  }
  return life;
}

}  // namespace

MemoryPlan plan_memory(const Graph& graph, bool share, std::span<const ExtraRead> extra_reads) {
  const std::vector<Lifetime> life = lifetimes(graph, share, extra_reads);
  MemoryPlan plan;
  plan.offsets.assign(graph.tensor_count(), MemoryPlan::kNotPlanned);

  std::vector<std::size_t> order;
  std::vector<std::size_t> sizes(graph.tensor_count(), 0);
  for (std::size_t i = 0; i < life.size(); ++i) {
    if (!life[i].used) continue;
    sizes[i] = round_up(graph.tensor(static_cast<TensorId>(i)).byte_size() + kTensorTailPadding, kTensorAlignment);
    plan.unshared_bytes += sizes[i];
    order.push_back(i);
  }
  // Largest first; ties by id so the plan is deterministic.
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return sizes[a] > sizes[b]; });

  struct Placed {
    std::size_t offset, size, first, last;
  };
  std::vector<Placed> placed;
  for (const std::size_t id : order) {
    const Lifetime& l = life[id];
    // Blocks alive at the same time as this tensor, by offset.
    std::vector<Placed> conflicts;
    for (const Placed& p : placed) {
      if (p.first <= l.last && l.first <= p.last) conflicts.push_back(p);
    }
    std::sort(conflicts.begin(), conflicts.end(), [](const Placed& a, const Placed& b) { return a.offset < b.offset; });
    std::size_t offset = 0;
    for (const Placed& p : conflicts) {
      if (offset + sizes[id] <= p.offset) break;  // fits in the gap before p
      offset = std::max(offset, p.offset + p.size);
    }
    placed.push_back({offset, sizes[id], l.first, l.last});
    plan.offsets[id] = offset;
    plan.arena_bytes = std::max(plan.arena_bytes, offset + sizes[id]);
  }
  return plan;
}

}  // namespace octet
