// Passes on small hand-built graphs; numeric checks run the graph before and
// after through the reference interpreter.

#include <gtest/gtest.h>

#include <numeric>

#include <fmt/format.h>

#include "passes/fold_batch_norm.h"
#include "passes/fold_constants.h"
#include "passes/fuse_activations.h"
#include "passes/merge_reshapes.h"
#include "passes/rewrite_div_as_mul.h"
#include "passes/sink_transposes.h"
#include "passes/store_weights_fp16.h"
#include "runtime/float16.h"
#include "runtime/interpreter.h"
#include "runtime/kernel.h"
#include "../graph_builder.h"

namespace octet {
namespace {


std::vector<float> ramp(std::size_t n, float scale) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = scale * (static_cast<float>(i % 17) - 8.0F);
  return v;
}

std::vector<float> run(const Graph& g, const std::vector<float>& input) {
  Interpreter interpreter(g);
  TensorView in = interpreter.input(0);
  std::copy(input.begin(), input.end(), in.as<float>());
  interpreter.invoke();
  const TensorView out = interpreter.output(0);
  return {out.as<float>(), out.as<float>() + out.count()};
}

std::size_t count_ops(const Graph& g, OpType type) {
  return static_cast<std::size_t>(
      std::count_if(g.ops().begin(), g.ops().end(), [&](const Op& op) { return op.type == type; }));
}

void expect_near(const std::vector<float>& a, const std::vector<float>& b, float tolerance) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], tolerance) << "at " << i;
}

// NHWC input -> to NCHW -> relu -> add [C,1,1] constant -> to NHWC -> conv:
// the layout pass must cancel both transposes and re-lay the constant.
TEST(SinkTransposes, CancelsInverseTransposesAroundElementwiseOps) {
  Builder b;
  const TensorId x = b.input("x", {1, 4, 5, 3});
  const TensorId nchw = b.transpose(x, {0, 3, 1, 2});
  const TensorId relu = b.op(OpType::kRelu, {nchw});
  const TensorId added = b.op(OpType::kAdd, {relu, b.constant("c", {3, 1, 1}, {1, 2, 3})}, BinaryOptions{});
  const TensorId nhwc = b.transpose(added, {0, 2, 3, 1});
  const TensorId y = b.op(OpType::kConv2D, {nhwc, b.constant("w", {2, 1, 1, 3}, ramp(6, 0.5F)), kNoTensor},
                          Conv2DOptions{});
  b.g.outputs() = {y};
  const auto input = ramp(60, 0.25F);
  const auto before = run(b.g, input);
  sink_transposes(b.g);
  verify_graph(b.g);
  EXPECT_EQ(count_ops(b.g, OpType::kTranspose), 0U);
  expect_near(run(b.g, input), before, 1e-6F);
}

TEST(SinkTransposes, PermutesReductionAxesAndTurnsUnitTransposesIntoReshapes) {
  // Global average pool on NCHW after an NHWC->NCHW transpose, then flatten.
  Builder b;
  const TensorId x = b.input("x", {1, 3, 3, 4});
  const TensorId nchw = b.transpose(x, {0, 3, 1, 2});
  ReducerOptions keep;
  keep.keep_dims = true;
  const TensorId mean = b.op(OpType::kMean, {nchw, b.ints("axes", {2, 3})}, keep);
  const TensorId flat = b.op(OpType::kReshape, {mean, b.ints("shape", {1, 4})});
  b.g.outputs() = {flat};
  const auto input = ramp(36, 1.0F);
  const auto before = run(b.g, input);
  sink_transposes(b.g);
  merge_reshapes(b.g);
  verify_graph(b.g);
  EXPECT_EQ(count_ops(b.g, OpType::kTranspose), 0U);
  EXPECT_EQ(count_ops(b.g, OpType::kReshape), 1U);
  expect_near(run(b.g, input), before, 1e-6F);
}

