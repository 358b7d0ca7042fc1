// int8 ADD, SUB, MUL, MAXIMUM, MINIMUM, activations and SOFTMAX: goldens
// derived by hand from TFLite's formulas (the derivations are in the comments;
// "MBQM(x, m 2^s)" is the Q31 multiply with multiplier m and shift s), and the
// Prepare checks.

#include <cmath>

#include "runtime_test_util.h"

namespace octet::test {
namespace {

QuantParams qp(float scale, std::int64_t zero_point) {
  QuantParams q;
  q.scale = {scale};
  q.zero_point = {zero_point};
  return q;
}

Arg q8(Shape shape, const std::vector<std::int8_t>& values, float scale, std::int64_t zero_point,
       bool constant = false) {
  Arg a = make_arg<std::int8_t>(std::move(shape), values, constant);
  a.quant = qp(scale, zero_point);
  return a;
}

OutDecl out8(float scale, std::int64_t zero_point) { return OutDecl{DType::kInt8, qp(scale, zero_point)}; }

std::vector<std::int8_t> run8(OpType type, const OpOptions& options, const std::vector<Arg>& args, OutDecl out) {
  const Result r = run_op(type, options, args, 1, {std::move(out)});
  EXPECT_EQ(r.dtype(), DType::kInt8);
  return r.values<std::int8_t>();
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

BinaryOptions with(Activation a) {
  BinaryOptions o;
  o.activation = a;
  return o;
}

// ---- ADD / SUB
// a: scale 0.5, zero point 3; b: scale 0.25, zero point -2; out: scale 1, zero point 5.
// The ratios 0.5 and 0.25 are in XNNPACK's range, so TFLite's delegate runs the
// op with XNNPACK's 20-bit multipliers (quant::xnn_add): shift 20 - (-1) = 21,
// m_a = 2^20, m_b = 2^19, out = (2^20 + (q_a - 3) 2^20 +- (q_b + 2) 2^19) >> 21 + 5,
// exact here, rounding half up (towards +inf): out = floor(real + 0.5) + 5.
//   (13, 6):  a = 5,    b = 2  -> ADD 7   -> 12;  SUB 3    -> 8
//   (4, -2):  a = 0.5,  b = 0  -> ADD 0.5 -> 1 -> 6; SUB 0.5 -> 1 -> 6
//   (2, 6):   a = -0.5, b = 2  -> ADD 1.5 -> 2 -> 7; SUB -2.5 -> -2 -> 3 (builtin: -3 -> 2)
//   (127,-2): a = 62,   b = 0  -> 62 -> 67 (both)
// (b broadcasts along the last axis: rows use b[0] = 6, b[1] = -2.)
TEST(RuntimeInt8Binary, AddAndSubRoundHalfUpInXnnpack) {
  const std::vector<Arg> args = {q8({2, 2}, {13, 4, 2, 127}, 0.5F, 3), q8({2}, {6, -2}, 0.25F, -2)};
  EXPECT_EQ(run8(OpType::kAdd, BinaryOptions{}, args, out8(1.0F, 5)), (std::vector<std::int8_t>{12, 6, 7, 67}));
  EXPECT_EQ(run8(OpType::kSub, BinaryOptions{}, args, out8(1.0F, 5)), (std::vector<std::int8_t>{8, 6, 3, 67}));
}

// Outside XNNPACK's range (s_a / s_out = 0.5 / 2^-10 = 512 >= 2^8) TFLite runs
// its builtin rule. a: scale 0.5, zero point 7 (values 7: a = 0); b: scale
// 2^-11, zero point 0; out: scale 2^-10, zero point 0. twice_max = 1: input
// multipliers 0.5 and 2^-11, output multiplier 1 / (2^20 2^-10) = 2^-10, all
// exact: b = 1 -> 2^20 2^-11 = 512 -> 512 2^-10 = 0.5, so out = +-b / 2, rounded
// half away from zero:
//   b = 1: ADD 0.5 -> 1, SUB -0.5 -> -1 (XNNPACK's rule would give 0);
//   b = 3: ADD 1.5 -> 2, SUB -1.5 -> -2 (XNNPACK's: -1).
TEST(RuntimeInt8Binary, AddAndSubRoundHalfAwayFromZeroInTheBuiltinRule) {
  const std::vector<Arg> args = {q8({2}, {7, 7}, 0.5F, 7), q8({2}, {1, 3}, 0x1.0p-11F, 0)};
  EXPECT_EQ(run8(OpType::kAdd, BinaryOptions{}, args, out8(0x1.0p-10F, 0)), (std::vector<std::int8_t>{1, 2}));
  EXPECT_EQ(run8(OpType::kSub, BinaryOptions{}, args, out8(0x1.0p-10F, 0)), (std::vector<std::int8_t>{-1, -2}));
}

// RELU6 on out (scale 1, zero point 5) clamps to [5, 5 + 6] = [5, 11]: 12 -> 11, 67 -> 11.
// RELU_N1_TO_1 clamps to [4, 6].
TEST(RuntimeInt8Binary, FusedActivationClamps) {
  const std::vector<Arg> args = {q8({2, 2}, {13, 4, 2, 127}, 0.5F, 3), q8({2}, {6, -2}, 0.25F, -2)};
  EXPECT_EQ(run8(OpType::kAdd, with(Activation::kRelu6), args, out8(1.0F, 5)),
            (std::vector<std::int8_t>{11, 6, 7, 11}));
  EXPECT_EQ(run8(OpType::kSub, with(Activation::kReluN1To1), args, out8(1.0F, 5)),
            (std::vector<std::int8_t>{6, 6, 4, 6}));
}

// Output zero point 100: (13, 6) -> 7 + 100 = 107; (127, -2) -> 62 + 100 = 162 saturates at 127.
TEST(RuntimeInt8Binary, AddSaturates) {
  const std::vector<Arg> args = {q8({2}, {13, 127}, 0.5F, 3), q8({2}, {6, -2}, 0.25F, -2)};
  EXPECT_EQ(run8(OpType::kAdd, BinaryOptions{}, args, out8(1.0F, 100)), (std::vector<std::int8_t>{107, 127}));
}

// MUL runs in XNNPACK (fp32 rule): a scale 0.5 zero point 1, b scale 0.25 zero point 0, out scale 0.5 zero
// point -10: s = 0.5 * 0.25 / 0.5 = 0.25 in float32; out = round_half_even((a-1) b / 4) - 10.
//   (5, 6):   24 / 4 = 6      -> -4
//   (3, 3):   6 / 4 = 1.5     -> 2 -> -8
//   (-1, 3):  -6 / 4 = -1.5   -> -2 -> -12   (RELU: clamped to lrintf(0 / 0.5 - 10) = -10)
//   (127,127): 16002 / 4      -> 127 (saturated)
//   (127,-128): -4032         -> -128 (saturated)
//   (6, 2):   10 / 4 = 2.5    -> 2 (even) -> -8     (TFLite's builtin double rounding: 3 -> -7)
//   (-4, 2):  -10 / 4 = -2.5  -> -2 (even) -> -12   (builtin: -3 -> -13)
TEST(RuntimeInt8Binary, MulRoundsHalfToEvenAndSaturates) {
  const std::vector<Arg> args = {q8({7}, {5, 3, -1, 127, 127, 6, -4}, 0.5F, 1),
                                 q8({7}, {6, 3, 3, 127, -128, 2, 2}, 0.25F, 0)};
  EXPECT_EQ(run8(OpType::kMul, BinaryOptions{}, args, out8(0.5F, -10)),
            (std::vector<std::int8_t>{-4, -8, -12, 127, -128, -8, -12}));
  EXPECT_EQ(run8(OpType::kMul, with(Activation::kRelu), args, out8(0.5F, -10)),
            (std::vector<std::int8_t>{-4, -8, -10, 127, -10, -8, -10}));
}

TEST(RuntimeInt8Binary, MaximumMinimumCompareInt8Values) {
  const std::vector<Arg> args = {q8({2, 2}, {-128, 5, 7, 127}, 0.1F, -3), q8({2}, {0, 6}, 0.1F, -3)};
  EXPECT_EQ(run8(OpType::kMaximum, NoOptions{}, args, out8(0.1F, -3)), (std::vector<std::int8_t>{0, 6, 7, 127}));
  EXPECT_EQ(run8(OpType::kMinimum, NoOptions{}, args, out8(0.1F, -3)), (std::vector<std::int8_t>{-128, 5, 0, 6}));
}

TEST(RuntimeInt8Binary, PrepareChecksQuantization) {
  const Arg a = q8({2}, {1, 2}, 0.5F, 0);
  const Arg b = q8({2}, {1, 2}, 0.25F, 0);
  EXPECT_TRUE(contains(op_error(OpType::kMaximum, NoOptions{}, {a, b}, 1, {out8(0.5F, 0)}),
                       "op 'op' (MAXIMUM): input 0 'in0' (scale 0.5, zero point 0) and input 1 'in1' (scale 0.25, "
                       "zero point 0) must share one quantization"));
  EXPECT_TRUE(contains(op_error(OpType::kMinimum, NoOptions{}, {a, a}, 1, {out8(0.5F, 1)}), "and output 'out0'"));
  EXPECT_TRUE(contains(op_error(OpType::kAdd, BinaryOptions{}, {a, b}, 1, {OutDecl{DType::kInt8, {}}}),
                       "op 'op' (ADD): output 'out0' is int8 and must carry quantization parameters"));
  Arg unquantized = make_arg<std::int8_t>({2}, {1, 2}, false);
  EXPECT_TRUE(contains(op_error(OpType::kMul, BinaryOptions{}, {a, unquantized}, 1, {out8(1.0F, 0)}),
                       "input 1 'in1' is int8 and must carry quantization parameters"));
  Arg per_channel = a;
  per_channel.quant->scale = {0.5F, 0.25F};
  per_channel.quant->zero_point = {0, 0};
  EXPECT_TRUE(contains(op_error(OpType::kSub, BinaryOptions{}, {per_channel, b}, 1, {out8(1.0F, 0)}),
                       "input 0 'in0' must be quantized per tensor, got 2 scales and 2 zero points"));
  EXPECT_TRUE(contains(op_error(OpType::kAdd, with(Activation::kTanh), {a, b}, 1, {out8(1.0F, 0)}),
                       "fused activation TANH needs a float32 output"));
  EXPECT_TRUE(contains(op_error(OpType::kDiv, BinaryOptions{}, {a, b}, 1, {out8(1.0F, 0)}),
                       "must be float32 or int32 or int64, got int8"));
}

// ---- LOGISTIC / TANH / GELU tables (float function, round half away from zero).
// LOGISTIC, input scale 0.25 zero point 0, output 1/256, -128:
//   0 -> 0.5 * 256 = 128 -> 0;  8 (x = 2) -> 0.880797 * 256 = 225.48 -> 225 -> 97;
//   -8 -> 0.119203 * 256 = 30.52 -> 31 -> -97;  127 (x = 31.75) -> 256 -> 128 -> 127;
//   -128 (x = -32) -> ~0 -> -128.
TEST(RuntimeInt8Activation, LogisticTable) {
  EXPECT_EQ(run8(OpType::kLogistic, NoOptions{}, {q8({5}, {0, 8, -8, 127, -128}, 0.25F, 0)}, out8(1.0F / 256, -128)),
            (std::vector<std::int8_t>{0, 97, -97, 127, -128}));
  EXPECT_TRUE(contains(op_error(OpType::kLogistic, NoOptions{}, {q8({1}, {0}, 0.25F, 0)}, 1, {out8(1.0F / 128, 0)}),
                       "op 'op' (LOGISTIC): output 'out0' must have scale 0.00390625 and zero point -128 (fixed by "
                       "TFLite), got scale 0.0078125 and zero point 0"));
}

// TANH, input scale 0.25 zero point 2, output 1/128, 0:
//   6 (x = 1) -> 0.761594 * 128 = 97.48 -> 97;  -2 (x = -1) -> -97;  2 -> 0;  102 (x = 25) -> 128 -> 127.
TEST(RuntimeInt8Activation, TanhTable) {
  EXPECT_EQ(run8(OpType::kTanh, NoOptions{}, {q8({4}, {6, -2, 2, 102}, 0.25F, 2)}, out8(1.0F / 128, 0)),
            (std::vector<std::int8_t>{97, -97, 0, 127}));
  EXPECT_TRUE(contains(op_error(OpType::kTanh, NoOptions{}, {q8({1}, {0}, 0.25F, 0)}, 1, {out8(1.0F / 128, 1)}),
                       "must have scale 0.0078125 and zero point 0"));
}

// GELU, input and output scale 0.5, zero point 0: 2 (x = 1) -> 0.841345 / 0.5 = 1.68 -> 2;
// -2 (x = -1) -> -0.158655 / 0.5 = -0.317 -> 0;  6 (x = 3) -> 2.99595 / 0.5 = 5.99 -> 6;
// -6 -> -0.004 -> 0. The tanh approximation gives the same steps (0.841192, -0.158808, 2.99636).
TEST(RuntimeInt8Activation, GeluTable) {
  const std::vector<Arg> args = {q8({4}, {2, -2, 6, -6}, 0.5F, 0)};
  EXPECT_EQ(run8(OpType::kGelu, GeluOptions{}, args, out8(0.5F, 0)), (std::vector<std::int8_t>{2, 0, 6, 0}));
  EXPECT_EQ(run8(OpType::kGelu, GeluOptions{true}, args, out8(0.5F, 0)), (std::vector<std::int8_t>{2, 0, 6, 0}));
}

// HARD_SWISH, input and output scale 1/8, input zero point 2, output zero point -3.
// hires input scale = (1/8) / 128 = 2^-10; output multiplier 2^-10 / 2^-3 = 2^-7 = Q31 2^30
// exponent -6 -> Q15 16384; relu-ish multiplier 2^-10 / (3 / 2^15) = 10.667 = Q31
// 1431655765 exponent 4 -> Q15 (1431655765 + 2^15) >> 16 = 21845.
//   x = 1 (q 10): hires 1024; preshift out = rdhm(1024, 16384) = 512; relu-ish: 1024 << 3 =
//     8192, rdhm(8192, 21845) = round(5461.25) = 5461, << 1 = 10922, (10922 + 2^15) >> 1 = 21845;
//     (21845 * 512) / 2^15 = 341 (truncated); 341 / 2^6 = 5.33 -> 5; -3 -> 2.
//   x = 5 (q 42): hires 5120; preshift 2560; relu-ish saturates to 32767 -> 32767;
//     (32767 * 2560) / 2^15 = 2559; 2559 / 64 = 39.98 -> 40; -> 37.
//   x = -5 (q -38): relu-ish saturates to -32768 -> (0) -> output 0 -> -3.
//   x = -1 (q -6): hires -1024; preshift -512; relu-ish -8192 -> -5461 -> -10922 ->
//     (21846 >> 1) = 10923; (10923 * -512) / 2^15 = -170 (truncated); -170 / 64 = -2.66 -> -3; -> -6.
//   x = 0 (q 2): 0 -> -3.
TEST(RuntimeInt8Activation, HardSwishFixedPoint) {
  EXPECT_EQ(run8(OpType::kHardSwish, NoOptions{}, {q8({5}, {10, 42, -38, -6, 2}, 0.125F, 2)}, out8(0.125F, -3)),
            (std::vector<std::int8_t>{2, 37, -3, -6, -3}));
  EXPECT_TRUE(contains(op_error(OpType::kHardSwish, NoOptions{}, {q8({1}, {0}, 1.0F, 0)}, 1, {out8(0.001F, 0)}),
                       "TFLite's int8 HARD_SWISH needs input scale / 128 < output scale"));
}

// LEAKY_RELU runs in XNNPACK (8-bit multipliers): alpha 0.5, input scale 0.5 zero point 0, output scale 0.25
// zero point 1: m+ = lrintf(256 * 2) = 512, m- = lrintf(256 * 2 * 0.5) = 256;
// out = floor((x m + 128) / 256) + 1.
//   3 -> floor(6.5) = 6 -> 7;  -3 -> floor(-2.5) = -3 -> -2;  100 -> 200 -> 127;  -128 -> floor(-127.5) -> -127.
// alpha 0.3: m- = lrintf(256 * 0.6) = lrintf(153.6) = 154: -124 -> floor((-19096 + 128) / 256) = floor(-74.09)
// = -75 -> -74, where the exact -74.4 (TFLite's builtin Q31 multiplier) rounds to -74 -> -73.
TEST(RuntimeInt8Activation, LeakyReluTwoMultipliers) {
  LeakyReluOptions o;
  o.alpha = 0.5F;
  EXPECT_EQ(run8(OpType::kLeakyRelu, o, {q8({4}, {3, -3, 100, -128}, 0.5F, 0)}, out8(0.25F, 1)),
            (std::vector<std::int8_t>{7, -2, 127, -127}));
  o.alpha = 0.3F;
  EXPECT_EQ(run8(OpType::kLeakyRelu, o, {q8({1}, {-124}, 0.5F, 0)}, out8(0.25F, 1)), (std::vector<std::int8_t>{-74}));
  // alpha 0: the negative multiplier 0 is outside XNNPACK's range, so TFLite's builtin kernel: negatives -> zp.
  o.alpha = 0.0F;
  EXPECT_EQ(run8(OpType::kLeakyRelu, o, {q8({2}, {-124, 3}, 0.5F, 0)}, out8(0.25F, 1)),
            (std::vector<std::int8_t>{1, 7}));
  o.alpha = -1.0F;
  EXPECT_TRUE(contains(op_error(OpType::kLeakyRelu, o, {q8({1}, {0}, 0.5F, 0)}, 1, {out8(0.25F, 1)}),
                       "int8 LEAKY_RELU needs a finite alpha >= 0, got -1"));
}

// RELU6 requantizing: input 0.25 zero point -10, output 0.125 zero point -128 (multiplier 2);
// clamp [-128, -128 + round(6 / 0.125)] = [-128, -80].
//   -10 -> 0 -> -128;  -6 -> 8 -> -120;  20 -> 60 -> -68 -> -80;  -50 -> -208 -> -128.
// RELU, same parameters (0.5, 5): clamp [5, 127]: 3 -> 5, 9 -> 9, 127 -> 127.
// RELU_N1_TO_1, scale 0.25 zero point 0: clamp [-4, 4].
TEST(RuntimeInt8Activation, ReluFamilyRequantizesAndClamps) {
  EXPECT_EQ(run8(OpType::kRelu6, NoOptions{}, {q8({4}, {-10, -6, 20, -50}, 0.25F, -10)}, out8(0.125F, -128)),
            (std::vector<std::int8_t>{-128, -120, -80, -128}));
  EXPECT_EQ(run8(OpType::kRelu, NoOptions{}, {q8({3}, {3, 9, 127}, 0.5F, 5)}, out8(0.5F, 5)),
            (std::vector<std::int8_t>{5, 9, 127}));
  EXPECT_EQ(run8(OpType::kReluN1To1, NoOptions{}, {q8({3}, {-10, 3, 100}, 0.25F, 0)}, out8(0.25F, 0)),
            (std::vector<std::int8_t>{-4, 3, 4}));
}

// PRELU: input scale 0.5 zero point 2, alpha scale 0.25 zero point 0 (values 2, -4 = 0.5,
// -1.0, broadcast over the last axis), output scale 0.5 zero point -1.
// Multipliers: identity 1 (2^30, shift 1), alpha 0.5 * 0.25 / 0.5 = 0.25 (2^30, shift -1).
//   6 (v 4):   4 -> 3;   0 (v -2) * -4 = 8 -> 2 -> 1;   -2 (v -4) * 2 = -8 -> -2 -> -3;   5 (v 3) -> 2.
TEST(RuntimeInt8Activation, PreluAlphaBroadcast) {
  EXPECT_EQ(run8(OpType::kPrelu, NoOptions{}, {q8({2, 2}, {6, 0, -2, 5}, 0.5F, 2), q8({2}, {2, -4}, 0.25F, 0, true)},
                 out8(0.5F, -1)),
            (std::vector<std::int8_t>{3, 1, -3, 2}));
  EXPECT_TRUE(contains(op_error(OpType::kPrelu, NoOptions{}, {q8({2}, {6, 0}, 0.5F, 2), q8({2, 2}, {1, 1, 1, 1}, 0.25F, 0)},
                                1, {out8(0.5F, -1)}),
                       "must broadcast to the input's shape 2"));
}

// ---- SOFTMAX: input scale ln 2 (beta 1) or ln 2 / 2 (beta 2), so exp(-beta s d) = 2^-d.
// Row (0, -1, -2, -2): 1, 1/2, 1/4, 1/4 over 2 -> 128, 64, 32, 32 (/ 256 steps) -> 0, -64, -96, -96.
// Row (5, 5, 5, 5): 1/4 each -> 64 -> -64.
// Row (100, -100, -100, -100): 2^-200 underflows to 0 -> 256 -> saturates at 127; others -128.
TEST(RuntimeInt8Softmax, FloatTableRows) {
  const std::vector<std::int8_t> x = {0, -1, -2, -2, 5, 5, 5, 5, 100, -100, -100, -100};
  const std::vector<std::int8_t> expected = {0, -64, -96, -96, -64, -64, -64, -64, 127, -128, -128, -128};
  const auto ln2 = static_cast<float>(std::log(2.0));
  EXPECT_EQ(run8(OpType::kSoftmax, SoftmaxOptions{}, {q8({3, 4}, x, ln2, 7)}, out8(1.0F / 256, -128)), expected);
  SoftmaxOptions beta2;
  beta2.beta = 2.0F;
  EXPECT_EQ(run8(OpType::kSoftmax, beta2, {q8({3, 4}, x, ln2 / 2, 7)}, out8(1.0F / 256, -128)), expected);
  EXPECT_TRUE(contains(op_error(OpType::kSoftmax, SoftmaxOptions{}, {q8({1}, {0}, ln2, 0)}, 1, {out8(1.0F / 256, 0)}),
                       "op 'op' (SOFTMAX): output 'out0' must have scale 0.00390625 and zero point -128"));
}

// ---- LOG_SOFTMAX (TFLite's gemmlowp fixed point; output scale 1/16, zero point 127), input scale ln 2:
// Row (0, -1, -2, -2): sum of 2^d = 2, log-softmax -ln 2 (d + 1) = -0.69, -1.39, -2.08, -2.08 -> x16 = -11.09,
//   -22.18, -33.27, -33.27 -> -11, -22, -33, -33 -> 116, 105, 94, 94.
// Row (5, 5, 5, 5): ln(1/4) = -1.39 -> 105 each.
// Row (100, -100, ...): the others are 200 ln 2 below, past diff_min: max -> 0 -> 127, others -128.
TEST(RuntimeInt8LogSoftmax, FixedPointRows) {
  const std::vector<std::int8_t> x = {0, -1, -2, -2, 5, 5, 5, 5, 100, -100, -100, -100};
  const std::vector<std::int8_t> expected = {116, 105, 94, 94, 105, 105, 105, 105, 127, -128, -128, -128};
  const auto ln2 = static_cast<float>(std::log(2.0));
  EXPECT_EQ(run8(OpType::kLogSoftmax, NoOptions{}, {q8({3, 4}, x, ln2, 7)}, out8(16.0F / 256, 127)), expected);
  EXPECT_TRUE(contains(op_error(OpType::kLogSoftmax, NoOptions{}, {q8({1}, {0}, ln2, 0)}, 1, {out8(1.0F / 256, 0)}),
                       "must have scale 0.0625 and zero point 127"));
}

}  // namespace
}  // namespace octet::test
