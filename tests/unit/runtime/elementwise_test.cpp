// Element-wise binary (numpy broadcasting, fused activations, int32/int64)
// and unary kernels. Float goldens come from numpy in
// tests/unit/runtime/make_goldens.py; the small integer cases are by hand.

#include <limits>

#include "runtime_test_util.h"

namespace octet::test {
namespace {

const std::vector<float> kA = {2.0F, -2.0F, 0.5F, 0.0F, -1.0F, 0.0F};  // 2x3x1
const std::vector<float> kB = {-0.75F, -0.25F, 0.75F, 0.25F};  // 1x4

Result binary(OpType type, Activation activation = Activation::kNone) {
  OpOptions options = default_options(type);
  if (auto* b = std::get_if<BinaryOptions>(&options)) b->activation = activation;
  return run_op(type, options, {in({2, 3, 1}, kA), constant({1, 4}, kB)});
}

TEST(RuntimeBinary, FloatOpsBroadcast2x3x1With1x4) {
  EXPECT_EQ(binary(OpType::kAdd).shape(), (Shape{2, 3, 4}));
  expect_close(binary(OpType::kAdd).floats(), {1.25F, 1.75F, 2.75F, 2.25F, -2.75F, -2.25F, -1.25F, -1.75F, -0.25F, 0.25F, 1.25F, 0.75F, -0.75F,
    -0.25F, 0.75F, 0.25F, -1.75F, -1.25F, -0.25F, -0.75F, -0.75F, -0.25F, 0.75F, 0.25F});
  expect_close(binary(OpType::kSub).floats(), {2.75F, 2.25F, 1.25F, 1.75F, -1.25F, -1.75F, -2.75F, -2.25F, 1.25F, 0.75F, -0.25F, 0.25F, 0.75F,
    0.25F, -0.75F, -0.25F, -0.25F, -0.75F, -1.75F, -1.25F, 0.75F, 0.25F, -0.75F, -0.25F});
  expect_close(binary(OpType::kMul).floats(), {-1.5F, -0.5F, 1.5F, 0.5F, 1.5F, 0.5F, -1.5F, -0.5F, -0.375F, -0.125F, 0.375F, 0.125F, -0.0F,
    -0.0F, 0.0F, 0.0F, 0.75F, 0.25F, -0.75F, -0.25F, -0.0F, -0.0F, 0.0F, 0.0F});
  expect_close(binary(OpType::kDiv).floats(), {-2.66666667F, -8.0F, 2.66666667F, 8.0F, 2.66666667F, 8.0F, -2.66666667F, -8.0F, -0.666666667F,
    -2.0F, 0.666666667F, 2.0F, -0.0F, -0.0F, 0.0F, 0.0F, 1.33333333F, 4.0F, -1.33333333F, -4.0F,
    -0.0F, -0.0F, 0.0F, 0.0F});
  expect_close(binary(OpType::kMaximum).floats(), {2.0F, 2.0F, 2.0F, 2.0F, -0.75F, -0.25F, 0.75F, 0.25F, 0.5F, 0.5F, 0.75F, 0.5F, 0.0F, 0.0F, 0.75F,
    0.25F, -0.75F, -0.25F, 0.75F, 0.25F, 0.0F, 0.0F, 0.75F, 0.25F});
  expect_close(binary(OpType::kMinimum).floats(), {-0.75F, -0.25F, 0.75F, 0.25F, -2.0F, -2.0F, -2.0F, -2.0F, -0.75F, -0.25F, 0.5F, 0.25F, -0.75F,
    -0.25F, 0.0F, 0.0F, -1.0F, -1.0F, -1.0F, -1.0F, -0.75F, -0.25F, 0.0F, 0.0F});
  expect_close(binary(OpType::kSquaredDifference).floats(), {7.5625F, 5.0625F, 1.5625F, 3.0625F, 1.5625F, 3.0625F, 7.5625F, 5.0625F, 1.5625F, 0.5625F,
    0.0625F, 0.0625F, 0.5625F, 0.0625F, 0.5625F, 0.0625F, 0.0625F, 0.5625F, 3.0625F, 1.5625F,
    0.5625F, 0.0625F, 0.5625F, 0.0625F});
}

TEST(RuntimeBinary, Pow) {
  std::vector<float> base = kA;
  for (float& v : base) v = std::fabs(v) + 0.5F;
  const Result r = run_op(OpType::kPow, {in({2, 3, 1}, base), constant({1, 4}, kB)});
  expect_close(r.floats(), {0.502973372F, 0.795270729F, 1.98817682F, 1.25743343F, 0.502973372F, 0.795270729F, 1.98817682F,
    1.25743343F, 1.0F, 1.0F, 1.0F, 1.0F, 1.68179283F, 1.18920712F, 0.594603558F, 0.840896415F,
    0.737787946F, 0.903602004F, 1.35540301F, 1.10668192F, 1.68179283F, 1.18920712F, 0.594603558F,
    0.840896415F});
}

TEST(RuntimeBinary, EveryFusedActivation) {
  const std::vector<float> sum = {1.25F, 1.75F, 2.75F, 2.25F, -2.75F, -2.25F, -1.25F, -1.75F, -0.25F, 0.25F, 1.25F, 0.75F, -0.75F,
    -0.25F, 0.75F, 0.25F, -1.75F, -1.25F, -0.25F, -0.75F, -0.75F, -0.25F, 0.75F, 0.25F};
  const auto expect = [&](Activation a, float (*f)(float)) {
    std::vector<float> expected = sum;
    for (float& v : expected) v = f(v);
    expect_close(binary(OpType::kAdd, a).floats(), expected);
  };
  expect(Activation::kRelu, [](float v) { return std::max(v, 0.0F); });
  expect(Activation::kRelu6, [](float v) { return std::min(std::max(v, 0.0F), 6.0F); });
  expect(Activation::kReluN1To1, [](float v) { return std::min(std::max(v, -1.0F), 1.0F); });
  expect(Activation::kTanh, [](float v) { return std::tanh(v); });
}

TEST(RuntimeBinary, ScalarAndRankZeroBroadcast) {
  const Result r = run_op(OpType::kMul, BinaryOptions{}, {constant({}, {3.0F}), in({2, 2}, {1, 2, 3, 4})});
  EXPECT_EQ(r.shape(), (Shape{2, 2}));
  expect_close(r.floats(), {3, 6, 9, 12});
}

TEST(RuntimeBinary, IncompatibleShapesAndDtypes) {
  EXPECT_NE(op_error(OpType::kAdd, BinaryOptions{}, {in({2, 3}, std::vector<float>(6)), in({4}, std::vector<float>(4))})
                .find("op 'op' (ADD): shapes 2x3 and 4 do not broadcast"),
            std::string::npos);
  EXPECT_NE(op_error(OpType::kAdd, BinaryOptions{}, {in({2}, {1.0F, 2.0F}), in<std::int32_t>({2}, {1, 2})})
                .find("inputs must share one dtype, got float32 and int32"),
            std::string::npos);
  BinaryOptions tanh;
  tanh.activation = Activation::kTanh;
  EXPECT_NE(op_error(OpType::kAdd, tanh, {in<std::int32_t>({1}, {1}), in<std::int32_t>({1}, {1})})
                .find("fused activation TANH needs a float32 output"),
            std::string::npos);
}

TEST(RuntimeBinary, Int32Arithmetic) {
  const auto run = [](OpType type, std::vector<std::int32_t> a, std::vector<std::int32_t> b,
                      Activation activation = Activation::kNone) {
    OpOptions options = default_options(type);
    if (auto* o = std::get_if<BinaryOptions>(&options)) o->activation = activation;
    const auto n = static_cast<std::int64_t>(a.size());
    return run_op(type, options, {in<std::int32_t>({n}, a), constant<std::int32_t>({n}, b)}).values<std::int32_t>();
  };
  // Integer DIV truncates toward zero, like TFLite and C++: -7/2 = -3, 7/-2 = -3.
  EXPECT_EQ(run(OpType::kDiv, {7, -7, 7, -7, 6}, {2, 2, -2, -2, 3}), (std::vector<std::int32_t>{3, -3, -3, 3, 2}));
  EXPECT_EQ(run(OpType::kAdd, {1, -5, 7}, {2, 2, 2}), (std::vector<std::int32_t>{3, -3, 9}));
  EXPECT_EQ(run(OpType::kSub, {1, -5, 7}, {2, 2, 2}, Activation::kRelu), (std::vector<std::int32_t>{0, 0, 5}));
  EXPECT_EQ(run(OpType::kMul, {3, -5, 7}, {2, 2, 2}, Activation::kRelu6), (std::vector<std::int32_t>{6, 0, 6}));
  EXPECT_EQ(run(OpType::kMul, {3, -5, 0}, {2, 2, 2}, Activation::kReluN1To1), (std::vector<std::int32_t>{1, -1, 0}));
  EXPECT_EQ(run(OpType::kMaximum, {3, -5}, {2, 2}), (std::vector<std::int32_t>{3, 2}));
  EXPECT_EQ(run(OpType::kMinimum, {3, -5}, {2, 2}), (std::vector<std::int32_t>{2, -5}));
  EXPECT_EQ(run(OpType::kSquaredDifference, {3, -5}, {2, 2}), (std::vector<std::int32_t>{1, 49}));
  EXPECT_EQ(run(OpType::kPow, {3, -2, 5}, {3, 3, 0}), (std::vector<std::int32_t>{27, -8, 1}));
  // Overflow wraps (two's complement) instead of being undefined.
  const std::int32_t max = std::numeric_limits<std::int32_t>::max();
  const std::int32_t min = std::numeric_limits<std::int32_t>::min();
  EXPECT_EQ(run(OpType::kAdd, {max}, {1}), (std::vector<std::int32_t>{min}));
  EXPECT_EQ(run(OpType::kDiv, {min}, {-1}), (std::vector<std::int32_t>{min}));
  EXPECT_NE(op_error(OpType::kDiv, BinaryOptions{}, {in<std::int32_t>({1}, {1}), constant<std::int32_t>({1}, {0})})
                .find("op 'op' (DIV): integer division by zero"),
            std::string::npos);
}

TEST(RuntimeBinary, Int64ShapeArithmeticBroadcasts) {
  const Result r = run_op(OpType::kMul, BinaryOptions{},
                          {constant<std::int64_t>({3}, {1, 224, 224}), constant<std::int64_t>({}, {std::int64_t{1} << 33})});
  EXPECT_EQ(r.dtype(), DType::kInt64);
  EXPECT_EQ(r.values<std::int64_t>(),
            (std::vector<std::int64_t>{std::int64_t{1} << 33, 224 * (std::int64_t{1} << 33), 224 * (std::int64_t{1} << 33)}));
  const Result d = run_op(OpType::kDiv, BinaryOptions{},
                          {in<std::int64_t>({2}, {-9, 9}), constant<std::int64_t>({1}, {4})});
  EXPECT_EQ(d.values<std::int64_t>(), (std::vector<std::int64_t>{-2, 2}));
}

// ---- unary: inputs [-4, -1.5, -0.5, 0, 0.5, 1, 2.5, 7]
const std::vector<float> kX = {-4.0F, -1.5F, -0.5F, 0.0F, 0.5F, 1.0F, 2.5F, 7.0F};

std::vector<float> unary(OpType type, const OpOptions& options) {
  return run_op(type, options, {in({2, 4}, kX)}).floats();
}
std::vector<float> unary(OpType type) { return unary(type, default_options(type)); }

std::vector<float> map(float (*f)(float)) {
  std::vector<float> out = kX;
  for (float& v : out) v = f(v);
  return out;
}

TEST(RuntimeUnary, Activations) {
  expect_close(unary(OpType::kRelu), {0, 0, 0, 0, 0.5F, 1, 2.5F, 7});
  expect_close(unary(OpType::kRelu6), {0, 0, 0, 0, 0.5F, 1, 2.5F, 6});
  expect_close(unary(OpType::kReluN1To1), {-1, -1, -0.5F, 0, 0.5F, 1, 1, 1});
  LeakyReluOptions leaky;
  leaky.alpha = 0.25F;
  expect_close(unary(OpType::kLeakyRelu, leaky), {-1, -0.375F, -0.125F, 0, 0.5F, 1, 2.5F, 7});
  // HARD_SWISH x * relu6(x + 3) / 6, by hand: -1.5 -> -1.5*1.5/6 = -0.375; 0.5 -> 0.5*3.5/6.
  expect_close(unary(OpType::kHardSwish), {0, -0.375F, -0.5F * 2.5F / 6, 0, 0.5F * 3.5F / 6, 4.0F / 6, 2.5F * 5.5F / 6, 7});
  expect_close(unary(OpType::kLogistic), map([](float v) { return 1.0F / (1.0F + std::exp(-v)); }));
  expect_close(unary(OpType::kTanh), map([](float v) { return std::tanh(v); }));
}

TEST(RuntimeUnary, GeluExactAndApproximate) {
  // scipy: 0.5 x (1 + erf(x / sqrt 2)) and the tanh approximation.
  expect_close(unary(OpType::kGelu), {-0.000126684967F, -0.100210802F, -0.154268769F, 0.0F, 0.345731231F, 0.841344746F, 2.48447584F,
    7.0F}, 1e-6F);
  GeluOptions approximate;
  approximate.approximate = true;
  expect_close(unary(OpType::kGelu, approximate), {-7.02459482e-05F, -0.100428423F, -0.15428599F, 0.0F, 0.34571401F, 0.841191991F, 2.48491573F,
    7.0F}, 1e-6F);
}

TEST(RuntimeUnary, MathFunctions) {
  expect_close(unary(OpType::kExp), map([](float v) { return std::exp(v); }));
  expect_close(unary(OpType::kAbs), {4, 1.5F, 0.5F, 0, 0.5F, 1, 2.5F, 7});
  expect_close(unary(OpType::kNeg), {4, 1.5F, 0.5F, -0.0F, -0.5F, -1, -2.5F, -7});
  const std::vector<float> positive = {0.25F, 1, 4, 16};
  expect_close(run_op(OpType::kSqrt, {in({4}, positive)}).floats(), {0.5F, 1, 2, 4});
  expect_close(run_op(OpType::kRsqrt, {in({4}, positive)}).floats(), {2, 1, 0.5F, 0.25F});
  expect_close(run_op(OpType::kLog, {in({4}, positive)}).floats(),
               {std::log(0.25F), 0, std::log(4.0F), std::log(16.0F)});
}

TEST(RuntimeUnary, IntegerAbsAndNeg) {
  const std::int32_t min = std::numeric_limits<std::int32_t>::min();
  EXPECT_EQ(run_op(OpType::kAbs, {in<std::int32_t>({3}, {-3, 4, min})}).values<std::int32_t>(),
            (std::vector<std::int32_t>{3, 4, min}));
  EXPECT_EQ(run_op(OpType::kNeg, {in<std::int64_t>({2}, {-3, 4})}).values<std::int64_t>(),
            (std::vector<std::int64_t>{3, -4}));
  EXPECT_NE(op_error(OpType::kExp, NoOptions{}, {in<std::int32_t>({1}, {1})}).find("must be float32, got int32"),
            std::string::npos);
}

TEST(RuntimeUnary, PreluBroadcastsAlpha) {
  // x 1x2x2x3, alpha per channel 1x1x3: x >= 0 ? x : x * alpha.
  const std::vector<float> x = {-1, 2, -3, 4, -5, 6, -7, 8, -9, 10, -11, 12};
  const Result r = run_op(OpType::kPrelu, {in({1, 2, 2, 3}, x), constant({1, 1, 3}, {0.5F, 0.25F, 2.0F})});
  EXPECT_EQ(r.shape(), (Shape{1, 2, 2, 3}));
  expect_close(r.floats(), {-0.5F, 2, -6, 4, -1.25F, 6, -3.5F, 8, -18, 10, -2.75F, 12});
}

}  // namespace
}  // namespace octet::test
