// Hand-checked values of the requantization rules of TFLite's default CPU path
// other than the builtin double rounding (quant/requantize.h): XNNPACK's fp32
// rule, ruy's single rounding, XNNPACK's 8-bit multipliers and 11-bit
// bilinear weights. Each expectation is worked out in the comment next to it;
// the tie cases are where the rules differ from TFLite's builtin arithmetic.

#include "quant/requantize.h"

#include <gtest/gtest.h>

namespace octet::quant {
namespace {

const IntRange kInt8 = {kInt8Min, kInt8Max};

TEST(Fp32Requantize, RoundsOnceHalfToEven) {
  // acc * 0.25: 1.25 -> 1, 2.5 -> 2, 3.5 -> 4, -1.5 -> -2, -2.5 -> -2 (TFLite's builtin: 2, 3, 4, -2, -3).
  EXPECT_EQ(fp32_requantize(5, 0.25F, 0, kInt8), 1);
  EXPECT_EQ(fp32_requantize(10, 0.25F, 0, kInt8), 2);
  EXPECT_EQ(fp32_requantize(14, 0.25F, 0, kInt8), 4);
  EXPECT_EQ(fp32_requantize(-6, 0.25F, 0, kInt8), -2);
  EXPECT_EQ(fp32_requantize(-10, 0.25F, 0, kInt8), -2);
  // The zero point is added after rounding: 5 * 0.5 = 2.5 -> 2, + 3 = 5.
  EXPECT_EQ(fp32_requantize(5, 0.5F, 3, kInt8), 5);
}

TEST(Fp32Requantize, ClampsToTheRangeLessTheZeroPoint) {
  // [-128 - 10, 127 - 10] = [-138, 117]: 1000 -> 117 -> 127, -1000 -> -138 -> -128.
  EXPECT_EQ(fp32_requantize(1000, 1.0F, 10, kInt8), 127);
  EXPECT_EQ(fp32_requantize(-1000, 1.0F, 10, kInt8), -128);
  // A fused activation range [3, 127] with zero point 3: -6 * 0.25 = -1.5 -> clamped to 0 -> 3.
  EXPECT_EQ(fp32_requantize(-6, 0.25F, 3, IntRange{3, kInt8Max}), 3);
}

TEST(XnnQuantize, ReciprocalScaleHalfToEven) {
  // x * (1 / 0.5): 0.25 -> 0.5 -> 0, 0.75 -> 1.5 -> 2, -1.25 -> -2.5 -> -2 (TFLite's builtin: 1, 2, -3); + zp 1.
  EXPECT_EQ(xnn_quantize(0.25F, 0.5F, 1, kInt8), 1);
  EXPECT_EQ(xnn_quantize(0.75F, 0.5F, 1, kInt8), 3);
  EXPECT_EQ(xnn_quantize(-1.25F, 0.5F, 1, kInt8), -1);
  // Clamped: 100 / 0.5 = 200 -> 127.
  EXPECT_EQ(xnn_quantize(100.0F, 0.5F, 1, kInt8), 127);
}

TEST(Fp32Requantize, ProductScaleIsFloat32LeftToRight) {
  // 0.5 * 0.25 / 0.5 = 0.25 exactly; 3 * 0.5 / 6 = 0.25 exactly.
  EXPECT_EQ(xnn_product_scale(0.5F, 0.25F, 0.5F), 0.25F);
  EXPECT_EQ(xnn_product_scale(3.0F, 0.5F, 6.0F), 0.25F);
}

TEST(XnnActivationRange, LrintfOfBoundOverScalePlusZeroPoint) {
  // RELU6, scale 0.5, zero point -10: [lrintf(0 - 10), lrintf(12 - 10)] = [-10, 2].
  const IntRange relu6 = xnn_activation_range(Activation::kRelu6, 0.5F, -10, kInt8);
  EXPECT_EQ(relu6.min, -10);
  EXPECT_EQ(relu6.max, 2);
  // RELU_N1_TO_1, scale 0.4: +-1 / 0.4 = +-2.5 in float32 -> +-2 (half to even; TFLite's builtin: +-3).
  const IntRange n1 = xnn_activation_range(Activation::kReluN1To1, 0.4F, 0, kInt8);
  EXPECT_EQ(n1.min, -2);
  EXPECT_EQ(n1.max, 2);
  // RELU: [zero point, 127]; NONE: the whole int8 range.
  EXPECT_EQ(xnn_activation_range(Activation::kRelu, 0.1F, -7, kInt8).min, -7);
  EXPECT_EQ(xnn_activation_range(Activation::kRelu, 0.1F, -7, kInt8).max, kInt8Max);
  EXPECT_EQ(xnn_activation_range(Activation::kNone, 0.1F, -7, kInt8).min, kInt8Min);
}

TEST(SingleRounding, RoundsOnceHalfUp) {
  // M = 0.25 (2^30, shift -1): total shift 32; x / 4 + 1/2, floored.
  const FixedPointMultiplier quarter = quantize_multiplier(0.25);
  EXPECT_EQ(multiply_by_quantized_multiplier_single_rounding(2, quarter), 1);     // 0.5 -> 1
  EXPECT_EQ(multiply_by_quantized_multiplier_single_rounding(-6, quarter), -1);   // -1.5 -> -1
  EXPECT_EQ(multiply_by_quantized_multiplier_single_rounding(-10, quarter), -2);  // -2.5 -> -2
  EXPECT_EQ(multiply_by_quantized_multiplier_single_rounding(5, quarter), 1);     // 1.25 -> 1
  // TFLite's builtin double rounding on the same values: 1, -2, -3, 2.
  EXPECT_EQ(multiply_by_quantized_multiplier(-10, quarter), -3);
  EXPECT_EQ(multiply_by_quantized_multiplier(5, quarter), 2);
  // M = 3 (0.75 * 2^2): a left shift inside the single rounding: 7 * 3 = 21.
  EXPECT_EQ(multiply_by_quantized_multiplier_single_rounding(7, quantize_multiplier(3.0)), 21);
}

TEST(XnnQ8, MultiplierAndRequantization) {
  // lrintf(256 s): 1/3 -> 85.33 -> 85; 0.6 -> 153.6 -> 154; 2 -> 512.
  EXPECT_EQ(xnn_q8_multiplier(1.0F / 3.0F), 85);
  EXPECT_EQ(xnn_q8_multiplier(0.6F), 154);
  EXPECT_EQ(xnn_q8_multiplier(2.0F), 512);
  // floor((x m + 128) / 256) + zp: -128 * 85 = -10880 -> -10752 / 256 = -42 (exact -42.67 would give -43);
  // 127 * 85 + 128 = 10923 -> 42; -3 * 128 + 128 = -256 -> -1, + 5 = 4; 3 * 128 + 128 = 512 -> 2.
  EXPECT_EQ(xnn_q8_requantize(-128, 85, 0, kInt8), -42);
  EXPECT_EQ(xnn_q8_requantize(127, 85, 0, kInt8), 42);
  EXPECT_EQ(xnn_q8_requantize(-3, 128, 5, kInt8), 4);
  EXPECT_EQ(xnn_q8_requantize(3, 128, 0, kInt8), 2);
  // Saturation: 127 * 32768 / 256 = 16256 -> 127.
  EXPECT_EQ(xnn_q8_requantize(127, 32768, 0, kInt8), 127);
}

TEST(XnnBilinear, ElevenBitWeightsRoundHalfUp) {
  // lrintf(alpha 2^11): 0.5 -> 1024, 1/3 -> 682.67 -> 683; 2^-12 -> 0.5 -> 0 and 3 * 2^-12 -> 1.5 -> 2 (even).
  EXPECT_EQ(xnn_q11_weight(0.5F), 1024);
  EXPECT_EQ(xnn_q11_weight(1.0F / 3.0F), 683);
  EXPECT_EQ(xnn_q11_weight(0x1.0p-12F), 0);
  EXPECT_EQ(xnn_q11_weight(0x1.8p-11F), 2);
  // Horizontal half way between 0 and 3: 1.5 -> 2; between 0 and -3: -1.5 -> -1 (TFLite's builtin: -2).
  EXPECT_EQ(xnn_bilinear_q11(0, 3, 0, 3, 1024, 0), 2);
  EXPECT_EQ(xnn_bilinear_q11(0, -3, 0, -3, 1024, 0), -1);
  // Vertical: top row 0, bottom row 3, weight 512 (a quarter): 0.75 -> 1.
  EXPECT_EQ(xnn_bilinear_q11(0, 0, 3, 3, 0, 512), 1);
  // Centre of {-128, 127 / 127, -128}: top = -128 * 2048 + 255 * 1024 = -1024, bottom = 260096 - 261120 = -1024,
  // acc = -1024 * 2048 = -2^21, + 2^21 = 0 -> 0 (the mean -0.5 rounds up).
  EXPECT_EQ(xnn_bilinear_q11(-128, 127, 127, -128, 1024, 1024), 0);
}

TEST(XnnAdd, TwentyBitMultipliersRoundHalfUp) {
  // Ratios 0.75 and 0.5 (exponent -1): shift 21, m = 0.75 2^21 = 1572864, 0.5 2^21 = 1048576,
  // bias = 2^20 - m_a zp_a - m_b zp_b with zp_a = 2, zp_b = -1: 1048576 - 3145728 + 1048576 = -1048576.
  const XnnAddParams p = xnn_add_params(0.75F, 2, 0.5F, -1, 1.0F, 3, false, kInt8);
  EXPECT_EQ(p.shift, 21);
  EXPECT_EQ(p.a_multiplier, 1572864);
  EXPECT_EQ(p.b_multiplier, 1048576);
  EXPECT_EQ(p.bias, -1048576);
  // 0.75 (4 - 2) + 0.5 (0 + 1) = 2 -> 5; 0.75 (3 - 2) + 0.5 (-1 + 1) = 0.75 -> 1 -> 4;
  // ties round up: 0.75 (2 - 2) + 0.5 (0 + 1) = 0.5 -> 1 -> 4; 0.75 * 0 + 0.5 (-2 + 1) = -0.5 -> 0 -> 3
  // (TFLite's builtin ADD rounds half away from zero: -1 -> 2).
  EXPECT_EQ(xnn_add(p, 4, 0), 5);
  EXPECT_EQ(xnn_add(p, 3, -1), 4);
  EXPECT_EQ(xnn_add(p, 2, 0), 4);
  EXPECT_EQ(xnn_add(p, 2, -2), 3);
  // Saturation: 0.75 (127 - 2) + 0.5 (127 + 1) = 157.75 -> 127.
  EXPECT_EQ(xnn_add(p, 127, 127), 127);
  // SUB negates the second multiplier: 0.75 (4 - 2) - 0.5 (0 + 1) = 1 -> 4.
  const XnnAddParams sub = xnn_add_params(0.75F, 2, 0.5F, -1, 1.0F, 3, true, kInt8);
  EXPECT_EQ(sub.b_multiplier, -1048576);
  EXPECT_EQ(xnn_add(sub, 4, 0), 4);
}

// A value the real TFLite (wasm, XNNPACK) computed in a resnet18 residual ADD:
// s_a 0.004791597 (zp -6), s_b 0.0024004097 (zp -128), s_out 0.0032756864 (zp -128),
// a = -44, b = 85. Exactly: -27.49997 (TFLite's builtin rule rounds it to -27). XNNPACK:
// ratios 1.4627764, 0.73279595 (float32), exponent 0, shift 20, m = 1533832, 768392;
// (2^19 - 38 * 1533832 + 213 * 768392) >> 20 = (524288 - 58285616 + 163667496) >> 20
// = 105906168 >> 20 = 100 (100.9999...), - 128 = -28: TFLite's output.
TEST(XnnAdd, MatchesTfliteOnAResnetResidual) {
  const XnnAddParams p = xnn_add_params(0.004791597F, -6, 0.0024004097F, -128, 0.0032756864F, -128, false, kInt8);
  EXPECT_EQ(p.shift, 20);
  EXPECT_EQ(p.a_multiplier, 1533832);
  EXPECT_EQ(p.b_multiplier, 768392);
  EXPECT_EQ(xnn_add(p, -44, 85), -28);
}

}  // namespace
}  // namespace octet::quant
