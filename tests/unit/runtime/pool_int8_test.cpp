// int8 AVERAGE_POOL_2D, MAX_POOL_2D, MEAN and integer QUANTIZE (requantize)
// against goldens derived by hand from TFLite's integer formulas (see the
// comments at each case).

#include "int8_test_util.h"

namespace octet::test {
namespace {

Pool2DOptions pool(Padding padding, int filter, int stride, Activation activation = Activation::kNone) {
  Pool2DOptions o;
  o.padding = padding;
  o.filter_h = o.filter_w = filter;
  o.stride_h = o.stride_w = stride;
  o.activation = activation;
  return o;
}

// Input 1x2x3x1: rows {1, 2, -6}, {2, 1, -3}.
Arg pool_input(QuantParams q) { return q_in({1, 2, 3, 1}, {1, 2, -6, 2, 1, -3}, std::move(q)); }

TEST(RuntimeAveragePoolInt8, RoundsHalfAwayFromZero) {
  // VALID 2x2 stride 1: sums 1+2+2+1 = 6 -> 6/4 = 1.5 -> (6 + 2) / 4 = 2;
  //                      2-6+1-3 = -6 -> -1.5 -> (-6 - 2) / 4 = -2.
  const Result valid = run_op(OpType::kAveragePool2D, pool(Padding::kValid, 2, 1), {pool_input(qp({0.5F}, {0}))}, 1,
                              {int8_out(0.5F, 0)});
  EXPECT_EQ(valid.shape(), (Shape{1, 1, 2, 1}));
  EXPECT_EQ(ints(valid.values<std::int8_t>()), (std::vector<int>{2, -2}));
  // SAME 2x2 stride 2: padding 0 before; the second window holds only column 2:
  // (-6 - 3) / 2 taps = -4.5 -> (-9 - 1) / 2 = -5.
  const Result same = run_op(OpType::kAveragePool2D, pool(Padding::kSame, 2, 2), {pool_input(qp({0.5F}, {0}))}, 1,
                             {int8_out(0.5F, 0)});
  EXPECT_EQ(ints(same.values<std::int8_t>()), (std::vector<int>{2, -5}));
  // Fused RELU with zero point -1 clamps at -1 (real 0).
  const Result relu = run_op(OpType::kAveragePool2D, pool(Padding::kSame, 2, 2, Activation::kRelu),
                             {pool_input(qp({0.5F}, {-1}))}, 1, {int8_out(0.5F, -1)});
  EXPECT_EQ(ints(relu.values<std::int8_t>()), (std::vector<int>{2, -1}));
}

TEST(RuntimeMaxPoolInt8, ClipsWindowsAndClamps) {
  // SAME 2x2 stride 2: max(1, 2, 2, 1) = 2, max(-6, -3) = -3. RELU6 at scale 1, zp 0 clamps
  // 1x1 windows to [0, 6]: 127 -> 6, -128 -> 0.
  const Result r = run_op(OpType::kMaxPool2D, pool(Padding::kSame, 2, 2), {pool_input(qp({1.0F}, {0}))}, 1,
                          {int8_out(1.0F, 0)});
  EXPECT_EQ(ints(r.values<std::int8_t>()), (std::vector<int>{2, -3}));
  const Result relu6 = run_op(OpType::kMaxPool2D, pool(Padding::kValid, 1, 1, Activation::kRelu6),
                              {q_in({1, 1, 2, 1}, {127, -128}, qp({1.0F}, {0}))}, 1, {int8_out(1.0F, 0)});
  EXPECT_EQ(ints(relu6.values<std::int8_t>()), (std::vector<int>{6, 0}));
}

TEST(RuntimePoolInt8, OutputMustKeepTheInputQuantization) {
  const std::string scale = op_error(OpType::kAveragePool2D, pool(Padding::kValid, 2, 1),
                                     {pool_input(qp({0.5F}, {0}))}, 1, {int8_out(0.25F, 0)});
  EXPECT_NE(scale.find("output 'out0' must have the input's quantization"), std::string::npos) << scale;
  const std::string zero = op_error(OpType::kMaxPool2D, pool(Padding::kValid, 2, 1), {pool_input(qp({0.5F}, {0}))},
                                    1, {int8_out(0.5F, 1)});
  EXPECT_NE(zero.find("must have the input's quantization"), std::string::npos) << zero;
}

ReducerOptions keep(bool keep_dims) {
  ReducerOptions o;
  o.keep_dims = keep_dims;
  return o;
}

TEST(RuntimeMeanInt8, SpatialRequantized) {
  // Input 1x2x2x2, scale 0.5, zp 1; output scale 0.25, zp -3: M = QuantizeMultiplier(2) -> x2 exactly.
  //   ch0 q {3, 5, 1, 2} -> centred sum 2 + 4 + 0 + 1 = 7 -> 14 -> 14/4 = 3.5 -> (14 + 2) / 4 = 4 -> 1
  //   ch1 q {-1, -2, 1, -1} -> -2 - 3 + 0 - 2 = -7 -> -14 -> (-14 - 2) / 4 = -4 -> -7
  const Arg x = q_in({1, 2, 2, 2}, {3, -1, 5, -2, 1, 1, 2, -1}, qp({0.5F}, {1}));
  const Result r = run_op(OpType::kMean, keep(true), {x, i32({1, 2})}, 1, {int8_out(0.25F, -3)});
  EXPECT_EQ(r.shape(), (Shape{1, 1, 1, 2}));
  EXPECT_EQ(ints(r.values<std::int8_t>()), (std::vector<int>{1, -7}));
  // Axes in the other order and negative are the same reduction.
  const Result neg = run_op(OpType::kMean, keep(true), {x, i32({-2, 1})}, 1, {int8_out(0.25F, -3)});
  EXPECT_EQ(ints(neg.values<std::int8_t>()), (std::vector<int>{1, -7}));
  // Saturation: output scale 0.005 -> ch0 mean 0.5 * 7 / 4 = 0.875 -> 175 -> 127.
  const Result sat = run_op(OpType::kMean, keep(true), {x, i32({1, 2})}, 1, {int8_out(0.005F, 0)});
  EXPECT_EQ(sat.values<std::int8_t>()[0], 127);
  const std::string no_keep = op_error(OpType::kMean, keep(false), {x, i32({1, 2})}, 1, {int8_out(0.25F, -3)});
  EXPECT_NE(no_keep.find("int8 MEAN needs a 4-D input reduced over axes {1, 2} with keep_dims"), std::string::npos)
      << no_keep;
  EXPECT_NE(op_error(OpType::kMean, keep(true), {x, i32({3})}, 1, {int8_out(0.25F, -3)}).find("int8 MEAN needs"),
            std::string::npos);
}

TEST(RuntimeQuantizeInt8, Requantize) {
  // int8 -> int8: scale 1 -> 2 (M = 0.5: SRDHM, half up), zp 0 -> 5:
  //   3 -> 1.5 -> 2 -> 7;  -3 -> -1.5 -> -1 -> 4;  127 -> 63.5 -> 64 -> 69;  -128 -> -64 -> -59.
  const Result a = run_op(OpType::kQuantize, NoOptions{}, {q_in({4}, {3, -3, 127, -128}, qp({1.0F}, {0}))}, 1,
                          {int8_out(2.0F, 5)});
  EXPECT_EQ(ints(a.values<std::int8_t>()), (std::vector<int>{7, 4, 69, -59}));
  // uint8 -> int8 with the same scale and zero points 128 -> 0: q - 128.
  Arg u = in<std::uint8_t>({4}, {0, 128, 255, 200});
  u.quant = qp({0.5F}, {128});
  const Result b = run_op(OpType::kQuantize, NoOptions{}, {u}, 1, {int8_out(0.5F, 0)});
  EXPECT_EQ(ints(b.values<std::int8_t>()), (std::vector<int>{-128, 0, 127, 72}));
  // int8 -> uint8: scale 1 -> 0.25 (M = 4), zp -3 -> 10: (q + 3) * 4 + 10, clamped to [0, 255].
  const Result c = run_op(OpType::kQuantize, NoOptions{}, {q_in({4}, {-3, 0, 60, -10}, qp({1.0F}, {-3}))}, 1,
                          {OutDecl{DType::kUint8, qp({0.25F}, {10})}});
  const std::vector<std::uint8_t> got = c.values<std::uint8_t>();
  EXPECT_EQ((std::vector<int>{got.begin(), got.end()}), (std::vector<int>{10, 22, 255, 0}));
  // uint8 -> uint8 is not a TFLite requantization.
  EXPECT_NE(op_error(OpType::kQuantize, NoOptions{}, {u}, 1, {OutDecl{DType::kUint8, qp({0.5F}, {0})}})
                .find("must be int8 to requantize a uint8 input"),
            std::string::npos);
  // Per-channel requantization is not either.
  EXPECT_NE(op_error(OpType::kQuantize, NoOptions{}, {q_in({2}, {1, 2}, qp({1.0F, 2.0F}, {0, 0}))}, 1,
                     {int8_out(1.0F, 0)})
                .find("must be quantized per tensor"),
            std::string::npos);
}

}  // namespace
}  // namespace octet::test
