// int8 CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV and FULLY_CONNECTED against
// goldens derived by hand from the arithmetic of TFLite's default CPU path
// (src/runtime/reference/int8_rounding.h):
//
//   acc = sum (q_in - zp_in) * w + bias;  out = clamp(requantize(acc) + zp_out)
//
// * fp32 (XNNPACK: CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV and
//   FULLY_CONNECTED with per-tensor weights): acc * s rounded once, half to
//   even, s = s_in * s_w / s_out in float32: 1.25 -> 1, 2.5 -> 2, -1.5 -> -2,
//   -4.5 -> -4.
// * double rounding (TFLite's builtin reference: TRANSPOSE_CONV with
//   per-channel weights): MBQM(x, M) is SRDHM (round half up: -1.5 -> -1,
//   1.5 -> 2) followed, for M < 0.5, by a rounding right shift (half away from
//   zero). With M = 0.25 = 2^30 * 2^-31 * 2^-1: 5 -> SRDHM 3 (2.5 up) ->
//   RDBPOT 2 (1.5 away): 1.25 gives 2.
// * single rounding (ruy, TFLite's optimized FULLY_CONNECTED with per-channel
//   weights): (x * M + 2^(k-1)) >> k, half up: 0.5 -> 1, -1.5 -> -1.

#include "int8_test_util.h"

