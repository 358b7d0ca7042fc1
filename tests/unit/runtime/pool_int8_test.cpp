// int8 AVERAGE_POOL_2D, MAX_POOL_2D, MEAN and integer QUANTIZE (requantize)
// against goldens derived by hand from the integer arithmetic of TFLite's
// default CPU path (the builtin kernels for the pools, XNNPACK for spatial MEAN
// and int8 -> int8 QUANTIZE, the builtin Mean for MEAN's other axes; see the
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
  // Input 1x2x2x2, scale 0.5, zp 1; output scale 0.25, zp -3. XNNPACK's global average pooling (s_in / s_out = 2
  // is within [2^-8, 2^8)): s = 0.5 / (0.25 * 4) = 0.5 in float32, one rounding half to even.
  //   ch0 q {3, 5, 1, 0} -> centred sum 2 + 4 + 0 - 1 = 5 -> 2.5 -> 2 -> -1
  //       (TFLite's builtin: MBQM(5, 2) = 10, (10 + 2) / 4 = 3 -> 0)
  //   ch1 q {-1, -2, -1, -1} -> -2 - 3 - 2 - 2 = -9 -> -4.5 -> -4 -> -7   (builtin: (-18 - 2) / 4 = -5 -> -8)
  const Arg x = q_in({1, 2, 2, 2}, {3, -1, 5, -2, 1, -1, 0, -1}, qp({0.5F}, {1}));
  const Result r = run_op(OpType::kMean, keep(true), {x, i32({1, 2})}, 1, {int8_out(0.25F, -3)});
  EXPECT_EQ(r.shape(), (Shape{1, 1, 1, 2}));
  EXPECT_EQ(ints(r.values<std::int8_t>()), (std::vector<int>{-1, -7}));
  // The other order is the same reduction on the same path; without keep_dims only the shape changes.
  const Result swapped = run_op(OpType::kMean, keep(true), {x, i32({2, 1})}, 1, {int8_out(0.25F, -3)});
  EXPECT_EQ(ints(swapped.values<std::int8_t>()), (std::vector<int>{-1, -7}));
  const Result flat = run_op(OpType::kMean, keep(false), {x, i32({1, 2})}, 1, {int8_out(0.25F, -3)});
  EXPECT_EQ(flat.shape(), (Shape{1, 2}));
  EXPECT_EQ(ints(flat.values<std::int8_t>()), (std::vector<int>{-1, -7}));
  // Saturation: output scale 0.004 -> ch0 mean 0.5 * 5 / 4 = 0.625 -> 156.25 -> 127.
  const Result sat = run_op(OpType::kMean, keep(true), {x, i32({1, 2})}, 1, {int8_out(0.004F, 0)});
  EXPECT_EQ(sat.values<std::int8_t>()[0], 127);
}

