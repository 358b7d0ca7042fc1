// int8 data movement: CONCATENATION / PACK requantization (TFLite's
// reference ConcatenationWithScaling), PAD / PADV2 fill values, RESIZE_BILINEAR
// with XNNPACK's 11-bit weights (s8-ibilinear), REDUCE_MAX, ARG_MAX,
// and the shared-quantization checks of the copying kernels. Goldens are
// derived by hand in the comments.

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

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

ConcatenationOptions concat_axis(int axis) {
  ConcatenationOptions o;
  o.axis = axis;
  return o;
}

// Input 1 (scale 0.25, zero point 10) goes to the output's scale 0.5, zero point 0:
// ratio 0.5, bias -10 * 0.5 = -5: 14 -> 2, 6 -> -2, 127 -> 58.5 -> 59 (half away from zero).
// Input 0 already has the output's parameters and is copied.
// With output zero point 100 both inputs are requantized: input 0 by ratio 1 (+100:
// 102, 96), input 1 as above + 100: 102, 98, 159 -> 127.
TEST(RuntimeInt8Concat, RequantizesInputsToTheOutput) {
  const std::vector<Arg> args = {q8({2}, {2, -4}, 0.5F, 0), q8({3}, {14, 6, 127}, 0.25F, 10)};
  Result r = run_op(OpType::kConcatenation, concat_axis(0), args, 1, {out8(0.5F, 0)});
  EXPECT_EQ(r.values<std::int8_t>(), (std::vector<std::int8_t>{2, -4, 2, -2, 59}));
  r = run_op(OpType::kConcatenation, concat_axis(-1), args, 1, {out8(0.5F, 100)});
  EXPECT_EQ(r.values<std::int8_t>(), (std::vector<std::int8_t>{102, 96, 102, 98, 127}));
}

// PACK along axis 1 of two [2] tensors: out[i] = (a[i], b[i]); b requantized as above.
TEST(RuntimeInt8Concat, PackRequantizes) {
  PackOptions o;
  o.values_count = 2;
  o.axis = 1;
  const Result r = run_op(OpType::kPack, o, {q8({2}, {2, -4}, 0.5F, 0), q8({2}, {14, 127}, 0.25F, 10)}, 1,
                          {out8(0.5F, 0)});
  EXPECT_EQ(r.shape(), (Shape{2, 2}));
  EXPECT_EQ(r.values<std::int8_t>(), (std::vector<std::int8_t>{2, 2, -4, 59}));
}

TEST(RuntimeInt8Concat, InputsMustBeQuantizedPerTensor) {
  Arg unquantized = make_arg<std::int8_t>({1}, {1}, false);
  EXPECT_TRUE(contains(op_error(OpType::kConcatenation, concat_axis(0), {q8({1}, {1}, 0.5F, 0), unquantized}, 1,
                                {out8(0.5F, 0)}),
                       "op 'op' (CONCATENATION): input 1 'in1' is int8 and must carry quantization parameters"));
}

// PAD fills with the output zero point (-3); PADV2 with its int8 value (9).
TEST(RuntimeInt8Pad, FillValues) {
  const Arg pads = constant<std::int32_t>({2, 2}, {0, 0, 1, 1});
  Result r = run_op(OpType::kPad, NoOptions{}, {q8({1, 2}, {5, 6}, 0.5F, -3), pads}, 1, {out8(0.5F, -3)});
  EXPECT_EQ(r.values<std::int8_t>(), (std::vector<std::int8_t>{-3, 5, 6, -3}));
  r = run_op(OpType::kPadV2, NoOptions{}, {q8({1, 2}, {5, 6}, 0.5F, -3), pads, q8({}, {9}, 0.5F, -3, true)}, 1,
             {out8(0.5F, -3)});
  EXPECT_EQ(r.values<std::int8_t>(), (std::vector<std::int8_t>{9, 5, 6, 9}));
  EXPECT_TRUE(contains(op_error(OpType::kPadV2, NoOptions{},
                                {q8({1, 2}, {5, 6}, 0.5F, -3), pads, q8({}, {9}, 0.25F, -3, true)}, 1, {out8(0.5F, -3)}),
                       "constant value (input 2) 'in2' (scale 0.25, zero point -3) and output 'out0' (scale 0.5, zero "
                       "point -3) must share one quantization"));
}