namespace octet::test {
namespace {

Conv2DOptions conv(Padding padding, int stride, Activation activation = Activation::kNone) {
  Conv2DOptions o;
  o.padding = padding;
  o.stride_h = o.stride_w = stride;
  o.activation = activation;
  return o;
}

// Input 1x2x2x1, scale 0.5, zero point -1: q {3, -1, 5, 0} -> centred {4, 0, 6, 1}.
// Filter OHWI 2x2x2x1, per channel along 0: ch0 {1, 2, 3, 4} scale 0.5 (M = 0.5 * 0.5 / 1 = 0.25),
// ch1 {-1, 0, 0, 1} scale 1 (M = 0.5). Bias {2, -3} (scales 0.25, 0.5). Output scale 1, zero point 3.
std::vector<Arg> conv_case() {
  return {q_in({1, 2, 2, 1}, {3, -1, 5, 0}, qp({0.5F}, {-1})),
          q_const({2, 2, 2, 1}, {1, 2, 3, 4, -1, 0, 0, 1}, qp({0.5F, 1.0F}, {0, 0}, 0)),
          q_bias({2, -3}, qp({0.25F, 0.5F}, {0, 0}))};
}

TEST(RuntimeConv2DInt8, PerChannelSamePaddingRoundsHalfToEven) {
  // SAME 2x2 stride 1: padding 0 before, 1 after; padded taps are skipped (they would add (zp - zp) * w = 0).
  // XNNPACK's fp32 rule, s = {0.25, 0.5} (TFLite's builtin double rounding in brackets where it differs):
  //   ch0 (0,0): 4*1 + 0*2 + 6*3 + 1*4 = 26 + 2 = 28 -> 7 -> 10
  //       (0,1): 0*1 + 1*3 = 3 + 2 = 5 -> 1.25 -> 1 -> 4            [2 -> 5]
  //       (1,0): 6*1 + 1*2 = 8 + 2 = 10 -> 2.5 -> 2 (even) -> 5     [3 -> 6]
  //       (1,1): 1*1 = 1 + 2 = 3 -> 0.75 -> 1 -> 4
  //   ch1 (0,0): -4 + 1 = -3 - 3 = -6 -> -3 -> 0
  //       (0,1): 0 - 3 = -3 -> -1.5 -> -2 (even) -> 1               [-1 -> 2]
  //       (1,0): -6 - 3 = -9 -> -4.5 -> -4 (even) -> -1
  //       (1,1): -1 - 3 = -4 -> -2 -> 1
  const Result r = run_op(OpType::kConv2D, conv(Padding::kSame, 1), conv_case(), 1, {int8_out(1.0F, 3)});
  EXPECT_EQ(r.dtype(), DType::kInt8);
  EXPECT_EQ(r.shape(), (Shape{1, 2, 2, 2}));
  EXPECT_EQ(ints(r.values<std::int8_t>()), (std::vector<int>{10, 0, 4, 1, 5, -1, 4, 1}));
  // Fused RELU clamps at XNNPACK's lrintf(0 / 1 + 3) = 3.
  const Result relu = run_op(OpType::kConv2D, conv(Padding::kSame, 1, Activation::kRelu), conv_case(), 1,
                             {int8_out(1.0F, 3)});
  EXPECT_EQ(ints(relu.values<std::int8_t>()), (std::vector<int>{10, 3, 4, 3, 5, 3, 4, 3}));
}

TEST(RuntimeConv2DInt8, PerTensorSaturationAndRelu6) {
  // Input 1x1x1x2 q {3, -128}, scale 1, zero point 0; 1x1 filters per tensor, scale 1:
  // {1, 0}, {0, 1}, {127, -127}. Output scale 0.5, zero point -10: s = 2.
  //   acc {3, -128, 381 + 16256 = 16637} -> {6, -256, 33274}, clamped to [-128 - zp, 127 - zp]
  //   = [-118, 137] before rounding -> + zp {-4, -128, 127}
  //   RELU6: XNNPACK's [lrintf(0 / 0.5 - 10), lrintf(6 / 0.5 - 10)] = [-10, 2] -> {-4, -10, 2}
  const auto args = [] {
    return std::vector<Arg>{q_in({1, 1, 1, 2}, {3, -128}, qp({1.0F}, {0})),
                            q_const({3, 1, 1, 2}, {1, 0, 0, 1, 127, -127}, qp({1.0F}, {0}))};
  };
  const Result plain = run_op(OpType::kConv2D, conv(Padding::kValid, 1), args(), 1, {int8_out(0.5F, -10)});
  EXPECT_EQ(ints(plain.values<std::int8_t>()), (std::vector<int>{-4, -128, 127}));
  const Result relu6 =
      run_op(OpType::kConv2D, conv(Padding::kValid, 1, Activation::kRelu6), args(), 1, {int8_out(0.5F, -10)});
  EXPECT_EQ(ints(relu6.values<std::int8_t>()), (std::vector<int>{-4, -10, 2}));
}

TEST(RuntimeConv2DInt8, PrepareErrors) {
  const auto error = [](std::vector<Arg> args, OutDecl out = int8_out(1.0F, 3),
                        Activation activation = Activation::kNone) {
    return op_error(OpType::kConv2D, conv(Padding::kSame, 1, activation), args, 1, {std::move(out)});
  };
  const auto has = [](const std::string& message, const std::string& part) {
    EXPECT_NE(message.find(part), std::string::npos) << message;
  };
  EXPECT_EQ(error(conv_case()), "");
  std::vector<Arg> args = conv_case();
  args[1].quant->zero_point = {0, 1};
  has(error(args), "weights 'in1' must have zero point 0");
  args = conv_case();
  args[1].quant->axis = 3;
  has(error(args), "per channel along axis 0");
  args = conv_case();
  args[2].quant->scale = {0.25F, 0.6F};
  has(error(args), "bias 'in2' scale 0.6 at channel 1 must equal input scale x weight scale");
  args = conv_case();
  args[2] = constant<float>({2}, {1.0F, 2.0F});
  has(error(args), "bias 'in2' must be int32");
  args = conv_case();
  args[0].quant.reset();
  has(error(args), "input 'in0' (int8) must carry quantization parameters");
  args = conv_case();
  args[1] = constant<float>({2, 2, 2, 1}, {1, 2, 3, 4, -1, 0, 0, 1});
  has(error(args), "weights 'in1' must be int8");
  has(error(conv_case(), OutDecl{DType::kInt8, std::nullopt}), "output 'out0' (int8) must carry quantization");
  has(error(conv_case(), OutDecl{DType::kUint8, qp({1.0F}, {3})}), "output 'out0' must be int8");
  has(error(conv_case(), int8_out(1.0F, 3), Activation::kTanh), "fused activation TANH needs a float32 output");
}

TEST(RuntimeDepthwiseInt8, PerChannelAxis3DepthMultiplier) {
  // Input 1x1x2x2, scale 0.5, zero point 2: pixels {4, 0}, {2, 7} -> centred {2, -2}, {0, 5}.
  // Filter 1x1x2x4 (multiplier 2): tap 0 {1, 2, 3, -1}, tap 1 {5, 1, -2, 2}; scales
  // {0.5, 1, 0.5, 2} along axis 3 -> s {0.25, 0.5, 0.25, 1}; bias {1, 2, 0, 3}; output scale 1, zp 0.
  //   oc0 = in ch0: 2*1 + 0*5 = 2 + 1 = 3 -> 0.75 -> 1
  //   oc1 = in ch0: 2*2 + 0*1 = 4 + 2 = 6 -> 3
  //   oc2 = in ch1: -2*3 + 5*-2 = -16 -> -4
  //   oc3 = in ch1: -2*-1 + 5*2 = 12 + 3 = 15 -> 15
  DepthwiseConv2DOptions o;
  o.depth_multiplier = 2;
  const std::vector<Arg> args{q_in({1, 1, 2, 2}, {4, 0, 2, 7}, qp({0.5F}, {2})),
                              q_const({1, 1, 2, 4}, {1, 2, 3, -1, 5, 1, -2, 2}, qp({0.5F, 1, 0.5F, 2}, {0, 0, 0, 0}, 3)),
                              q_bias({1, 2, 0, 3}, qp({0.25F, 0.5F, 0.25F, 1}, {0, 0, 0, 0}))};
  const Result r = run_op(OpType::kDepthwiseConv2D, o, args, 1, {int8_out(1.0F, 0)});
  EXPECT_EQ(r.shape(), (Shape{1, 1, 1, 4}));
  EXPECT_EQ(ints(r.values<std::int8_t>()), (std::vector<int>{1, 3, -4, 15}));
  // Per-channel scales along axis 0 do not fit depthwise weights.
  std::vector<Arg> wrong{args[0], args[1]};
  wrong[1].quant = qp({0.5F}, {0}, 0);
  EXPECT_EQ(op_error(OpType::kDepthwiseConv2D, o, wrong, 1, {int8_out(1.0F, 0)}), "");  // per tensor is fine
  // ... but then the bias scales must follow the one weight scale: 0.5 x 0.5 = 0.25, not 0.5 at channel 1.
  EXPECT_NE(op_error(OpType::kDepthwiseConv2D, o, {args[0], wrong[1], args[2]}, 1, {int8_out(1.0F, 0)})
                .find("bias 'in2' scale 0.5 at channel 1 must equal input scale x weight scale = 0.25"),
            std::string::npos);
  wrong[1] = q_const({1, 1, 2, 4}, {1, 2, 3, -1, 5, 1, -2, 2}, qp({0.5F, 1}, {0, 0}, 2));
  EXPECT_NE(op_error(OpType::kDepthwiseConv2D, o, wrong, 1, {int8_out(1.0F, 0)}).find("along axis 3"),
            std::string::npos);
}

TEST(RuntimeTransposeConvInt8, StridedScatterWithBias) {
  // Per-channel weights: TFLite's builtin kernel (XNNPACK has no per-channel deconvolution), double rounding.
  // Input 1x2x1x1 q {5, -3}, scale 0.5, zp 1 -> centred {4, -4}. Weights OHWI 2x2x1x1: oc0 {1, 2}
  // scale 0.5 (M = 0.5 * 0.5 / 0.25 = 1), oc1 {-3, 1} scale 0.25 (M = 0.5). Stride 2, VALID, output
  // 1x4x1x2 (padding 0); bias {-1, 3}; output scale 0.25, zero point -5.
  //   rows y = 0..3 get input row y / 2 times tap y % 2:
  //   oc0: {4, 8, -4, -8} - 1 = {3, 7, -5, -9} -> x1 -> {-2, 2, -10, -14}
  //   oc1: {-12, 4, 12, -4} + 3 = {-9, 7, 15, -1} -> x0.5 half up {-4, 4, 8, 0} -> {-9, -1, 3, -5}
  TransposeConvOptions o;
  o.padding = Padding::kValid;
  o.stride_h = 2;
  const std::vector<Arg> args{i32({1, 4, 1, 2}), q_const({2, 2, 1, 1}, {1, 2, -3, 1}, qp({0.5F, 0.25F}, {0, 0})),
                              q_in({1, 2, 1, 1}, {5, -3}, qp({0.5F}, {1})),
                              q_bias({-1, 3}, qp({0.25F, 0.125F}, {0, 0}))};
  const Result r = run_op(OpType::kTransposeConv, o, args, 1, {int8_out(0.25F, -5)});
  EXPECT_EQ(r.shape(), (Shape{1, 4, 1, 2}));
  EXPECT_EQ(ints(r.values<std::int8_t>()), (std::vector<int>{-2, -9, 2, -1, -10, 3, -14, -5}));
}

TEST(RuntimeTransposeConvInt8, PerTensorRoundsHalfToEven) {
  // Per-tensor weights: XNNPACK's deconvolution, fp32 rule. The same input and weights, both scale 0.5, output
  // scale 1 (s = 0.25), bias {1, 3} (scale 0.25), output zero point -5 (double rounding in brackets):
  //   oc0: {4, 8, -4, -8} + 1 = {5, 9, -3, -7} -> {1.25, 2.25, -0.75, -1.75} -> {1, 2, -1, -2} [{2, 3, -1, -2}]
  //        -> {-4, -3, -6, -7}
  //   oc1: {-12, 4, 12, -4} + 3 = {-9, 7, 15, -1} -> {-2.25, 1.75, 3.75, -0.25} -> {-2, 2, 4, 0} -> {-7, -3, -1, -5}
  TransposeConvOptions o;
  o.padding = Padding::kValid;
  o.stride_h = 2;
  const std::vector<Arg> args{i32({1, 4, 1, 2}), q_const({2, 2, 1, 1}, {1, 2, -3, 1}, qp({0.5F}, {0})),
                              q_in({1, 2, 1, 1}, {5, -3}, qp({0.5F}, {1})), q_bias({1, 3}, qp({0.25F}, {0}))};
  const Result r = run_op(OpType::kTransposeConv, o, args, 1, {int8_out(1.0F, -5)});
  EXPECT_EQ(ints(r.values<std::int8_t>()), (std::vector<int>{-4, -7, -3, -3, -6, -1, -7, -5}));
}

TEST(RuntimeFullyConnectedInt8, PerTensorAndPerChannel) {
  // Input [2, 3], scale 0.5, zp -2: rows {0, 2, -2} -> {2, 4, 0}, {-2, 10, 1} -> {0, 12, 3}.
  // Weights u0 {1, 1, 1}, u1 {2, -1, 3}; output scale 1, zero point 1.
  // Per tensor (scale 0.5; XNNPACK, s = 0.25), bias {1, 0}:
  //   r0: u0 6 + 1 = 7 -> 1.75 -> 2 -> 3;  u1 4 - 4 + 0 = 0 -> 1
  //   r1: u0 15 + 1 = 16 -> 4 -> 5;        u1 -12 + 9 = -3 -> -0.75 -> -1 -> 0
  const auto x = q_in({2, 3}, {0, 2, -2, -2, 10, 1}, qp({0.5F}, {-2}));
  const std::vector<std::int8_t> w{1, 1, 1, 2, -1, 3};
  const Result r = run_op(OpType::kFullyConnected, FullyConnectedOptions{},
                          {x, q_const({2, 3}, w, qp({0.5F}, {0})), q_bias({1, 0}, qp({0.25F}, {0}))}, 1,
                          {int8_out(1.0F, 1)});
  EXPECT_EQ(r.shape(), (Shape{2, 2}));
  EXPECT_EQ(ints(r.values<std::int8_t>()), (std::vector<int>{3, 1, 5, 0}));
  // Per channel (TFLite's optimized kernel, single rounding): u0 M = 0.25 as above, u1 scale 2 (M = 1):
  // r0 u1 0 -> 1, r1 u1 -3 -> -2. keep_num_dims on a [1, 2, 3] input.
  FullyConnectedOptions keep;
  keep.keep_num_dims = true;
  Arg x3 = x;
  x3.shape = {1, 2, 3};
  const Result pc = run_op(OpType::kFullyConnected, keep,
                           {x3, q_const({2, 3}, w, qp({0.5F, 2.0F}, {0, 0})), q_bias({1, 0}, qp({0.25F, 1.0F}, {0, 0}))},
                           1, {int8_out(1.0F, 1)});
  EXPECT_EQ(pc.shape(), (Shape{1, 2, 2}));
  EXPECT_EQ(ints(pc.values<std::int8_t>()), (std::vector<int>{3, 1, 5, -2}));
  // Without bias: r0 u0 acc 6 -> 6 * 0.25 = 1.5 -> 2 (even) -> + zp = 3.
  const Result nb = run_op(OpType::kFullyConnected, FullyConnectedOptions{}, {x, q_const({2, 3}, w, qp({0.5F}, {0}))},
                           1, {int8_out(1.0F, 1)});
  EXPECT_EQ(nb.values<std::int8_t>()[0], 3);
  EXPECT_NE(op_error(OpType::kFullyConnected, FullyConnectedOptions{},
                     {x, q_const({2, 3}, w, qp({0.5F, 2.0F}, {0, 0}, 1))}, 1, {int8_out(1.0F, 1)})
                .find("per channel along axis 0"),
            std::string::npos);
}

TEST(RuntimeFullyConnectedInt8, TiesPerRule) {
  // Input [1, 4] q {2, -6, -10, 5}, scale 1, zero point 0; weights the 4x4 identity, scale 0.25; output scale 1,
  // zero point 0: acc = the input, scaled by 0.25 to {0.5, -1.5, -2.5, 1.25}.
  //   per tensor, XNNPACK's fp32 rule (half to even):  {0, -2, -2, 1}
  //   per channel, ruy's single rounding (half up):    {1, -1, -2, 1}
  //   (TFLite's builtin reference double rounding would give {1, -2, -3, 2}.)
  const auto x = q_in({1, 4}, {2, -6, -10, 5}, qp({1.0F}, {0}));
  const std::vector<std::int8_t> eye{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
  const Result fp32 = run_op(OpType::kFullyConnected, FullyConnectedOptions{}, {x, q_const({4, 4}, eye, qp({0.25F}, {0}))},
                             1, {int8_out(1.0F, 0)});
  EXPECT_EQ(ints(fp32.values<std::int8_t>()), (std::vector<int>{0, -2, -2, 1}));
  const QuantParams per_channel = qp({0.25F, 0.25F, 0.25F, 0.25F}, {0, 0, 0, 0}, 0);
  const Result single = run_op(OpType::kFullyConnected, FullyConnectedOptions{}, {x, q_const({4, 4}, eye, per_channel)},
                               1, {int8_out(1.0F, 0)});
  EXPECT_EQ(ints(single.values<std::int8_t>()), (std::vector<int>{1, -1, -2, 1}));
}

}  // namespace
}  // namespace octet::test
