// CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV, AVERAGE_POOL_2D and MAX_POOL_2D
// against goldens from tests/unit/runtime/make_goldens.py (numpy: explicit
// TF-style zero padding + a dot per window; transpose conv as a full scatter
// cropped at TFLite's padding; pooling over a NaN-padded image). Inputs are the
// script's seeded quarter-integers, so every value is exact in float32.

#include "runtime_test_util.h"

namespace octet::test {
namespace {

Conv2DOptions conv(Padding padding, int stride, int dilation, Activation activation = Activation::kNone) {
  Conv2DOptions o;
  o.padding = padding;
  o.stride_h = o.stride_w = stride;
  o.dilation_h = o.dilation_w = dilation;
  o.activation = activation;
  return o;
}

std::vector<float> scaled(std::vector<float> v, float k) {
  for (float& x : v) x *= k;
  return v;
}

const std::vector<float> kConv1X = {0.0F, 0.0F, 1.0F, 1.5F, -1.5F, -1.0F, 1.0F, 1.5F, -1.0F, -0.5F, 1.5F, -0.5F, -1.0F, 1.0F, -1.0F,
    -0.5F, 0.5F, 0.0F, -1.5F, -1.5F, 1.5F, 1.0F, 1.0F, 0.0F, 1.0F, -0.5F, 0.0F, 1.0F, -1.5F, -0.5F,
    -1.5F, 0.0F};
const std::vector<float> kConv1W = {0.5F, -0.25F, -0.5F, -0.25F, 0.0F, 0.5F, 0.0F, -0.5F, -0.25F, 0.25F, 0.5F, 0.25F, 0.5F, -0.5F,
    0.5F, -0.5F, 0.0F, -0.25F, -0.25F, 0.25F, -0.25F, 0.0F, -0.25F, -0.5F, 0.25F, 0.0F, 0.25F, 0.25F,
    0.5F, 0.0F, -0.25F, 0.25F, 0.5F, 0.5F, 0.5F, 0.25F, -0.25F, -0.25F, -0.5F, -0.5F, -0.25F, -0.25F,
    0.0F, 0.0F, 0.25F, 0.5F, 0.5F, 0.25F, 0.5F, -0.25F, 0.5F, 0.5F, -0.25F, 0.0F};
const std::vector<float> kConv1B = {0.5F, -1.0F, 0.25F};

TEST(RuntimeConv2D, ValidStride1WithBias) {
  const Result r = run_op(OpType::kConv2D, conv(Padding::kValid, 1, 1),
                          {in({1, 4, 4, 2}, kConv1X), constant({3, 3, 3, 2}, kConv1W), constant({3}, kConv1B)});
  EXPECT_EQ(r.shape(), (Shape{1, 2, 2, 3}));
  expect_close(r.floats(), {-1.375F, -1.5F, -2.125F, 2.75F, 0.125F, 0.5F, 1.375F, -2.125F, 1.5F, 1.5F, -1.5F, 0.875F});
}

TEST(RuntimeConv2D, EveryFusedActivation) {
  // The same conv; RELU6 runs on weights and bias x4 so that both clamps bite.
  const auto run = [&](Activation a, float k) {
    return run_op(OpType::kConv2D, conv(Padding::kValid, 1, 1, a),
                  {in({1, 4, 4, 2}, kConv1X), constant({3, 3, 3, 2}, scaled(kConv1W, k)),
                   constant({3}, scaled(kConv1B, k))})
        .floats();
  };
  expect_close(run(Activation::kRelu, 1), {0.0F, 0.0F, 0.0F, 2.75F, 0.125F, 0.5F, 1.375F, 0.0F, 1.5F, 1.5F, 0.0F, 0.875F});
  expect_close(run(Activation::kRelu6, 4), {0.0F, 0.0F, 0.0F, 6.0F, 0.5F, 2.0F, 5.5F, 0.0F, 6.0F, 6.0F, 0.0F, 3.5F});
  expect_close(run(Activation::kReluN1To1, 1), {-1.0F, -1.0F, -1.0F, 1.0F, 0.125F, 0.5F, 1.0F, -1.0F, 1.0F, 1.0F, -1.0F, 0.875F});
  expect_close(run(Activation::kTanh, 1), {-0.8798267F, -0.905148254F, -0.971872746F, 0.991859725F, 0.124353002F, 0.462117157F, 0.8798267F,
    -0.971872746F, 0.905148254F, 0.905148254F, -0.905148254F, 0.703905604F});
}

TEST(RuntimeConv2D, SameStride2) {
  const Result r = run_op(OpType::kConv2D, conv(Padding::kSame, 2, 1),
                          {in({1, 5, 5, 1}, {3.0F, -5.0F, -4.0F, -3.0F, -4.0F, 3.0F, 4.0F, 1.0F, -5.0F, -4.0F, -2.0F, -1.0F, 1.0F, 0.0F,
    -3.0F, -4.0F, 2.0F, 3.0F, -5.0F, -4.0F, -1.0F, -1.0F, 4.0F, 0.0F, -1.0F}), constant({2, 3, 3, 1}, {0.5F, 1.0F, 1.0F, 0.0F, 1.0F, 1.0F, 1.0F, -1.0F, 0.0F, 0.5F, -0.5F, -0.5F, 0.5F, 1.0F, 0.0F,
    -1.0F, 0.5F, 1.0F}), absent()});
  EXPECT_EQ(r.shape(), (Shape{1, 3, 3, 2}));
  expect_close(r.floats(), {-5.0F, 8.5F, -4.0F, -15.0F, -5.0F, -2.5F, 8.0F, -5.5F, -2.0F, -1.0F, -10.5F, -0.5F, -4.0F, 0.0F,
    3.0F, 5.5F, -7.5F, -1.5F});
}

TEST(RuntimeConv2D, SameDilation2) {
  const Result r = run_op(OpType::kConv2D, conv(Padding::kSame, 1, 2),
                          {in({1, 5, 5, 2}, {1.0F, 1.5F, -2.0F, 1.5F, 0.0F, 0.0F, 0.5F, -1.0F, 2.0F, -2.0F, -1.0F, -0.5F, 0.5F, -0.5F, -1.5F,
    -2.0F, -2.0F, -2.0F, -1.5F, 2.0F, -1.5F, 0.5F, 1.0F, -1.0F, -1.0F, -0.5F, -1.0F, 2.0F, -1.5F,
    2.0F, 1.5F, 1.5F, -1.5F, -0.5F, 0.5F, 0.0F, 0.5F, 1.0F, 0.5F, -2.0F, 2.0F, 0.5F, 2.0F, -1.0F,
    -0.5F, 1.5F, -1.5F, -2.0F, -0.5F, 1.0F}), constant({2, 3, 3, 2}, {0.0F, 0.0F, 0.0F, -0.5F, 1.0F, -0.5F, 0.5F, -0.5F, 0.0F, 1.0F, -1.0F, 0.5F, 0.0F, 0.5F, 0.5F,
    -0.5F, 0.5F, 0.5F, 0.0F, -1.0F, 0.5F, -1.0F, 1.0F, 1.0F, 1.0F, -1.0F, 1.0F, 1.0F, 0.0F, 1.0F,
    0.5F, 0.5F, -1.0F, -1.0F, -0.5F, -0.5F})});
  EXPECT_EQ(r.shape(), (Shape{1, 5, 5, 2}));
  expect_close(r.floats(), {-0.25F, 4.25F, 2.0F, -2.0F, -3.0F, -1.75F, -4.75F, -5.0F, -4.0F, -1.25F, 0.25F, -6.75F, 0.75F,
    -0.75F, 0.5F, -0.25F, -2.0F, -5.5F, 3.5F, 2.75F, 1.75F, -5.5F, 1.0F, -0.25F, 3.5F, -3.0F, 3.25F,
    6.75F, 2.75F, 3.0F, 0.75F, -0.5F, -1.25F, -4.25F, -3.0F, 0.75F, 1.5F, 2.0F, -2.75F, -1.75F,
    0.75F, 1.25F, -2.0F, 1.5F, 1.0F, 3.5F, -1.5F, -2.0F, -1.0F, -3.75F});
}

TEST(RuntimeConv2D, ValidStride2Dilation2NonSquare) {
  const Result r = run_op(OpType::kConv2D, conv(Padding::kValid, 2, 2),
                          {in({1, 7, 6, 1}, {6.0F, 2.0F, 2.0F, 5.0F, 1.0F, 4.0F, 4.0F, -4.0F, -6.0F, -3.0F, -3.0F, 5.0F, 5.0F, -6.0F, 0.0F,
    4.0F, -5.0F, 4.0F, -5.0F, 0.0F, 4.0F, -3.0F, -2.0F, -3.0F, 3.0F, -3.0F, 6.0F, -1.0F, 0.0F, 0.0F,
    1.0F, 1.0F, 0.0F, 6.0F, 4.0F, 4.0F, 3.0F, 2.0F, -2.0F, 6.0F, 0.0F, -4.0F}), constant({1, 2, 2, 1}, {1.0F, -1.0F, -1.0F, 1.0F})});
  // VALID: (7 - 3 + 2) / 2 = 3 rows, (6 - 3 + 2) / 2 = 2 columns.
  EXPECT_EQ(r.shape(), (Shape{1, 3, 2, 1}));
  expect_close(r.floats(), {-1.0F, -4.0F, 8.0F, -1.0F, -8.0F, 8.0F});
}

TEST(RuntimeConv2D, SameOddPaddingGoesAfter) {
  // 6 -> 3 with a 3-tap window and stride 2: total padding 1, all of it at the
  // bottom/right. Hand check: out[0][0] = sum of x[0..2][0..2] = 17.
  const Result r = run_op(OpType::kConv2D, conv(Padding::kSame, 2, 1),
                          {in({1, 6, 6, 1}, {-1.0F, 3.0F, 3.0F, -1.0F, -3.0F, 1.0F, 1.0F, 2.0F, 1.0F, 2.0F, 3.0F, 3.0F, 3.0F, 3.0F, 2.0F,
    3.0F, -3.0F, -3.0F, 2.0F, 0.0F, 2.0F, 0.0F, 3.0F, -3.0F, 1.0F, -3.0F, -2.0F, 2.0F, -1.0F, 3.0F,
    -1.0F, 2.0F, 3.0F, -1.0F, 3.0F, 1.0F}), constant({1, 3, 3, 1}, std::vector<float>(9, 1.0F))});
  expect_close(r.floats(), {17.0F, 7.0F, -2.0F, 8.0F, 6.0F, -4.0F, 0.0F, 4.0F, 6.0F});
  EXPECT_EQ(r.floats()[0], 17.0F);
}

TEST(RuntimeConv2D, Grouped) {
  // 4 input channels, filter input depth 2: two groups of two output channels.
  const Result r = run_op(OpType::kConv2D, conv(Padding::kValid, 1, 1),
                          {in({1, 3, 3, 4}, {1.0F, 2.0F, -1.0F, -1.5F, 1.5F, 1.5F, 0.0F, -1.5F, 1.5F, 0.0F, -1.5F, -1.5F, -0.5F, 1.0F, -0.5F,
    1.5F, -2.0F, -0.5F, 0.0F, 2.0F, -1.0F, 1.5F, -2.0F, -0.5F, 1.0F, 0.5F, 2.0F, 1.0F, 2.0F, 1.5F,
    -1.5F, 2.0F, 1.5F, -1.5F, 2.0F, 1.0F}), constant({4, 2, 2, 2}, {-1.0F, -1.0F, 0.5F, 0.0F, 0.0F, 0.5F, 0.5F, -1.0F, 0.0F, -1.0F, 0.0F, 1.0F, 0.0F, -1.0F, 0.0F,
    -1.0F, 0.5F, 1.0F, 1.0F, 0.5F, 1.0F, -0.5F, -1.0F, 0.0F, 0.0F, 0.5F, 1.0F, -0.5F, 1.0F, -1.0F,
    -0.5F, 0.5F})});
  expect_close(r.floats(), {-2.25F, -1.0F, -4.0F, -1.0F, -4.5F, -2.5F, -2.75F, -2.75F, -1.75F, -3.5F, 5.25F, 2.5F, 5.0F,
    2.0F, -4.75F, -4.75F});
}

TEST(RuntimeConv2D, PrepareErrors) {
  const auto x = in({1, 4, 4, 2}, std::vector<float>(32, 0.0F));
  EXPECT_NE(op_error(OpType::kConv2D, conv(Padding::kValid, 1, 1), {x, constant({3, 3, 3, 3}, std::vector<float>(81))})
                .find("op 'op' (CONV_2D): input channels 2 must be a multiple of the filter's input channels 3"),
            std::string::npos);
  EXPECT_NE(op_error(OpType::kConv2D, conv(Padding::kValid, 1, 1),
                     {x, constant({3, 5, 5, 2}, std::vector<float>(150))})
                .find("does not fit"),
            std::string::npos);
  EXPECT_NE(op_error(OpType::kConv2D, conv(Padding::kValid, 1, 1),
                     {x, constant({3, 3, 3, 2}, std::vector<float>(54)), constant({2}, {0.0F, 0.0F})})
                .find("bias 'in2' must have shape 3"),
            std::string::npos);
  EXPECT_NE(op_error(OpType::kConv2D, conv(Padding::kValid, 0, 1), {x, constant({3, 3, 3, 2}, std::vector<float>(54))})
                .find("stride_h must be >= 1"),
            std::string::npos);
  EXPECT_NE(op_error(OpType::kConv2D, conv(Padding::kValid, 1, 1), {in({4, 4, 2}, std::vector<float>(32)),
                                                                  constant({3, 3, 3, 2}, std::vector<float>(54))})
                .find("input 0 ('in0') must have rank 4"),
            std::string::npos);
}

DepthwiseConv2DOptions dw(Padding padding, int stride, int dilation, int multiplier) {
  DepthwiseConv2DOptions o;
  o.padding = padding;
  o.stride_h = o.stride_w = stride;
  o.dilation_h = o.dilation_w = dilation;
  o.depth_multiplier = multiplier;
  return o;
}

TEST(RuntimeDepthwiseConv2D, Multiplier2SameWithBias) {
  const Result r = run_op(OpType::kDepthwiseConv2D, dw(Padding::kSame, 1, 1, 2),
                          {in({1, 3, 3, 2}, {0.5F, -1.0F, 2.0F, 2.0F, -2.0F, -1.5F, -1.5F, -1.5F, 0.5F, -0.5F, 0.0F, -1.0F, 2.0F, 1.0F, 0.5F,
    -1.5F, -1.5F, 2.0F}), constant({1, 3, 3, 4}, {1.0F, 1.0F, 1.0F, 1.0F, -1.0F, 1.0F, 1.0F, -0.5F, -1.0F, -1.0F, 0.5F, 1.0F, 0.5F, 0.5F, 0.5F,
    -1.0F, 1.0F, 1.0F, -1.0F, 1.0F, 1.0F, -0.5F, 0.0F, 1.0F, 1.0F, -1.0F, 0.5F, 0.0F, -0.5F, 1.0F,
    0.5F, 0.0F, 1.0F, 0.0F, 1.0F, -1.0F}),
                           constant({4}, {1.0F, -1.0F, 0.5F, 0.0F})});
  EXPECT_EQ(r.shape(), (Shape{1, 3, 3, 4}));
  expect_close(r.floats(), {4.75F, -3.0F, 0.25F, 1.5F, -0.5F, 4.25F, -4.0F, 2.5F, 0.5F, -2.5F, 2.25F, -3.5F, -3.0F, -2.25F,
    1.0F, 2.0F, 1.5F, 1.75F, 2.25F, -5.5F, 6.5F, -2.75F, 2.0F, 2.25F, 4.5F, -1.25F, -2.25F, -0.25F,
    -1.0F, 0.25F, 0.0F, -2.75F, 0.25F, -1.75F, -3.75F, 3.5F});
}

TEST(RuntimeDepthwiseConv2D, ValidStride2TwoBatches) {
  const Result r = run_op(OpType::kDepthwiseConv2D, dw(Padding::kValid, 2, 1, 1),
                          {in({2, 5, 5, 3}, {-2.0F, 2.0F, 1.0F, -1.0F, -2.5F, 1.0F, -1.0F, 2.0F, -1.0F, 1.0F, -1.5F, 0.5F, -2.5F, 1.5F, -2.0F,
    1.0F, 1.5F, 0.0F, 1.5F, 0.5F, 2.0F, 1.5F, 2.0F, -2.5F, -2.5F, 1.0F, 1.0F, 1.5F, 1.5F, -0.5F,
    2.0F, 0.0F, -2.0F, -1.5F, 1.5F, 1.0F, 2.0F, 2.5F, 1.5F, -1.0F, 0.5F, 0.0F, -1.5F, 2.0F, 2.5F,
    0.5F, -1.5F, -0.5F, -0.5F, 1.0F, 2.5F, -2.5F, -2.5F, -2.0F, -2.5F, 2.0F, -1.0F, -2.0F, -2.5F,
    -2.5F, 2.0F, 2.5F, -2.0F, 1.5F, 1.5F, 2.5F, 2.5F, 1.5F, 2.5F, 2.5F, -1.5F, -1.0F, 0.5F, 1.5F,
    0.5F, -2.0F, -2.0F, 2.0F, -0.5F, 1.5F, -1.0F, -1.5F, 1.5F, -1.5F, 2.0F, -2.0F, -2.0F, 2.0F,
    -2.0F, 1.0F, 1.5F, -1.0F, -2.0F, 1.0F, 1.5F, 1.0F, 1.5F, 1.0F, -1.0F, 2.5F, 0.5F, 2.0F, -2.0F,
    -0.5F, 1.0F, -2.5F, 1.0F, -1.5F, -0.5F, -2.5F, 2.0F, 1.5F, 2.5F, 1.5F, -2.0F, -1.5F, -0.5F, 2.5F,
    2.5F, -1.0F, 2.0F, 0.0F, 1.5F, 0.5F, 2.5F, 2.5F, 0.0F, 2.0F, -2.5F, -2.0F, -2.5F, 2.0F, 1.5F,
    -1.5F, 0.0F, 1.5F, 0.5F, 1.0F, -1.5F, -2.0F, -0.5F, -2.5F, 2.0F, 2.5F, -1.0F, -2.5F, 2.5F, -2.0F,
    2.5F, 2.5F}), constant({1, 2, 2, 3}, {1.0F, 1.0F, 1.0F, 1.0F, -1.0F, 0.0F, -1.0F, -1.0F, 0.0F, 0.0F, 1.0F, -1.0F})});
  EXPECT_EQ(r.shape(), (Shape{2, 2, 2, 3}));
  expect_close(r.floats(), {-4.0F, 3.5F, -1.0F, -1.5F, 2.5F, -2.0F, 0.0F, 1.0F, -4.5F, 3.5F, 6.5F, 2.5F, -4.0F, -1.0F, 1.0F,
    -1.0F, 3.0F, -3.5F, -5.0F, 6.0F, -4.0F, -0.5F, -0.5F, -0.5F});
}

TEST(RuntimeDepthwiseConv2D, Multiplier3SameDilation2) {
  const Result r = run_op(OpType::kDepthwiseConv2D, dw(Padding::kSame, 1, 2, 3),
                          {in({1, 5, 5, 1}, {0.0F, 0.0F, 2.0F, 0.0F, 2.0F, -3.0F, 0.0F, -1.0F, -3.0F, 1.0F, 0.0F, -3.0F, -1.0F, 3.0F, -3.0F,
    2.0F, 3.0F, -3.0F, -3.0F, 2.0F, -3.0F, -2.0F, 2.0F, 1.0F, 0.0F}), constant({1, 3, 3, 3}, {0.5F, 1.0F, -1.0F, -1.0F, 0.0F, 0.0F, 0.5F, -0.5F, -1.0F, -0.5F, 0.0F, -0.5F, 1.0F, 0.0F, 0.5F,
    0.5F, -1.0F, 0.5F, -1.0F, -1.0F, 0.0F, -0.5F, -0.5F, 0.5F, -1.0F, -1.0F, 0.5F})});
  EXPECT_EQ(r.shape(), (Shape{1, 5, 5, 3}));
  expect_close(r.floats(), {2.0F, -1.0F, 0.5F, -1.5F, -1.5F, 0.0F, 6.5F, 1.5F, 0.0F, 1.5F, 1.5F, 1.5F, 3.5F, 2.5F, -1.5F,
    -1.5F, 3.0F, -2.5F, 0.0F, 4.5F, -1.5F, -1.5F, -3.5F, 1.0F, -4.5F, -1.5F, -3.0F, 3.5F, 2.0F, 2.0F,
    0.0F, -0.5F, -3.0F, -1.5F, -3.0F, -0.5F, -1.5F, 4.0F, -3.0F, 6.0F, 1.5F, 3.5F, -5.5F, 0.0F,
    -3.0F, 3.0F, 3.5F, 0.5F, 0.0F, 4.5F, 3.0F, -3.0F, -5.5F, 0.5F, -1.5F, 0.0F, -3.0F, 2.0F, -1.0F,
    3.5F, -2.5F, -1.5F, 0.5F, 3.0F, -2.5F, -3.5F, 3.0F, 1.5F, 5.5F, -2.5F, -3.0F, 4.5F, 1.5F, -1.0F,
    0.0F});
}

TEST(RuntimeDepthwiseConv2D, MultiplierMustMatchFilter) {
  EXPECT_NE(op_error(OpType::kDepthwiseConv2D, dw(Padding::kSame, 1, 1, 1),
                     {in({1, 3, 3, 2}, std::vector<float>(18)), constant({1, 3, 3, 4}, std::vector<float>(36))})
                .find("filter channels 4 must equal input channels 2 x depth_multiplier 1"),
            std::string::npos);
}

TransposeConvOptions tconv(Padding padding, int stride, Activation activation = Activation::kNone) {
  TransposeConvOptions o;
  o.padding = padding;
  o.stride_h = o.stride_w = stride;
  o.activation = activation;
  return o;
}

TEST(RuntimeTransposeConv, SameStride2) {
  // TFLite pads as for a conv 4 -> 2: total (2-1)*2+3-4 = 1, none before, so
  // the output is the 5x5 full scatter's top-left 4x4. Hand check:
  // out[2][2] = 1*w22 + 2*w20 + 3*w02 + 4*w00 = 9 + 14 + 9 + 4 = 36.
  const Result r = run_op(OpType::kTransposeConv, tconv(Padding::kSame, 2),
                          {i32({1, 4, 4, 1}), constant({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9}),
                           in({1, 2, 2, 1}, {1, 2, 3, 4})});
  EXPECT_EQ(r.shape(), (Shape{1, 4, 4, 1}));
  expect_close(r.floats(), {1.0F, 2.0F, 5.0F, 4.0F, 4.0F, 5.0F, 14.0F, 10.0F, 10.0F, 14.0F, 36.0F, 24.0F, 12.0F, 15.0F,
    34.0F, 20.0F});
  EXPECT_EQ(r.floats()[10], 36.0F);
}

TEST(RuntimeTransposeConv, ValidStride2WithBias) {
  const Result r = run_op(OpType::kTransposeConv, tconv(Padding::kValid, 2),
                          {i32({1, 5, 5, 2}), constant({2, 3, 3, 3}, {0.0F, 0.0F, -0.5F, 1.0F, -0.5F, -0.5F, 1.0F, -1.0F, 0.0F, -0.5F, -1.0F, 0.5F, 1.0F, 0.5F, -0.5F,
    0.0F, 1.0F, -0.5F, 0.0F, 1.0F, -1.0F, 1.0F, 0.5F, 0.0F, 0.5F, 0.0F, -0.5F, 0.5F, 1.0F, 0.5F,
    0.5F, 0.5F, 1.0F, 0.0F, 0.5F, 0.0F, 0.5F, 0.5F, -0.5F, 1.0F, -0.5F, -1.0F, 0.5F, -1.0F, 0.0F,
    0.5F, -1.0F, 0.0F, 0.0F, 0.5F, 0.0F, 0.0F, 0.0F, 0.0F}), in({1, 2, 2, 3}, {1.5F, -0.5F, -1.0F, 1.0F, 1.5F, -1.0F, -0.5F, -1.5F, 1.5F, 1.5F, 0.5F, 0.0F}),
                           constant({2}, {0.5F, -0.5F})});
  expect_close(r.floats(), {1.0F, -0.75F, 2.75F, -1.0F, 3.0F, 0.75F, 1.25F, -0.25F, 0.0F, 0.25F, -0.25F, 0.5F, 2.25F, 2.25F,
    -2.0F, 2.5F, 2.75F, 0.75F, 2.5F, -1.5F, 0.25F, -0.25F, 1.25F, -0.25F, 5.25F, -1.0F, 3.5F, 1.25F,
    2.5F, -0.25F, 3.0F, -2.25F, -1.5F, -1.75F, -3.0F, 1.75F, 2.25F, 0.75F, 1.0F, -0.25F, -2.5F,
    0.75F, -0.75F, -1.25F, 0.0F, -0.25F, 2.25F, -0.25F, 1.25F, -0.5F});
}

TEST(RuntimeTransposeConv, SameStride2NonSquareWithRelu) {
  const std::vector<float> expected = {-2.0F, 0.0F, 2.0F, 2.0F, 1.0F, 0.0F, -1.0F, -1.0F, 1.0F, 0.0F, 0.0F, 0.0F, 0.0F, -2.0F, 0.0F,
    0.0F, 0.0F, 1.0F, 0.0F, 0.0F, 0.0F, 0.0F, 0.0F, 0.0F, -2.0F, 0.0F, 2.0F, 2.0F, 2.0F, 0.0F, 0.0F,
    0.0F, 0.0F, 0.0F, 0.0F, 0.0F, 0.0F, -2.0F, 0.0F, 0.0F, 1.0F, 0.0F, -1.0F, -1.0F, 0.0F, 0.0F,
    0.0F, 0.0F, 1.0F, 0.0F, 0.0F, 0.0F, 0.0F, 1.0F, 0.0F, 0.0F, 0.0F, 0.0F, 0.0F, 0.0F};
  std::vector<float> relu = expected;
  for (float& v : relu) v = std::max(v, 0.0F);
  const Result r = run_op(OpType::kTransposeConv, tconv(Padding::kSame, 2, Activation::kRelu),
                          {i64({1, 6, 5, 2}), constant({2, 2, 2, 1}, {-1.0F, 1.0F, 0.0F, 0.0F, 0.0F, 1.0F, 0.0F, -1.0F}), in({1, 3, 3, 1}, {2.0F, -1.0F, -1.0F, 0.0F, 2.0F, -2.0F, -1.0F, 0.0F, -1.0F})});
  EXPECT_EQ(r.shape(), (Shape{1, 6, 5, 2}));
  expect_close(r.floats(), relu);
}

TEST(RuntimeTransposeConv, OutputShapeMustBeConstantAndConsistent) {
  const auto w = constant({1, 3, 3, 1}, std::vector<float>(9));
  const auto x = in({1, 2, 2, 1}, std::vector<float>(4));
  EXPECT_NE(op_error(OpType::kTransposeConv, tconv(Padding::kSame, 2), {in<std::int32_t>({4}, {1, 4, 4, 1}), w, x})
                .find("input 0 ('in0') must be a constant tensor"),
            std::string::npos);
  EXPECT_NE(op_error(OpType::kTransposeConv, tconv(Padding::kSame, 2), {i32({1, 4, 4, 2}), w, x})
                .find("weights output channels 1 differ from output_shape channels 2"),
            std::string::npos);
}

Pool2DOptions pool(Padding padding, int fh, int fw, int sh, int sw, Activation activation = Activation::kNone) {
  Pool2DOptions o;
  o.padding = padding;
  o.filter_h = fh;
  o.filter_w = fw;
  o.stride_h = sh;
  o.stride_w = sw;
  o.activation = activation;
  return o;
}

const std::vector<float> kPoolX = {4.0F, -2.0F, 2.0F, -4.0F, 6.0F, -5.0F, -3.0F, 2.0F, -6.0F, -1.0F, -5.0F, 6.0F, -2.0F, 5.0F,
    -2.0F, 4.0F, -6.0F, -6.0F, -3.0F, 1.0F, -4.0F, 1.0F, 0.0F, -6.0F, -2.0F, 0.0F, 5.0F, -2.0F,
    -2.0F, -4.0F, 0.0F, 4.0F, -2.0F, -1.0F, 2.0F, -5.0F, 1.0F, -2.0F, 1.0F, 5.0F, -4.0F, -1.0F,
    -1.0F, -4.0F, -1.0F, -6.0F, -3.0F, 0.0F, -1.0F, 2.0F};

TEST(RuntimePool, AverageSameExcludesPadding) {
  const Result r = run_op(OpType::kAveragePool2D, pool(Padding::kSame, 3, 3, 2, 2), {in({1, 5, 5, 2}, kPoolX)});
  EXPECT_EQ(r.shape(), (Shape{1, 3, 3, 2}));
  expect_close(r.floats(), {-0.25F, 1.25F, -0.833333333F, -0.666666667F, -4.5F, -1.0F, -2.16666667F, 1.5F, -0.666666667F,
    -1.44444444F, -0.666666667F, -1.33333333F, -1.75F, -0.5F, -0.666666667F, -3.0F, -0.5F, 1.25F});
}

TEST(RuntimePool, MaxSame) {
  const Result r = run_op(OpType::kMaxPool2D, pool(Padding::kSame, 3, 3, 2, 2), {in({1, 5, 5, 2}, kPoolX)});
  expect_close(r.floats(), {4.0F, 6.0F, 6.0F, 5.0F, -3.0F, 2.0F, 0.0F, 6.0F, 5.0F, 5.0F, 5.0F, 5.0F, 0.0F, 4.0F, 2.0F, 0.0F,
    1.0F, 5.0F});
}

TEST(RuntimePool, MaxValidStride1) {
  const Result r = run_op(OpType::kMaxPool2D, pool(Padding::kValid, 2, 2, 1, 1), {in({1, 5, 5, 2}, kPoolX)});
  EXPECT_EQ(r.shape(), (Shape{1, 4, 4, 2}));
  expect_close(r.floats(), {4.0F, 6.0F, 6.0F, 5.0F, 6.0F, 4.0F, -3.0F, 2.0F, 0.0F, 6.0F, 0.0F, 5.0F, 5.0F, 4.0F, 5.0F, 1.0F,
    0.0F, 4.0F, 2.0F, 0.0F, 5.0F, 0.0F, 5.0F, 5.0F, 0.0F, 4.0F, 2.0F, -1.0F, 2.0F, 0.0F, 1.0F, 5.0F});
}

TEST(RuntimePool, AverageValidRectangularWithRelu6) {
  std::vector<float> expected = {0.5F, 0.666666667F, -0.833333333F, -0.666666667F, -2.33333333F, -0.833333333F, -1.0F,
    -1.16666667F, 0.666666667F, -2.66666667F, 0.833333333F, -1.33333333F};
  for (float& v : expected) v = std::min(std::max(v, 0.0F), 6.0F);
  const Result r = run_op(OpType::kAveragePool2D, pool(Padding::kValid, 2, 3, 2, 1, Activation::kRelu6),
                          {in({1, 5, 5, 2}, kPoolX)});
  EXPECT_EQ(r.shape(), (Shape{1, 2, 3, 2}));
  expect_close(r.floats(), expected);
}

}  // namespace
}  // namespace octet::test