TEST(SinkTransposes, ConcatenationAxisFollowsThePermutation) {
  Builder b;
  const TensorId x = b.input("x", {1, 2, 2, 3});
  const TensorId t1 = b.transpose(x, {0, 3, 1, 2});
  const TensorId t2 = b.op(OpType::kLogistic, {t1});
  ConcatenationOptions concat;
  concat.axis = 1;
  const TensorId cat = b.op(OpType::kConcatenation, {t1, t2}, concat);
  const TensorId back = b.transpose(cat, {0, 2, 3, 1});
  b.g.outputs() = {back};
  const auto input = ramp(12, 0.3F);
  const auto before = run(b.g, input);
  sink_transposes(b.g);
  verify_graph(b.g);
  EXPECT_EQ(count_ops(b.g, OpType::kTranspose), 0U);
  expect_near(run(b.g, input), before, 1e-6F);
}

TEST(FoldBatchNorm, FoldsScaleAndShiftIntoConvolution) {
  Builder b;
  const TensorId x = b.input("x", {1, 3, 3, 2});
  const TensorId conv = b.op(OpType::kConv2D,
                             {x, b.constant("w", {3, 1, 1, 2}, ramp(6, 0.5F)), b.constant("bias", {3}, {0.1F, 0.2F, 0.3F})},
                             Conv2DOptions{});
  const TensorId scaled = b.op(OpType::kMul, {conv, b.constant("a", {3}, {2.0F, -1.0F, 0.5F})}, BinaryOptions{});
  const TensorId shifted = b.op(OpType::kAdd, {scaled, b.constant("s", {1, 1, 1, 3}, {1.0F, 2.0F, 3.0F})},
                                BinaryOptions{});
  b.g.outputs() = {shifted};
  const auto input = ramp(18, 0.7F);
  const auto before = run(b.g, input);
  fold_batch_norm(b.g);
  verify_graph(b.g);
  EXPECT_EQ(b.g.ops().size(), 1U);
  expect_near(run(b.g, input), before, 1e-5F);
}

TEST(FuseActivations, Relu6IntoConvolutionButNotAcrossASecondUse) {
  Builder b;
  const TensorId x = b.input("x", {1, 2, 2, 1});
  const TensorId conv = b.op(OpType::kConv2D, {x, b.constant("w", {1, 1, 1, 1}, {3.0F}), kNoTensor}, Conv2DOptions{});
  const TensorId act = b.op(OpType::kRelu6, {conv});
  b.g.outputs() = {act};
  const std::vector<float> input{-1.0F, 1.0F, 2.5F, 0.5F};
  const auto before = run(b.g, input);
  fuse_activations(b.g);
  verify_graph(b.g);
  ASSERT_EQ(b.g.ops().size(), 1U);
  EXPECT_EQ(b.g.ops()[0].opts<Conv2DOptions>().activation, Activation::kRelu6);
  expect_near(run(b.g, input), before, 0.0F);

  Builder shared;
  const TensorId xs = shared.input("x", {1, 2});
  const TensorId fc = shared.op(OpType::kFullyConnected, {xs, shared.constant("w", {2, 2}, {1, 0, 0, 1}), kNoTensor},
                                FullyConnectedOptions{});
  const TensorId relu = shared.op(OpType::kRelu, {fc});
  const TensorId sum = shared.op(OpType::kAdd, {relu, fc}, BinaryOptions{});
  shared.g.outputs() = {sum};
  fuse_activations(shared.g);
  EXPECT_EQ(count_ops(shared.g, OpType::kRelu), 1U);  // fc's raw output is still needed
}

