// Hand-checked values of TFLite's quantization arithmetic (each expectation is
// worked out in the comment next to it from the definitions in quant_math.h).

#include "quant/quant_math.h"

#include <gtest/gtest.h>

#include <limits>

#include "core/error.h"

namespace octet::quant {
namespace {

constexpr std::int32_t kQ30 = std::int32_t{1} << 30;
const IntRange kInt8 = {kInt8Min, kInt8Max};

TEST(QuantizeMultiplier, MantissaAndShift) {
  // 0.5 = 0.5 * 2^0: mantissa 0.5 in Q31 is 2^30.
  EXPECT_EQ(quantize_multiplier(0.5).multiplier, kQ30);
  EXPECT_EQ(quantize_multiplier(0.5).shift, 0);
  // 0.75 = 0.75 * 2^0: 0.75 * 2^31 = 1610612736.
  EXPECT_EQ(quantize_multiplier(0.75).multiplier, 1610612736);
  // 3.0 = 0.75 * 2^2.
  EXPECT_EQ(quantize_multiplier(3.0).multiplier, 1610612736);
  EXPECT_EQ(quantize_multiplier(3.0).shift, 2);
  // 0.1 = 0.8 * 2^-3: round(0.8 * 2^31) = 1717986918.
  EXPECT_EQ(quantize_multiplier(0.1).multiplier, 1717986918);
  EXPECT_EQ(quantize_multiplier(0.1).shift, -3);
  // A mantissa that rounds up to 2^31 renormalises: (1 - 2^-40) -> 2^30, shift 1.
  EXPECT_EQ(quantize_multiplier(1.0 - 0x1p-40).multiplier, kQ30);
  EXPECT_EQ(quantize_multiplier(1.0 - 0x1p-40).shift, 1);
  // Below 2^-32 the multiplier flushes to zero.
  EXPECT_EQ(quantize_multiplier(0x1p-40).multiplier, 0);
  EXPECT_EQ(quantize_multiplier(0.0).multiplier, 0);
  EXPECT_THROW(quantize_multiplier(-1.0), Error);
}

TEST(FixedPoint, RoundingDivideByPowerOfTwoRoundsHalfAwayFromZero) {
  EXPECT_EQ(rounding_divide_by_pot(5, 1), 3);    // 2.5 -> 3
  EXPECT_EQ(rounding_divide_by_pot(-5, 1), -3);  // -2.5 -> -3
  EXPECT_EQ(rounding_divide_by_pot(4, 1), 2);
  EXPECT_EQ(rounding_divide_by_pot(7, 2), 2);    // 1.75 -> 2
  EXPECT_EQ(rounding_divide_by_pot(-6, 2), -2);  // -1.5 -> -2
  EXPECT_EQ(rounding_divide_by_pot(-5, 2), -1);  // -1.25 -> -1
  EXPECT_EQ(rounding_divide_by_pot(9, 0), 9);
}

TEST(FixedPoint, SaturatingRoundingDoublingHighMul) {
  // 2^30 * 2^30 * 2 / 2^32 = 2^29.
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kQ30, kQ30), 1 << 29);
  // 3 * 2^30 * 2 / 2^32 = 1.5 -> 2. For negative products gemmlowp's nudge is
  // 1 - 2^30 and the division truncates: (-3 * 2^30 + 1 - 2^30) / 2^31 =
  // -1.9999999995 -> -1, so -1.5 rounds toward zero here (TFLite inherits this).
  EXPECT_EQ(saturating_rounding_doubling_high_mul(3, kQ30), 2);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-3, kQ30), -1);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-5, kQ30), -2);  // -2.5 -> -2
  constexpr std::int32_t kMin = std::numeric_limits<std::int32_t>::min();
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMin, kMin), std::numeric_limits<std::int32_t>::max());
}

