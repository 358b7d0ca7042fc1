// fuse_hard_swish on hand-built graphs shaped like the importer's HardSigmoid
// (MUL alpha -> ADD beta -> MAXIMUM 0 -> MINIMUM 1), checked against
// HardSwish's definition x * relu6(x + 3) / 6 computed here.

#include <gtest/gtest.h>

#include <algorithm>

#include "passes/fuse_hard_swish.h"
#include "runtime/interpreter.h"
#include "../graph_builder.h"

namespace octet {
namespace {

constexpr float kSixth = 1.0F / 6.0F;

struct Chain {
  TensorId gate = kNoTensor;    // HardSigmoid(x)
  TensorId scaled = kNoTensor;  // x * alpha
};

// The importer's HardSigmoid of `x`.
Chain hard_sigmoid(Builder& b, TensorId x, float alpha, float beta) {
  Chain c;
  c.scaled = b.op(OpType::kMul, {x, b.constant("alpha", {}, {alpha})}, BinaryOptions{});
  const TensorId shifted = b.op(OpType::kAdd, {c.scaled, b.constant("beta", {}, {beta})}, BinaryOptions{});
  const TensorId low = b.op(OpType::kMaximum, {shifted, b.constant("zero", {}, {0.0F})});
  c.gate = b.op(OpType::kMinimum, {low, b.constant("one", {}, {1.0F})});
  return c;
}

std::vector<float> run(const Graph& g, const std::vector<float>& input) {
  Interpreter interpreter(g);
  std::copy(input.begin(), input.end(), interpreter.input(0).as<float>());
  interpreter.invoke();
  const TensorView out = interpreter.output(0);
  return {out.as<float>(), out.as<float>() + out.count()};
}

std::size_t count(const Graph& g, OpType type) {
  return static_cast<std::size_t>(
      std::count_if(g.ops().begin(), g.ops().end(), [&](const Op& op) { return op.type == type; }));
}

// Values around HardSwish's corners at -3 and 3.
const std::vector<float> kInput{-4.0F, -3.0F, -1.5F, 0.0F, 0.5F, 3.0F, 4.5F, -0.25F};

std::vector<float> hard_swish_by_hand(const std::vector<float>& x) {
  std::vector<float> y;
  for (const float v : x) y.push_back(v * std::min(std::max(v + 3.0F, 0.0F), 6.0F) / 6.0F);
  return y;
}

TEST(FuseHardSwish, FusesXTimesHardSigmoidOfX) {
  for (const bool gate_first : {false, true}) {
    Builder b;
    const TensorId x = b.input("x", {1, 2, 2, 2});
    const Chain c = hard_sigmoid(b, x, kSixth, 0.5F);
    const TensorId y = b.op(OpType::kMul, gate_first ? std::vector{c.gate, x} : std::vector{x, c.gate},
                            BinaryOptions{});
    b.g.outputs() = {y};
    fuse_hard_swish(b.g);
    verify_graph(b.g);
    ASSERT_EQ(b.g.ops().size(), 1U) << "gate first: " << gate_first;
    EXPECT_EQ(b.g.ops()[0].type, OpType::kHardSwish);
    EXPECT_EQ(b.g.ops()[0].inputs, std::vector<TensorId>{b.g.inputs()[0]});
    const std::vector<float> got = run(b.g, kInput);
    const std::vector<float> want = hard_swish_by_hand(kInput);
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6F) << "at " << i;
  }
}

TEST(FuseHardSwish, AcceptsAlphaWithinTolerance) {
  Builder b;
  const TensorId x = b.input("x", {8});
  const Chain c = hard_sigmoid(b, x, kSixth + kHardSwishParamTolerance / 2, 0.5F);
  b.g.outputs() = {b.op(OpType::kMul, {x, c.gate}, BinaryOptions{})};
  fuse_hard_swish(b.g);
  EXPECT_EQ(count(b.g, OpType::kHardSwish), 1U);
}

TEST(FuseHardSwish, LeavesOtherHardSigmoidsAlone) {
  // ONNX's default HardSigmoid (alpha 0.2), another beta, and a gate multiplying another tensor.
  struct Case {
    const char* what;
    float alpha;
    float beta;
    bool other_operand;
  };
  for (const Case& k : {Case{"alpha 0.2", 0.2F, 0.5F, false}, Case{"beta 0.4", kSixth, 0.4F, false},
                        Case{"alpha off by 1e-4", kSixth + 1e-4F, 0.5F, false},
                        Case{"y * HardSigmoid(x)", kSixth, 0.5F, true}}) {
    Builder b;
    const TensorId x = b.input("x", {8});
    const TensorId y = k.other_operand ? b.op(OpType::kRelu, {x}) : x;
    const Chain c = hard_sigmoid(b, x, k.alpha, k.beta);
    b.g.outputs() = {b.op(OpType::kMul, {y, c.gate}, BinaryOptions{})};
    const std::size_t ops = b.g.ops().size();
    fuse_hard_swish(b.g);
    EXPECT_EQ(b.g.ops().size(), ops) << k.what;
    EXPECT_EQ(count(b.g, OpType::kHardSwish), 0U) << k.what;
  }
}

TEST(FuseHardSwish, KeepsChainsWhoseIntermediatesAreUsedElsewhere) {
  Builder b;
  const TensorId x = b.input("x", {8});
  const Chain c = hard_sigmoid(b, x, kSixth, 0.5F);
  b.g.outputs() = {b.op(OpType::kMul, {x, c.gate}, BinaryOptions{}), c.scaled};
  fuse_hard_swish(b.g);
  EXPECT_EQ(count(b.g, OpType::kHardSwish), 0U);
}

TEST(FuseHardSwish, KeepsAMulWithAFusedActivation) {
  Builder b;
  const TensorId x = b.input("x", {8});
  const Chain c = hard_sigmoid(b, x, kSixth, 0.5F);
  BinaryOptions relu;
  relu.activation = Activation::kRelu;
  b.g.outputs() = {b.op(OpType::kMul, {x, c.gate}, relu)};
  fuse_hard_swish(b.g);
  EXPECT_EQ(count(b.g, OpType::kHardSwish), 0U);
}

}  // namespace
}  // namespace octet