TEST(StoreWeightsFp16, WeightsBecomeHalfWithDequantize) {
  Builder b;
  const TensorId x = b.input("x", {1, 2});
  const TensorId fc = b.op(OpType::kFullyConnected,
                           {x, b.constant("w", {2, 2}, {0.5F, -1.25F, 2.0F, 0.1F}), b.constant("b", {2}, {1.0F, -1.0F})},
                           FullyConnectedOptions{});
  b.g.outputs() = {fc};
  const std::vector<float> input{1.0F, 2.0F};
  const auto before = run(b.g, input);
  store_weights_fp16(b.g);
  verify_graph(b.g);
  EXPECT_EQ(count_ops(b.g, OpType::kDequantize), 2U);
  for (const Op& op : b.g.ops()) {
    if (op.type == OpType::kDequantize) {
      EXPECT_EQ(b.g.tensor(op.inputs[0]).dtype, DType::kFloat16);
    }
  }
  expect_near(run(b.g, input), before, 2e-3F);  // 0.1 is not exact in half precision
}

TEST(FoldConstants, Fp16WeightStorageBecomesFloat32ConstantsAgain) {
  // An FP16 model's weights (float16 constant -> DEQUANTIZE) fold to float32 constants, exactly
  // (every half is a float); a DEQUANTIZE of an int8 activation stays (the model's interface).
  Builder b;
  const TensorId x = b.input("x", {1, 2});
  const std::vector<float> weights{0.5F, -1.25F, 2.0F, 0.1F};
  const TensorId fc = b.op(OpType::kFullyConnected, {x, b.constant("w", {2, 2}, weights), b.constant("b", {2}, {1.0F, -1.0F})},
                           FullyConnectedOptions{});
  b.g.outputs() = {fc};
  store_weights_fp16(b.g);
  Tensor q;
  q.name = "q";
  q.dtype = DType::kInt8;
  q.shape = {1, 2};
  q.quant = QuantParams{{0.5F}, {0}, 0};
  const TensorId qin = b.g.add_tensor(std::move(q));
  b.g.inputs().push_back(qin);
  const TensorId deq = b.op(OpType::kDequantize, {qin});
  b.g.outputs().push_back(deq);
  ASSERT_EQ(count_ops(b.g, OpType::kDequantize), 3U);
  fold_constants(b.g);
  verify_graph(b.g);
  EXPECT_EQ(count_ops(b.g, OpType::kDequantize), 1U);
  const Op& op = b.g.ops().front();
  ASSERT_EQ(op.type, OpType::kFullyConnected);
  const Tensor& w = b.g.tensor(op.inputs[1]);
  ASSERT_TRUE(w.is_constant());
  EXPECT_EQ(w.dtype, DType::kFloat32);
  const std::vector<float> folded = w.values<float>();
  for (std::size_t i = 0; i < weights.size(); ++i) {
    EXPECT_EQ(folded[i], half_to_float(float_to_half(weights[i]))) << i;
  }
}

}  // namespace
}  // namespace octet

namespace octet {
namespace {

TEST(RewriteDivAsMul, ConstantDivisorsBecomeReciprocalMultipliers) {
  Builder b;
  const TensorId x = b.input("x", {1, 2});
  BinaryOptions relu;
  relu.activation = Activation::kRelu;
  const TensorId y = b.op(OpType::kDiv, {x, b.constant("d", {2}, {2.0F, 4.0F})}, relu);
  const TensorId z = b.op(OpType::kDiv, {y, b.constant("zero", {2}, {0.0F, 1.0F})}, BinaryOptions{});
  const TensorId w = b.op(OpType::kDiv, {z, x}, BinaryOptions{});
  b.g.outputs() = {w};
  rewrite_div_as_mul(b.g);
  ASSERT_EQ(b.g.ops().size(), 3U);
  const Op& first = b.g.ops()[0];
  EXPECT_EQ(first.type, OpType::kMul);
  EXPECT_EQ(first.opts<BinaryOptions>().activation, Activation::kRelu);
  EXPECT_EQ(b.g.tensor(first.inputs[1]).values<float>(), (std::vector<float>{0.5F, 0.25F}));
  EXPECT_EQ(b.g.ops()[1].type, OpType::kDiv);  // a zero divisor stays a division
  EXPECT_EQ(b.g.ops()[2].type, OpType::kDiv);  // not a constant
  verify_graph(b.g);
}

}  // namespace
}  // namespace octet