// ---- RESIZE_BILINEAR, 1x2 -> 1x4, two channels: pixel 0 = (0, 0), pixel 1 = (3, -3). XNNPACK's rule:
// float source x, weight w = lrintf(frac 2^11), out = (v0 2^22 + (v1 - v0) w 2^11 + 2^21) >> 22 (half up).
// No flags: scale 0.5; x = 1 at 0.5 (w 1024): 1.5 -> 2, -1.5 -> -1 (half up; TFLite's builtin gives -2);
//   x = 2, 3 at 1.0, 1.5 read pixel 1 (the upper neighbour is clamped to it).
// half_pixel_centers: source 0.5 x - 0.25 clamped to [0, 1]: x = 0 at 0, x = 1 at 0.25 (w 512: 0.75 -> 1,
//   -0.75 -> -1), x = 2 at 0.75 (w 1536: 2.25 -> 2, -2.25 -> -2), x = 3 at 1 (pixel 1).
// align_corners: scale 1/3 in float32: x = 1 at 0.33333334 (w = lrintf(682.67) = 683: 3 * 683 / 2048 = 1.0005
//   -> 1, -1.0005 -> -1), x = 2 at 0.6666667 (w 1365: 1.9995 -> 2, -1.9995 -> -2), x = 3 at 1 (pixel 1).
TEST(RuntimeInt8Resize, BilinearXnnpackWeights) {
  const Arg x = q8({1, 1, 2, 2}, {0, 0, 3, -3}, 0.1F, 0);
  const Arg size = constant<std::int32_t>({2}, {1, 4});
  ResizeOptions o;
  Result r = run_op(OpType::kResizeBilinear, o, {x, size}, 1, {out8(0.1F, 0)});
  EXPECT_EQ(r.values<std::int8_t>(), (std::vector<std::int8_t>{0, 0, 2, -1, 3, -3, 3, -3}));
  o.half_pixel_centers = true;
  r = run_op(OpType::kResizeBilinear, o, {x, size}, 1, {out8(0.1F, 0)});
  EXPECT_EQ(r.values<std::int8_t>(), (std::vector<std::int8_t>{0, 0, 1, -1, 2, -2, 3, -3}));
  o.half_pixel_centers = false;
  o.align_corners = true;
  r = run_op(OpType::kResizeBilinear, o, {x, size}, 1, {out8(0.1F, 0)});
  EXPECT_EQ(r.values<std::int8_t>(), (std::vector<std::int8_t>{0, 0, 1, -1, 2, -2, 3, -3}));
  EXPECT_TRUE(contains(op_error(OpType::kResizeBilinear, ResizeOptions{}, {x, size}, 1, {out8(0.2F, 0)}),
                       "op 'op' (RESIZE_BILINEAR): input 0 'in0' (scale 0.1, zero point 0) and output 'out0' (scale "
                       "0.2, zero point 0) must share one quantization"));
}

TEST(RuntimeInt8Movement, ReduceMaxAndArgMaxOnInt8) {
  const Arg x = q8({2, 2}, {1, -5, 7, 3}, 0.5F, -1);
  Result r = run_op(OpType::kReduceMax, ReducerOptions{}, {x, i32({1})}, 1, {out8(0.5F, -1)});
  EXPECT_EQ(r.values<std::int8_t>(), (std::vector<std::int8_t>{1, 7}));
  ArgOptions a;
  a.output_type = DType::kInt32;
  r = run_op(OpType::kArgMax, a, {q8({4}, {-128, 5, 5, -1}, 0.5F, -1), i32_scalar(0)});
  EXPECT_EQ(r.values<std::int32_t>(), (std::vector<std::int32_t>{1}));
  EXPECT_TRUE(contains(op_error(OpType::kReduceMax, ReducerOptions{}, {x, i32({1})}, 1, {out8(0.5F, 0)}),
                       "must share one quantization"));
}

// The copying kernels keep the bytes and so need one quantization in and out.
TEST(RuntimeInt8Movement, CopyingKernelsKeepTheQuantization) {
  const Arg x = q8({2, 3}, {1, 2, 3, 4, 5, 6}, 0.5F, 2);
  Result r = run_op(OpType::kTranspose, NoOptions{}, {x, i32({1, 0})}, 1, {out8(0.5F, 2)});
  EXPECT_EQ(r.values<std::int8_t>(), (std::vector<std::int8_t>{1, 4, 2, 5, 3, 6}));
  r = run_op(OpType::kGather, GatherOptions{}, {x, i32({1})}, 1, {out8(0.5F, 2)});
  EXPECT_EQ(r.values<std::int8_t>(), (std::vector<std::int8_t>{4, 5, 6}));
  EXPECT_TRUE(contains(op_error(OpType::kReshape, NoOptions{}, {x, i32({6})}, 1, {out8(0.5F, 3)}),
                       "op 'op' (RESHAPE): input 0 'in0' (scale 0.5, zero point 2) and output 'out0' (scale 0.5, "
                       "zero point 3) must share one quantization"));
  EXPECT_TRUE(contains(op_error(OpType::kSlice, NoOptions{}, {x, i32({0, 0}), i32({1, 1})}, 1,
                                {OutDecl{DType::kInt8, {}}}),
                       "output 'out0' is int8 and must carry quantization parameters"));
  SplitOptions s;
  s.num_splits = 2;
  EXPECT_TRUE(contains(op_error(OpType::kSplit, s, {i32_scalar(0), x}, 2, {out8(0.5F, 2), out8(0.25F, 2)}),
                       "and output 1 'out1' (scale 0.25, zero point 2) must share one quantization"));
}

}  // namespace
}  // namespace octet::test