TEST(RuntimeMeanInt8, OtherAxesFollowTflitesBuiltinMean) {
  // Same input as above. TFLite's delegate reads the axes as written: {-2, 1} is not {1, 2} to it, so the builtin
  // QuantizedMeanOrSum runs, in float32 on the raw sums: scale 0.5 / 0.25 = 2, bias -1 * 2 = -2,
  //   ch0 raw 3 + 5 + 1 + 0 = 9 -> 9 / 4 * 2 - 2 = 2.5 -> 3 (half away from zero) -> 0
  //   ch1 raw -1 - 2 - 1 - 1 = -5 -> -2.5 - 2 = -4.5 -> -5 -> -8
  const Arg x = q_in({1, 2, 2, 2}, {3, -1, 5, -2, 1, -1, 0, -1}, qp({0.5F}, {1}));
  const Result neg = run_op(OpType::kMean, keep(true), {x, i32({-2, 1})}, 1, {int8_out(0.25F, -3)});
  EXPECT_EQ(ints(neg.values<std::int8_t>()), (std::vector<int>{0, -8}));
  // Over the channels (axis 3), output scale 0.2: scale 2.5, bias -2.5; raw pair sums 2, 3, 0, -1 over n = 2:
  //   1 * 2.5 - 2.5 = 0 -> -3;  1.5 * 2.5 - 2.5 = 1.25 -> 1 -> -2;  -2.5 -> -3 -> -6;  -1.25 - 2.5 = -3.75 -> -4 -> -7
  const Result channels = run_op(OpType::kMean, keep(false), {x, i32({3})}, 1, {int8_out(0.2F, -3)});
  EXPECT_EQ(channels.shape(), (Shape{1, 2, 2}));
  EXPECT_EQ(ints(channels.values<std::int8_t>()), (std::vector<int>{-3, -2, -6, -7}));
  // The output quantized like the input: reference_ops::Mean, the raw sum divided by n truncating toward zero:
  //   2 / 2 = 1;  3 / 2 = 1;  0;  -1 / 2 = 0.
  const Result same = run_op(OpType::kMean, keep(true), {x, i32({3})}, 1, {int8_out(0.5F, 1)});
  EXPECT_EQ(same.shape(), (Shape{1, 2, 2, 1}));
  EXPECT_EQ(ints(same.values<std::int8_t>()), (std::vector<int>{1, 1, 0, 0}));
  // A 3-D input (never the delegate's) 2x2x2 reduced over axis 1, same quantization: batch 0 rows {3, -1} and
  // {5, -2}, batch 1 rows {1, -1} and {0, -1}:
  //   8 / 2 = 4;  -3 / 2 = -1;  1 / 2 = 0;  -2 / 2 = -1.
  const Arg x3 = q_in({2, 2, 2}, {3, -1, 5, -2, 1, -1, 0, -1}, qp({0.5F}, {1}));
  const Result rank3 = run_op(OpType::kMean, keep(false), {x3, i32({1})}, 1, {int8_out(0.5F, 1)});
  EXPECT_EQ(rank3.shape(), (Shape{2, 2}));
  EXPECT_EQ(ints(rank3.values<std::int8_t>()), (std::vector<int>{4, -1, 0, -1}));
}

TEST(RuntimeQuantizeInt8, Requantize) {
  // int8 -> int8 runs in XNNPACK (scale ratio within [2^-8, 2^7]): m = lrintf(256 s_in / s_out),
  // out = floor(((q - zp_in) m + 128) / 256) + zp_out.
  // Scale 1 -> 2 (m = 128: x / 2 rounded half up), zp 0 -> 5:
  //   3 -> 1.5 -> 2 -> 7;  -3 -> -1.5 -> -1 -> 4;  127 -> 63.5 -> 64 -> 69;  -128 -> -64 -> -59.
  const Result a = run_op(OpType::kQuantize, NoOptions{}, {q_in({4}, {3, -3, 127, -128}, qp({1.0F}, {0}))}, 1,
                          {int8_out(2.0F, 5)});
  EXPECT_EQ(ints(a.values<std::int8_t>()), (std::vector<int>{7, 4, 69, -59}));
  // Scale 1 -> 3: m = lrintf(85.33) = 85, an 8-bit multiplier: -128 -> (-10880 + 128) / 256 = -42 exactly, where
  // the exact -42.67 (TFLite's builtin Q31 multiplier) rounds to -43; 127 -> floor(42.67) = 42; 3 -> floor(1.496)
  // = 1; -3 -> floor(-0.496) = -1.
  const Result third = run_op(OpType::kQuantize, NoOptions{}, {q_in({4}, {-128, 127, 3, -3}, qp({1.0F}, {0}))}, 1,
                              {int8_out(3.0F, 0)});
  EXPECT_EQ(ints(third.values<std::int8_t>()), (std::vector<int>{-42, 42, 1, -1}));
  // Scale 1 -> 1/256 is outside XNNPACK's range (ratio 256 > 2^7): TFLite's builtin Requantize (M = 256).
  //   0 -> 0; 1 -> 256 -> 127 (saturated); -1 -> -128.
  const Result builtin = run_op(OpType::kQuantize, NoOptions{}, {q_in({3}, {0, 1, -1}, qp({1.0F}, {0}))}, 1,
                                {int8_out(1.0F / 256.0F, 0)});
  EXPECT_EQ(ints(builtin.values<std::int8_t>()), (std::vector<int>{0, 127, -128}));
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