TEST(FixedPoint, MultiplyByQuantizedMultiplier) {
  EXPECT_EQ(multiply_by_quantized_multiplier(100, quantize_multiplier(0.5)), 50);
  EXPECT_EQ(multiply_by_quantized_multiplier(100, quantize_multiplier(0.25)), 25);
  EXPECT_EQ(multiply_by_quantized_multiplier(3, quantize_multiplier(0.5)), 2);    // 1.5 -> 2
  EXPECT_EQ(multiply_by_quantized_multiplier(-3, quantize_multiplier(0.5)), -1);  // -1.5 -> -1 (see above)
  // 0.25 is 2^30 with shift -1: -7 * 0.25 = -1.75: high mul -3.5 -> -3, rounding shift -1.5 -> -2.
  EXPECT_EQ(multiply_by_quantized_multiplier(-7, quantize_multiplier(0.25)), -2);
  EXPECT_EQ(multiply_by_quantized_multiplier(10, quantize_multiplier(3.0)), 30);
  // 1000 * 0.1: 0.1 is stored as 1717986918 * 2^-34, 1000 * that = 99.99999998 -> 100.
  EXPECT_EQ(multiply_by_quantized_multiplier(1000, quantize_multiplier(0.1)), 100);
}

TEST(ActivationParams, AsymmetricNudgedZeroPoint) {
  // [-1, 1]: scale 2/255; both ends give zero point -0.5, rounded away from zero to -1.
  QuantParams p = choose_activation_params({-1.0F, 1.0F}, kInt8);
  EXPECT_FLOAT_EQ(p.scale[0], 2.0F / 255.0F);
  EXPECT_EQ(p.zero_point[0], -1);
  // [0, 6]: zero maps to -128.
  p = choose_activation_params({0.0F, 6.0F}, kInt8);
  EXPECT_FLOAT_EQ(p.scale[0], 6.0F / 255.0F);
  EXPECT_EQ(p.zero_point[0], -128);
  // [-2, 0]: zero maps to 127.
  p = choose_activation_params({-2.0F, 0.0F}, kInt8);
  EXPECT_EQ(p.zero_point[0], 127);
  // [0.5, 1] is widened to [0, 1] so that 0 is representable.
  p = choose_activation_params({0.5F, 1.0F}, kInt8);
  EXPECT_FLOAT_EQ(p.scale[0], 1.0F / 255.0F);
  EXPECT_EQ(p.zero_point[0], -128);
  // uint8 [0, 255]: scale 1, zero point 0.
  p = choose_activation_params({0.0F, 255.0F}, int_range(DType::kUint8));
  EXPECT_FLOAT_EQ(p.scale[0], 1.0F);
  EXPECT_EQ(p.zero_point[0], 0);
  // Degenerate range: any scale; zero point 0.
  p = choose_activation_params({0.0F, 0.0F}, kInt8);
  EXPECT_GT(p.scale[0], 0.0F);
  EXPECT_EQ(p.zero_point[0], 0);
}

TEST(WeightParams, SymmetricPerChannel) {
  const std::vector<float> w = {1.0F, -2.0F, 0.5F, 0.25F, 0.0F, 0.0F};  // shape 3x2
  const QuantParams p = choose_weight_params(w, {3, 2}, 0);
  ASSERT_EQ(p.scale.size(), 3U);
  EXPECT_FLOAT_EQ(p.scale[0], 2.0F / 127.0F);
  EXPECT_FLOAT_EQ(p.scale[1], 0.5F / 127.0F);
  EXPECT_FLOAT_EQ(p.scale[2], 1.0F);  // all-zero channel
  EXPECT_EQ(p.zero_point, (std::vector<std::int64_t>{0, 0, 0}));
  // Quantized: channel 0 -> [64 (63.5 rounds away), -127], channel 1 -> [127, 64 (63.5)].
  const auto q = quantize_values(w, {3, 2}, p, kInt8);
  EXPECT_EQ(q, (std::vector<std::int32_t>{64, -127, 127, 64, 0, 0}));
  // Per tensor: max |w| = 2.
  const QuantParams t = choose_weight_params(w, {3, 2}, -1);
  ASSERT_EQ(t.scale.size(), 1U);
  EXPECT_FLOAT_EQ(t.scale[0], 2.0F / 127.0F);
  // Per channel along the last axis (depthwise weights 1xHxWxC).
  const QuantParams d = choose_weight_params(w, {1, 3, 2}, 2);
  ASSERT_EQ(d.scale.size(), 2U);
  EXPECT_FLOAT_EQ(d.scale[0], 1.0F / 127.0F);  // max(|1|, |0.5|, 0)
  EXPECT_FLOAT_EQ(d.scale[1], 2.0F / 127.0F);  // max(|-2|, |0.25|, 0)
}

