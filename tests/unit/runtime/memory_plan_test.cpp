// plan_memory(): tensors alive at the same time never share bytes, short-lived
// ones do, and without sharing every tensor has its own bytes.

#include "runtime/memory_plan.h"

#include <gtest/gtest.h>

#include <vector>

#include "../graph_builder.h"

namespace octet {
namespace {

// x -> RELU -> RELU -> ... (kOps ops), every tensor 1x8x8x4 float32.
constexpr std::size_t kOps = 10;

Graph relu_chain(std::vector<TensorId>& tensors) {
  Builder b;
  tensors.push_back(b.input("x", {1, 8, 8, 4}));
  for (std::size_t i = 0; i < kOps; ++i) tensors.push_back(b.op(OpType::kRelu, {tensors.back()}));
  b.g.outputs().push_back(tensors.back());
  return std::move(b.g);
}

bool overlap(const Graph& g, const MemoryPlan& plan, TensorId a, TensorId b) {
  const std::size_t a0 = plan.offsets[static_cast<std::size_t>(a)];
  const std::size_t b0 = plan.offsets[static_cast<std::size_t>(b)];
  return a0 < b0 + g.tensor(b).byte_size() && b0 < a0 + g.tensor(a).byte_size();
}

TEST(MemoryPlan, ShortLivedTensorsShareBytes) {
  std::vector<TensorId> t;
  const Graph g = relu_chain(t);
  const MemoryPlan plan = plan_memory(g, /*share=*/true);
  // t[i] (written by op i - 1) is read by op i only: t[1] and t[3] may share.
  EXPECT_TRUE(overlap(g, plan, t[1], t[3]) || overlap(g, plan, t[1], t[4]));
  for (std::size_t i = 1; i + 1 < t.size(); ++i) EXPECT_FALSE(overlap(g, plan, t[i], t[i + 1])) << i;
  EXPECT_LT(plan.arena_bytes, plan.unshared_bytes);
}

TEST(MemoryPlan, UnsharedGivesEveryTensorItsOwnBytes) {
  std::vector<TensorId> t;
  const Graph g = relu_chain(t);
  const MemoryPlan plan = plan_memory(g, /*share=*/false);
  for (std::size_t i = 0; i < t.size(); ++i) {
    for (std::size_t j = i + 1; j < t.size(); ++j) EXPECT_FALSE(overlap(g, plan, t[i], t[j]));
  }
  EXPECT_EQ(plan.arena_bytes, plan.unshared_bytes);
}

}  // namespace
}  // namespace octet
