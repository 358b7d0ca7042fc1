// FULLY_CONNECTED and BATCH_MATMUL against numpy (x @ W.T + b; a @ b with
// broadcast batch dimensions) from tests/unit/runtime/make_goldens.py.

#include "runtime_test_util.h"

namespace octet::test {
namespace {

const std::vector<float> kFcX = {-1.5F, 0.5F, -1.0F, -0.5F, 1.5F, -1.5F};
const std::vector<float> kFcW = {0.5F, 1.0F, -0.5F, 1.0F, 1.0F, 0.5F, 0.5F, -1.0F, -1.0F, -1.0F, 1.0F, -0.5F};
const std::vector<float> kFcB = {1.0F, -1.0F, 0.5F, 0.0F};
const std::vector<float> kFcOut = {1.25F, -2.5F, 0.25F, 2.5F, 3.0F, -0.75F, 0.25F, 2.75F};

TEST(RuntimeFullyConnected, MatrixTimesWeightsPlusBias) {
  const Result r = run_op(OpType::kFullyConnected, FullyConnectedOptions{},
                          {in({2, 3}, kFcX), constant({4, 3}, kFcW), constant({4}, kFcB)});
  EXPECT_EQ(r.shape(), (Shape{2, 4}));
  expect_close(r.floats(), kFcOut);
}

TEST(RuntimeFullyConnected, FlattensHigherRankInputToRows) {
  const Result r = run_op(OpType::kFullyConnected, FullyConnectedOptions{},
                          {in({1, 2, 1, 3}, kFcX), constant({4, 3}, kFcW), constant({4}, kFcB)});
  EXPECT_EQ(r.shape(), (Shape{2, 4}));
  expect_close(r.floats(), kFcOut);
}

TEST(RuntimeFullyConnected, KeepNumDimsWithRelu) {
  FullyConnectedOptions o;
  o.keep_num_dims = true;
  o.activation = Activation::kRelu;
  const Result r = run_op(OpType::kFullyConnected, o, {in({2, 1, 3}, kFcX), constant({4, 3}, kFcW), absent()});
  EXPECT_EQ(r.shape(), (Shape{2, 1, 4}));
  std::vector<float> expected = kFcOut;
  for (std::size_t i = 0; i < expected.size(); ++i) expected[i] = std::max(expected[i] - kFcB[i % 4], 0.0F);
  expect_close(r.floats(), expected);
}

TEST(RuntimeFullyConnected, PrepareErrors) {
  EXPECT_NE(op_error(OpType::kFullyConnected, FullyConnectedOptions{},
                     {in({2, 5}, std::vector<float>(10)), constant({4, 3}, kFcW)})
                .find("op 'op' (FULLY_CONNECTED): input 2x5 cannot be read as rows of the weights' 3 input features"),
            std::string::npos);
  FullyConnectedOptions keep;
  keep.keep_num_dims = true;
  EXPECT_NE(op_error(OpType::kFullyConnected, keep, {in({3, 2}, kFcX), constant({4, 3}, kFcW)})
                .find("keep_num_dims needs the input's last dimension 2 to equal the weights' 3"),
            std::string::npos);
}

TEST(RuntimeBatchMatMul, BroadcastsBatchDimensions) {
  const Result r = run_op(OpType::kBatchMatMul, BatchMatMulOptions{},
                          {in({2, 1, 2, 3}, {-1.5F, 0.5F, -0.5F, 0.5F, -1.0F, -1.5F, 0.5F, -1.5F, -1.5F, 0.5F, 0.5F, 1.0F}), in({3, 3, 2}, {-0.5F, -0.5F, 0.5F, 0.0F, 0.5F, 0.0F, -1.0F, 0.0F, 0.0F, 0.0F, 0.0F, 0.0F, 0.0F, 1.0F, -0.5F,
    -1.0F, 0.5F, 0.5F})});
  EXPECT_EQ(r.shape(), (Shape{2, 3, 2, 2}));
  expect_close(r.floats(), {0.75F, 0.75F, -1.5F, -0.25F, 1.5F, 0.0F, -0.5F, 0.0F, -0.5F, -2.25F, -0.25F, 0.75F, -1.75F,
    -0.25F, 0.5F, -0.25F, -0.5F, 0.0F, -0.5F, 0.0F, 0.0F, 1.25F, 0.25F, 0.5F});
}

TEST(RuntimeBatchMatMul, AdjointsTransposeTheLastTwoDimensions) {
  BatchMatMulOptions o;
  o.adj_x = o.adj_y = true;
  const Result r = run_op(OpType::kBatchMatMul, o, {in({2, 3, 2}, {0.0F, -1.0F, 1.0F, -1.5F, -1.0F, -1.0F, 0.0F, -0.5F, -1.0F, -1.5F, 0.5F, -1.0F}), constant({4, 3}, {1.0F, 0.0F, 0.0F, -0.5F, -0.5F, -1.0F, -0.5F, 0.5F, 0.5F, 1.0F, 0.0F, 0.0F})});
  EXPECT_EQ(r.shape(), (Shape{2, 2, 4}));
  expect_close(r.floats(), {0.0F, 0.5F, 0.0F, 0.0F, -1.0F, 2.25F, -0.75F, -1.0F, 0.0F, 0.0F, -0.25F, 0.0F, -0.5F, 2.0F,
    -1.0F, -0.5F});
}

TEST(RuntimeBatchMatMul, ContractedDimensionsMustMatch) {
  EXPECT_NE(op_error(OpType::kBatchMatMul, BatchMatMulOptions{},
                     {in({2, 3}, std::vector<float>(6)), in({2, 3}, std::vector<float>(6))})
                .find("contracted dimensions differ"),
            std::string::npos);
}

}  // namespace
}  // namespace octet::test