TEST(QuantizeValue, RoundsHalfAwayAndSaturates) {
  EXPECT_EQ(quantize_value(0.25F, 0.5F, 0, kInt8), 1);    // 0.5 -> 1
  EXPECT_EQ(quantize_value(-0.25F, 0.5F, 0, kInt8), -1);  // -0.5 -> -1
  EXPECT_EQ(quantize_value(1000.0F, 1.0F, 0, kInt8), 127);
  EXPECT_EQ(quantize_value(-1000.0F, 1.0F, 5, kInt8), -128);
  EXPECT_EQ(quantize_value(1.0F, 0.1F, -128, kInt8), -118);
  EXPECT_FLOAT_EQ(dequantize_value(-118, 0.1F, -128), 1.0F);
}

TEST(ActivationRange, FusedActivationClamps) {
  // scale 0.05, zero point -128: 6.0 -> -128 + 120 = -8.
  const IntRange relu6 = activation_range(Activation::kRelu6, 0.05F, -128, kInt8);
  EXPECT_EQ(relu6.min, -128);
  EXPECT_EQ(relu6.max, -8);
  // zero point 10: RELU clamps below at 10.
  const IntRange relu = activation_range(Activation::kRelu, 0.05F, 10, kInt8);
  EXPECT_EQ(relu.min, 10);
  EXPECT_EQ(relu.max, 127);
  // scale 0.01, zero point 0: [-1, 1] -> [-100, 100].
  const IntRange n1 = activation_range(Activation::kReluN1To1, 0.01F, 0, kInt8);
  EXPECT_EQ(n1.min, -100);
  EXPECT_EQ(n1.max, 100);
  const IntRange none = activation_range(Activation::kNone, 0.01F, 0, kInt8);
  EXPECT_EQ(none.min, -128);
  EXPECT_EQ(none.max, 127);
}

TEST(FixedOutputs, TfliteSpecValues) {
  EXPECT_FLOAT_EQ(logistic_output_params().scale[0], 1.0F / 256.0F);
  EXPECT_EQ(logistic_output_params().zero_point[0], -128);
  EXPECT_FLOAT_EQ(softmax_output_params().scale[0], 1.0F / 256.0F);
  EXPECT_EQ(softmax_output_params().zero_point[0], -128);
  EXPECT_FLOAT_EQ(tanh_output_params().scale[0], 1.0F / 128.0F);
  EXPECT_EQ(tanh_output_params().zero_point[0], 0);
}

TEST(Bias, ScaleIsInputTimesWeight) {
  QuantParams w;
  w.scale = {0.5F, 0.25F};
  w.zero_point = {0, 0};
  const QuantParams b = bias_params(0.1F, w);
  EXPECT_FLOAT_EQ(b.scale[0], 0.05F);
  EXPECT_FLOAT_EQ(b.scale[1], 0.025F);
  EXPECT_EQ(b.zero_point, (std::vector<std::int64_t>{0, 0}));
  // A bias of 2^31 * 1e-9 needs weight scale >= 2 / (2^31 * 1e-9 ... ): the
  // returned scale keeps bias / (in * w) at half of int32's range.
  const float s = min_weight_scale_for_bias(1.0F, 1e-9F);
  EXPECT_NEAR(1.0 / (1e-9 * static_cast<double>(s)), 0.5 * 2147483647.0, 2.0);
}

TEST(Sqnr, DecibelsOfSignalOverNoise) {
  const std::vector<float> y = {1.0F, 1.0F};
  const std::vector<float> half = {1.0F, 0.0F};
  EXPECT_NEAR(sqnr_db(y, half), 3.0103, 1e-4);  // 10 log10(2 / 1)
  EXPECT_TRUE(std::isinf(sqnr_db(y, y)));
}

}  // namespace
}  // namespace octet::quant
