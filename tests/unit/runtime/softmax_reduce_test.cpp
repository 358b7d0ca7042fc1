// SOFTMAX, LOG_SOFTMAX and the reductions against numpy (make_goldens.py).

#include "runtime_test_util.h"

namespace octet::test {
namespace {

const std::vector<float> kLogits = {1, 2, 3, 4, -1, 0, 0.5F, 10};

TEST(RuntimeSoftmax, BetaOverTheLastAxis) {
  SoftmaxOptions o;
  o.beta = 0.5F;
  const Result r = run_op(OpType::kSoftmax, o, {in({2, 4}, kLogits)});
  expect_close(r.floats(), {0.101536324F, 0.167405097F, 0.276004345F, 0.455054234F, 0.00400869641F, 0.00660922304F,
    0.00848641036F, 0.98089567F}, 1e-6F);
}

TEST(RuntimeSoftmax, RowsSumToOneOnRank4) {
  const Result r = run_op(OpType::kSoftmax, SoftmaxOptions{}, {in({1, 2, 1, 4}, kLogits)});
  const std::vector<float> y = r.floats();
  EXPECT_NEAR(y[0] + y[1] + y[2] + y[3], 1.0F, 1e-6F);
  EXPECT_NEAR(y[4] + y[5] + y[6] + y[7], 1.0F, 1e-6F);
  EXPECT_NE(op_error(OpType::kSoftmax, SoftmaxOptions{}, {in({}, {1.0F})}).find("rank >= 1"), std::string::npos);
}

TEST(RuntimeLogSoftmax, OverTheLastAxis) {
  const Result r = run_op(OpType::kLogSoftmax, {in({2, 4}, kLogits)});
  expect_close(r.floats(), {-3.4401897F, -2.4401897F, -1.4401897F, -0.440189699F, -11.0001369F, -10.0001369F, -9.50013694F,
    -0.000136944083F}, 1e-6F);
}

const std::vector<float> kRedX = {0.0F, 2.0F, 0.0F, -2.0F, 0.5F, 1.0F, -2.0F, 0.0F, -0.5F, 1.0F, 1.0F, -2.0F, -1.5F, -2.0F, 1.0F,
    -1.5F, 2.0F, 2.0F, 0.5F, -1.0F, -1.0F, 0.5F, 1.5F, 2.0F};  // 2x3x4

TEST(RuntimeReduce, MeanKeepDims) {
  ReducerOptions keep;
  keep.keep_dims = true;
  const Result r = run_op(OpType::kMean, keep, {in({2, 3, 4}, kRedX), i32({1, 2})});
  EXPECT_EQ(r.shape(), (Shape{2, 1, 1}));
  expect_close(r.floats(), {-0.0833333333F, 0.208333333F});
}

TEST(RuntimeReduce, SumNegativeAxis) {
  const Result r = run_op(OpType::kSum, ReducerOptions{}, {in({2, 3, 4}, kRedX), i64({-1})});
  EXPECT_EQ(r.shape(), (Shape{2, 3}));
  expect_close(r.floats(), {0.0F, -0.5F, -0.5F, -4.0F, 3.5F, 3.0F});
}

TEST(RuntimeReduce, MaxWithRepeatedAxisAsScalar) {
  // Axes 0 and -3 name the same dimension.
  const Result r = run_op(OpType::kReduceMax, ReducerOptions{}, {in({2, 3, 4}, kRedX), i32({0, -3})});
  EXPECT_EQ(r.shape(), (Shape{3, 4}));
  expect_close(r.floats(), {0.0F, 2.0F, 1.0F, -1.5F, 2.0F, 2.0F, 0.5F, 0.0F, -0.5F, 1.0F, 1.5F, 2.0F});
  const Result s = run_op(OpType::kReduceMax, ReducerOptions{}, {in({2, 3, 4}, kRedX), i32_scalar(0)});
  expect_close(s.floats(), {0.0F, 2.0F, 1.0F, -1.5F, 2.0F, 2.0F, 0.5F, 0.0F, -0.5F, 1.0F, 1.5F, 2.0F});
}

TEST(RuntimeReduce, MinKeepDims) {
  ReducerOptions keep;
  keep.keep_dims = true;
  const Result r = run_op(OpType::kReduceMin, keep, {in({2, 3, 4}, kRedX), i32({1})});
  EXPECT_EQ(r.shape(), (Shape{2, 1, 4}));
  expect_close(r.floats(), {-0.5F, 1.0F, -2.0F, -2.0F, -1.5F, -2.0F, 0.5F, -1.5F});
}

TEST(RuntimeReduce, IntegersAndEmptyAxes) {
  const Result sum = run_op(OpType::kSum, ReducerOptions{}, {in<std::int32_t>({2, 2}, {1, 2, 3, 4}), i32({0})});
  EXPECT_EQ(sum.values<std::int32_t>(), (std::vector<std::int32_t>{4, 6}));
  const Result mn = run_op(OpType::kReduceMin, ReducerOptions{}, {in<std::int64_t>({2, 2}, {5, 2, 3, 4}), i32({1})});
  EXPECT_EQ(mn.values<std::int64_t>(), (std::vector<std::int64_t>{2, 3}));
  const Result all = run_op(OpType::kMean, ReducerOptions{}, {in({2, 2}, {1, 2, 3, 4}), i32({})});
  EXPECT_EQ(all.shape(), (Shape{2, 2}));
  expect_close(all.floats(), {1, 2, 3, 4});
  const Result global = run_op(OpType::kMean, ReducerOptions{}, {in({2, 2}, {1, 2, 3, 4}), i32({0, 1})});
  EXPECT_EQ(global.shape(), (Shape{}));
  expect_close(global.floats(), {2.5F});
}

TEST(RuntimeReduce, AxesMustBeConstantAndInRange) {
  EXPECT_NE(op_error(OpType::kMean, ReducerOptions{}, {in({2, 2}, {1, 2, 3, 4}), i32({2})})
                .find("op 'op' (MEAN): axis 2 is out of range for rank 2"),
            std::string::npos);
  EXPECT_NE(op_error(OpType::kMean, ReducerOptions{}, {in({2, 2}, {1, 2, 3, 4}), in<std::int32_t>({1}, {0})})
                .find("input 1 ('in1') must be a constant tensor"),
            std::string::npos);
  EXPECT_NE(op_error(OpType::kMean, ReducerOptions{}, {in<std::int32_t>({2}, {1, 2}), i32({0})})
                .find("must be float32, got int32"),
            std::string::npos);
}

}  // namespace
}  // namespace octet::test
