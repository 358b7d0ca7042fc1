// ARG_MAX / ARG_MIN, QUANTIZE / DEQUANTIZE (TFLite's formulas, checked by
// hand) and the float16 converter (against GCC's _Float16 conversions, which
// round to nearest even, and exhaustively for half -> float -> half).

#include <bit>
#include <cstring>
#include <limits>

#include "runtime/float16.h"
#include "runtime_test_util.h"

namespace octet::test {
namespace {

ArgOptions arg_type(DType type) {
  ArgOptions o;
  o.output_type = type;
  return o;
}

TEST(RuntimeArg, FirstIndexWinsTies) {
  const auto x = in({2, 3}, {1, 5, 5, 7, 2, 7});
  const Result max = run_op(OpType::kArgMax, arg_type(DType::kInt32), {x, i32_scalar(1)});
  EXPECT_EQ(max.shape(), (Shape{2}));
  EXPECT_EQ(max.values<std::int32_t>(), (std::vector<std::int32_t>{1, 0}));
  const Result min = run_op(OpType::kArgMin, arg_type(DType::kInt64), {x, i64({-2})});
  EXPECT_EQ(min.dtype(), DType::kInt64);
  EXPECT_EQ(min.values<std::int64_t>(), (std::vector<std::int64_t>{0, 1, 0}));
  const Result ints = run_op(OpType::kArgMax, arg_type(DType::kInt32), {in<std::int32_t>({4}, {3, 9, -1, 9}),
                                                                         i32_scalar(-1)});
  EXPECT_EQ(ints.shape(), (Shape{}));
  EXPECT_EQ(ints.values<std::int32_t>(), (std::vector<std::int32_t>{1}));
  EXPECT_NE(op_error(OpType::kArgMax, arg_type(DType::kFloat32), {x, i32_scalar(1)}).find("output_type must be"),
            std::string::npos);
}

QuantParams quant(std::vector<float> scale, std::vector<std::int64_t> zero_point, int axis = 0) {
  QuantParams q;
  q.scale = std::move(scale);
  q.zero_point = std::move(zero_point);
  q.axis = axis;
  return q;
}

TEST(RuntimeQuantize, Int8PerTensorRoundsHalfToEvenAndClamps) {
  // float32 -> int8 per tensor runs in XNNPACK (TFLite's default path): x * (1 / 0.5) = 0.5, -0.5, 1.5, 2.5, 2,
  // 200, -200, 0 -> 0, 0, 2, 2, 2, 200, -200, 0 (half to even; TFLite's builtin kernel: 1, -1, 2, 3, ...);
  // + zero point 1; clamped; NaN -> the zero point.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Result r = run_op(OpType::kQuantize, NoOptions{},
                          {in({9}, {0.25F, -0.25F, 0.75F, 1.25F, 1.0F, 100, -100, 0, nan})}, 1,
                          {OutDecl{DType::kInt8, quant({0.5F}, {1})}});
  EXPECT_EQ(r.values<std::int8_t>(), (std::vector<std::int8_t>{1, 1, 3, 3, 3, 127, -128, 1, 1}));
}

TEST(RuntimeQuantize, BuiltinRoundsHalfAwayFromZero) {
  // uint8 (TFLite's builtin kernel), scale 0.25, zero point 128: 0, 4, -4, 160, -160 -> 128, 132, 124, 255, 0;
  // 0.125 / 0.25 = 0.5 -> 1 -> 129 and -0.125 -> -1 -> 127 (half away from zero).
  const Result u = run_op(OpType::kQuantize, NoOptions{}, {in({7}, {0, 1, -1, 40, -40, 0.125F, -0.125F})}, 1,
                          {OutDecl{DType::kUint8, quant({0.25F}, {128})}});
  EXPECT_EQ(u.values<std::uint8_t>(), (std::vector<std::uint8_t>{128, 132, 124, 255, 0, 129, 127}));
}

TEST(RuntimeQuantize, PerChannel) {
  // Per channel (TFLite's builtin kernel, half away from zero). Axis 1 scales (0.5, 2): 1/0.5 = 2,
  // 1/2 = 0.5 -> 1, -3/0.5 = -6, 5/2 = 2.5 -> 3.
  const Result r = run_op(OpType::kQuantize, NoOptions{}, {in({2, 2}, {1, 1, -3, 5})}, 1,
                          {OutDecl{DType::kInt8, quant({0.5F, 2.0F}, {0, 0}, 1)}});
  EXPECT_EQ(r.values<std::int8_t>(), (std::vector<std::int8_t>{2, 1, -6, 3}));
}

TEST(RuntimeQuantize, NeedsAQuantizedIntegerOutput) {
  EXPECT_NE(op_error(OpType::kQuantize, NoOptions{}, {in({1}, {1.0F})}, 1, {OutDecl{DType::kInt8, {}}})
                .find("op 'op' (QUANTIZE): output 'out0' must carry quantization parameters"),
            std::string::npos);
  EXPECT_NE(op_error(OpType::kQuantize, NoOptions{}, {in({1}, {1.0F})}, 1, {OutDecl{DType::kFloat32, {}}})
                .find("must be int8, uint8 or int16"),
            std::string::npos);
  EXPECT_NE(op_error(OpType::kQuantize, NoOptions{}, {in({2, 3}, std::vector<float>(6))}, 1,
                     {OutDecl{DType::kInt8, quant({0.5F, 2.0F}, {0, 0}, 1)}})
                .find("2 per-channel scales along axis 1 of shape 2x3"),
            std::string::npos);
}

Arg quantized(DType dtype, Shape shape, std::vector<std::int8_t> bytes, QuantParams q) {
  Arg a = make_arg<std::int8_t>(std::move(shape), bytes, false, dtype);
  a.quant = std::move(q);
  return a;
}

TEST(RuntimeDequantize, PerTensorAndPerChannel) {
  // (q - (-1)) * 0.5 for q = -128, -1, 0, 127.
  const Result s = run_op(OpType::kDequantize, {quantized(DType::kInt8, {4}, {-128, -1, 0, 127}, quant({0.5F}, {-1}))});
  expect_close(s.floats(), {-63.5F, 0, 0.5F, 64});
  // uint8 0, 128, 255 with scale 0.25 and zero point 128.
  Arg u = make_arg<std::uint8_t>({3}, {0, 128, 255}, false);
  u.quant = quant({0.25F}, {128});
  expect_close(run_op(OpType::kDequantize, {u}).floats(), {-32, 0, 31.75F});
  // Axis 0 scales (0.5, 0.25), zero points (1, -2): (3-1)*.5, (1-1)*.5, (2+2)*.25, (-2+2)*.25.
  const Result c =
      run_op(OpType::kDequantize, {quantized(DType::kInt8, {2, 2}, {3, 1, 2, -2}, quant({0.5F, 0.25F}, {1, -2}, 0))});
  expect_close(c.floats(), {1, 0, 1, 0});
  EXPECT_NE(op_error(OpType::kDequantize, NoOptions{}, {in<std::int8_t>({1}, {1})}).find("must carry quantization"),
            std::string::npos);
}

TEST(RuntimeDequantize, Float16IsExact) {
  const Arg h = make_arg<std::uint16_t>({6}, {0x3C00, 0x7BFF, 0x0001, 0xC000, 0x7C00, 0x8000}, false, DType::kFloat16);
  const std::vector<float> y = run_op(OpType::kDequantize, {h}).floats();
  EXPECT_EQ(y[0], 1.0F);
  EXPECT_EQ(y[1], 65504.0F);
  EXPECT_EQ(y[2], 0x1p-24F);
  EXPECT_EQ(y[3], -2.0F);
  EXPECT_EQ(y[4], std::numeric_limits<float>::infinity());
  EXPECT_TRUE(y[5] == 0.0F && std::signbit(y[5]));
}

TEST(RuntimeFloat16, EveryHalfRoundTripsThroughFloat) {
  for (std::uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
    const auto h = static_cast<std::uint16_t>(bits);
    const float f = half_to_float(h);
    _Float16 reference;
    std::memcpy(&reference, &h, 2);
    if (std::isnan(f)) {
      ASSERT_TRUE(std::isnan(static_cast<float>(reference))) << bits;
      ASSERT_EQ(float_to_half(f) & 0x7C00, 0x7C00) << bits;
      ASSERT_NE(float_to_half(f) & 0x03FF, 0) << bits;
      continue;
    }
    ASSERT_EQ(f, static_cast<float>(reference)) << bits;
    ASSERT_EQ(float_to_half(f), h) << bits;
  }
}

std::uint16_t reference_half(float f) {
  const auto r = static_cast<_Float16>(f);
  std::uint16_t bits;
  std::memcpy(&bits, &r, 2);
  return bits;
}

TEST(RuntimeFloat16, FloatToHalfRoundsToNearestEven) {
  // Every 997th float bit pattern (about 4.3 million values, all exponents).
  for (std::uint64_t bits = 0; bits <= 0xFFFFFFFFULL; bits += 997) {
    const float f = std::bit_cast<float>(static_cast<std::uint32_t>(bits));
    if (std::isnan(f)) continue;
    ASSERT_EQ(float_to_half(f), reference_half(f)) << std::hex << bits;
  }
  // Edges: ties to even, the overflow threshold, subnormal boundaries.
  for (const float f : {1.0F + 0x1p-11F, 1.0F + 3 * 0x1p-11F, 65504.0F, 65519.99F, 65520.0F, 0x1p-24F, 0x1p-25F,
                        0x1.000002p-25F, 0x1.8p-24F, 0x1p-14F, 0x1.ff8p-15F, -0.0F,
                        std::numeric_limits<float>::infinity(), std::numeric_limits<float>::max()}) {
    EXPECT_EQ(float_to_half(f), reference_half(f)) << f;
  }
  EXPECT_EQ(float_to_half(1.0F + 0x1p-11F), 0x3C00);  // tie -> even (1.0)
  EXPECT_EQ(float_to_half(65520.0F), 0x7C00);         // rounds up to infinity
  EXPECT_EQ(float_to_half(0x1p-25F), 0x0000);         // tie -> even (0)
}

}  // namespace
}  // namespace octet::test
