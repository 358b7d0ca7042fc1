// Data-movement ops (every dtype) and CAST. Strided-slice goldens are numpy
// slices of t = arange(60).reshape(3, 4, 5) (make_goldens.py); the other
// expected values are small enough to check by hand.

#include <limits>
#include <numeric>

#include "runtime/float16.h"
#include "runtime_test_util.h"

namespace octet::test {
namespace {

std::vector<std::int32_t> iota32(std::size_t n) {
  std::vector<std::int32_t> v(n);
  std::iota(v.begin(), v.end(), 0);
  return v;
}

TEST(RuntimeReshape, InfersMinusOneAndCopiesBytes) {
  const Result r = run_op(OpType::kReshape, {in<std::int64_t>({2, 3}, {1, 2, 3, 4, 5, 6}), i32({3, -1})});
  EXPECT_EQ(r.shape(), (Shape{3, 2}));
  EXPECT_EQ(r.values<std::int64_t>(), (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6}));
  const Result scalar = run_op(OpType::kReshape, {in({1, 1}, {7.0F}), i64({})});
  EXPECT_EQ(scalar.shape(), (Shape{}));
}

TEST(RuntimeReshape, Errors) {
  const auto x = in({2, 3}, std::vector<float>(6));
  EXPECT_NE(op_error(OpType::kReshape, NoOptions{}, {x, i32({-1, -1})}).find("more than one -1"), std::string::npos);
  EXPECT_NE(op_error(OpType::kReshape, NoOptions{}, {x, i32({4, 2})})
                .find("op 'op' (RESHAPE): cannot reshape 2x3 (6 elements) to [4,2] (8 elements)"),
            std::string::npos);
  // 0 is a zero-size dimension in TFLite, not "copy this dimension".
  EXPECT_NE(op_error(OpType::kReshape, NoOptions{}, {x, i32({0, 6})}).find("cannot reshape"), std::string::npos);
  EXPECT_NE(op_error(OpType::kReshape, NoOptions{}, {x, in<std::int32_t>({2}, {3, 2})}).find("must be a constant"),
            std::string::npos);
}

TEST(RuntimeTranspose, PermutesDimensions) {
  // out[a][b][c] = t[b][c][a] = 12 b + 4 c + a for t = 0..23 as 2x3x4.
  const Result r = run_op(OpType::kTranspose, {in<std::int32_t>({2, 3, 4}, iota32(24)), i32({2, 0, 1})});
  EXPECT_EQ(r.shape(), (Shape{4, 2, 3}));
  EXPECT_EQ(r.values<std::int32_t>(), (std::vector<std::int32_t>{0, 4, 8, 12, 16, 20, 1, 5, 9, 13, 17, 21,
                                                                  2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23}));
  EXPECT_NE(op_error(OpType::kTranspose, NoOptions{}, {in({2, 2}, {1, 2, 3, 4}), i32({0, 0})})
                .find("perm [0,0] is not a permutation of 0..1"),
            std::string::npos);
}

TEST(RuntimeSqueezeAndExpandDims, Shapes) {
  SqueezeOptions all;
  EXPECT_EQ(run_op(OpType::kSqueeze, all, {in({1, 2, 1, 3}, std::vector<float>(6))}).shape(), (Shape{2, 3}));
  SqueezeOptions some;
  some.squeeze_dims = {-2};
  EXPECT_EQ(run_op(OpType::kSqueeze, some, {in({1, 2, 1, 3}, std::vector<float>(6))}).shape(), (Shape{1, 2, 3}));
  some.squeeze_dims = {1};
  EXPECT_NE(op_error(OpType::kSqueeze, some, {in({1, 2, 1, 3}, std::vector<float>(6))}).find("has size 2"),
            std::string::npos);
  EXPECT_EQ(run_op(OpType::kExpandDims, {in({2, 3}, std::vector<float>(6)), i32_scalar(-1)}).shape(),
            (Shape{2, 3, 1}));
  EXPECT_EQ(run_op(OpType::kExpandDims, {in({2, 3}, std::vector<float>(6)), i64({0})}).shape(), (Shape{1, 2, 3}));
  EXPECT_NE(op_error(OpType::kExpandDims, NoOptions{}, {in({2, 3}, std::vector<float>(6)), i32_scalar(3)})
                .find("axis 3 is out of range for rank 3"),
            std::string::npos);
}

TEST(RuntimeConcatenation, NegativeAxisAndInt64) {
  ConcatenationOptions o;
  o.axis = -1;
  const Result r = run_op(OpType::kConcatenation, o, {in({2, 1}, {1, 2}), constant({2, 2}, {3, 4, 5, 6})});
  EXPECT_EQ(r.shape(), (Shape{2, 3}));
  expect_close(r.floats(), {1, 3, 4, 2, 5, 6});
  o.axis = 0;
  const Result s = run_op(OpType::kConcatenation, o, {i64({1, 2}), i64({3})});
  EXPECT_EQ(s.values<std::int64_t>(), (std::vector<std::int64_t>{1, 2, 3}));
}

TEST(RuntimeConcatenation, Errors) {
  ConcatenationOptions o;
  o.axis = 1;
  EXPECT_NE(op_error(OpType::kConcatenation, o, {in({2, 1}, {1, 2}), in({3, 1}, {1, 2, 3})})
                .find("input 1 ('in1') has shape 3x1, which does not concatenate with 2x1 along axis 1"),
            std::string::npos);
  o.activation = Activation::kRelu;
  EXPECT_NE(op_error(OpType::kConcatenation, o, {in({2, 1}, {1, 2}), in({2, 1}, {1, 2})})
                .find("fused activation RELU is not supported"),
            std::string::npos);
}

TEST(RuntimePack, StacksAlongANewAxis) {
  PackOptions o;
  o.values_count = 3;
  o.axis = -1;
  const Result r = run_op(OpType::kPack, o, {in({2}, {1, 2}), in({2}, {3, 4}), constant({2}, {5, 6})});
  EXPECT_EQ(r.shape(), (Shape{2, 3}));
  expect_close(r.floats(), {1, 3, 5, 2, 4, 6});
  o.axis = 0;
  const Result s = run_op(OpType::kPack, o, {i32_scalar(7), i32_scalar(8), i32_scalar(9)});
  EXPECT_EQ(s.shape(), (Shape{3}));
  EXPECT_EQ(s.values<std::int32_t>(), (std::vector<std::int32_t>{7, 8, 9}));
}

TEST(RuntimeSplit, AxisIsInputZero) {
  SplitOptions o;
  o.num_splits = 2;
  const Result r = run_op(OpType::kSplit, o, {i32_scalar(1), in({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8})}, 2);
  EXPECT_EQ(r.shape(0), (Shape{2, 2}));
  expect_close(r.floats(0), {1, 2, 5, 6});
  expect_close(r.floats(1), {3, 4, 7, 8});
  o.num_splits = 3;
  EXPECT_NE(op_error(OpType::kSplit, o, {i32_scalar(1), in({2, 4}, std::vector<float>(8))}, 3)
                .find("does not split evenly into 3"),
            std::string::npos);
}

TEST(RuntimeSplitV, SizesWithMinusOne) {
  SplitOptions o;
  o.num_splits = 2;
  const Result r = run_op(OpType::kSplitV, o, {in({3, 2}, {1, 2, 3, 4, 5, 6}), i32({1, -1}), i32_scalar(-2)}, 2);
  EXPECT_EQ(r.shape(0), (Shape{1, 2}));
  EXPECT_EQ(r.shape(1), (Shape{2, 2}));
  expect_close(r.floats(1), {3, 4, 5, 6});
  EXPECT_NE(op_error(OpType::kSplitV, o, {in({3, 2}, std::vector<float>(6)), i32({1, 1}), i32_scalar(0)}, 2)
                .find("do not add up to dimension 0 of size 3"),
            std::string::npos);
}

TEST(RuntimeSlice, SizeMinusOneRunsToTheEnd) {
  const Result r = run_op(OpType::kSlice, {in<std::int32_t>({3, 4}, iota32(12)), i32({1, 1}), i64({-1, 2})});
  EXPECT_EQ(r.shape(), (Shape{2, 2}));
  EXPECT_EQ(r.values<std::int32_t>(), (std::vector<std::int32_t>{5, 6, 9, 10}));
  EXPECT_NE(op_error(OpType::kSlice, NoOptions{}, {in({3, 4}, std::vector<float>(12)), i32({2, 0}), i32({2, 1})})
                .find("outside dimension 0 of size 3"),
            std::string::npos);
}

// ---- STRIDED_SLICE on t = 0..59 as 3x4x5.
std::vector<float> t60() {
  std::vector<float> v(60);
  std::iota(v.begin(), v.end(), 0.0F);
  return v;
}

Result strided(std::vector<std::int32_t> begin, std::vector<std::int32_t> end, std::vector<std::int32_t> strides,
               int begin_mask, int end_mask, int ellipsis_mask = 0, int new_axis_mask = 0, int shrink_mask = 0) {
  StridedSliceOptions o;
  o.begin_mask = begin_mask;
  o.end_mask = end_mask;
  o.ellipsis_mask = ellipsis_mask;
  o.new_axis_mask = new_axis_mask;
  o.shrink_axis_mask = shrink_mask;
  return run_op(OpType::kStridedSlice, o, {in({3, 4, 5}, t60()), i32(begin), i32(end), i32(strides)});
}

TEST(RuntimeStridedSlice, BeginAndEndMasks) {  // t[1:-1, ::2]
  const Result r = strided({1, 0}, {-1, 0}, {1, 2}, 0b10, 0b10);
  EXPECT_EQ(r.shape(), (Shape{1, 2, 5}));
  expect_close(r.floats(), {20.0F, 21.0F, 22.0F, 23.0F, 24.0F, 30.0F, 31.0F, 32.0F, 33.0F, 34.0F});
}

TEST(RuntimeStridedSlice, NegativeStrides) {  // t[::-1, 3:0:-2]
  const Result r = strided({0, 3}, {0, 0}, {-1, -2}, 0b01, 0b01);
  EXPECT_EQ(r.shape(), (Shape{3, 2, 5}));
  expect_close(r.floats(), {55.0F, 56.0F, 57.0F, 58.0F, 59.0F, 45.0F, 46.0F, 47.0F, 48.0F, 49.0F, 35.0F, 36.0F, 37.0F, 38.0F,
    39.0F, 25.0F, 26.0F, 27.0F, 28.0F, 29.0F, 15.0F, 16.0F, 17.0F, 18.0F, 19.0F, 5.0F, 6.0F, 7.0F,
    8.0F, 9.0F});
}

TEST(RuntimeStridedSlice, ShrinkAxes) {  // t[1, :, 2]
  const Result r = strided({1, 0, 2}, {2, 0, 3}, {1, 1, 1}, 0b010, 0b010, 0, 0, 0b101);
  EXPECT_EQ(r.shape(), (Shape{4}));
  expect_close(r.floats(), {22.0F, 27.0F, 32.0F, 37.0F});
}

TEST(RuntimeStridedSlice, Ellipsis) {  // t[..., 1:4:2]
  const Result r = strided({0, 1}, {0, 4}, {1, 2}, 0, 0, 0b01);
  EXPECT_EQ(r.shape(), (Shape{3, 4, 2}));
  expect_close(r.floats(), {1.0F, 3.0F, 6.0F, 8.0F, 11.0F, 13.0F, 16.0F, 18.0F, 21.0F, 23.0F, 26.0F, 28.0F, 31.0F, 33.0F,
    36.0F, 38.0F, 41.0F, 43.0F, 46.0F, 48.0F, 51.0F, 53.0F, 56.0F, 58.0F});
}

TEST(RuntimeStridedSlice, NewAxisAndShrink) {  // t[:, None, 1]
  const Result r = strided({0, 0, 1}, {0, 0, 2}, {1, 1, 1}, 0b001, 0b001, 0, 0b010, 0b100);
  EXPECT_EQ(r.shape(), (Shape{3, 1, 5}));
  expect_close(r.floats(), {5.0F, 6.0F, 7.0F, 8.0F, 9.0F, 25.0F, 26.0F, 27.0F, 28.0F, 29.0F, 45.0F, 46.0F, 47.0F, 48.0F,
    49.0F});
}

TEST(RuntimeStridedSlice, OutOfRangeBoundsClamp) {  // t[-10:10, -1:, -7:-3]
  const Result r = strided({-10, -1, -7}, {10, 0, -3}, {1, 1, 1}, 0, 0b010);
  EXPECT_EQ(r.shape(), (Shape{3, 1, 2}));
  expect_close(r.floats(), {15.0F, 16.0F, 35.0F, 36.0F, 55.0F, 56.0F});
}

TEST(RuntimeStridedSlice, EllipsisInTheMiddleWithNegativeStrides) {  // t[2:0:-1, ..., ::-3]
  const Result r = strided({2, 0, 0}, {0, 0, 0}, {-1, 1, -3}, 0b100, 0b100, 0b010);
  EXPECT_EQ(r.shape(), (Shape{2, 4, 2}));
  expect_close(r.floats(), {44.0F, 41.0F, 49.0F, 46.0F, 54.0F, 51.0F, 59.0F, 56.0F, 24.0F, 21.0F, 29.0F, 26.0F, 34.0F, 31.0F,
    39.0F, 36.0F});
}

TEST(RuntimeStridedSlice, Int64DataAndErrors) {
  StridedSliceOptions o;
  const Result r = run_op(OpType::kStridedSlice, o, {i64({10, 20, 30, 40}), i32({1}), i32({3}), i32({1})});
  EXPECT_EQ(r.values<std::int64_t>(), (std::vector<std::int64_t>{20, 30}));
  EXPECT_NE(op_error(OpType::kStridedSlice, o, {i64({10, 20}), i32({0}), i32({2}), i32({0})}).find("stride of dimension 0 is 0"),
            std::string::npos);
  o.shrink_axis_mask = 1;
  EXPECT_NE(op_error(OpType::kStridedSlice, o, {i64({10, 20}), i32({5}), i32({6}), i32({1})})
                .find("index 5 of shrunk dimension 0 is outside its size 2"),
            std::string::npos);
}

TEST(RuntimeGather, AxesIndicesAndBatchDims) {
  const std::vector<float> p = {1, 2, 3, 4, 5, 6};  // 3x2
  expect_close(run_op(OpType::kGather, GatherOptions{}, {in({3, 2}, p), i32({2, 0})}).floats(), {5, 6, 1, 2});
  GatherOptions axis1;
  axis1.axis = -1;
  const Result r = run_op(OpType::kGather, axis1, {in({3, 2}, p), constant<std::int64_t>({2, 2}, {1, 0, 1, 1})});
  EXPECT_EQ(r.shape(), (Shape{3, 2, 2}));
  expect_close(r.floats(), {2, 1, 2, 2, 4, 3, 4, 4, 6, 5, 6, 6});
  GatherOptions batched;
  batched.axis = 1;
  batched.batch_dims = 1;
  const Result b = run_op(OpType::kGather, batched, {in({2, 3}, p), constant<std::int32_t>({2, 2}, {2, 0, 1, 1})});
  EXPECT_EQ(b.shape(), (Shape{2, 2}));
  expect_close(b.floats(), {3, 1, 5, 5});
  EXPECT_NE(op_error(OpType::kGather, GatherOptions{}, {in({3, 2}, p), i32({3})}).find("index 3 is outside [0, 3)"),
            std::string::npos);
}

TEST(RuntimePad, ZerosAroundAnInt32Tensor) {
  const Result r = run_op(OpType::kPad, {in<std::int32_t>({2, 3}, {1, 2, 3, 4, 5, 6}),
                                         constant<std::int32_t>({2, 2}, {1, 0, 2, 1})});
  EXPECT_EQ(r.shape(), (Shape{3, 6}));
  EXPECT_EQ(r.values<std::int32_t>(),
            (std::vector<std::int32_t>{0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0, 4, 5, 6, 0}));
}

TEST(RuntimePad, PadV2ValueAndQuantizedZeroPoint) {
  const Result r = run_op(OpType::kPadV2, {in({1, 2}, {1, 2}), constant<std::int64_t>({2, 2}, {0, 1, 1, 0}),
                                           constant({}, {-1.0F})});
  EXPECT_EQ(r.shape(), (Shape{2, 3}));
  expect_close(r.floats(), {-1, 1, 2, -1, -1, -1});
  // PAD on a quantized tensor fills with the zero point (0.0 in real terms).
  QuantParams q;
  q.scale = {0.5F};
  q.zero_point = {-3};
  Arg quantized = in<std::int8_t>({2}, {5, 6});
  quantized.quant = q;  // int8 PAD keeps the input's quantization
  const Result p = run_op(OpType::kPad, NoOptions{}, {quantized, constant<std::int32_t>({1, 2}, {1, 1})}, 1,
                          {OutDecl{DType::kInt8, q}});
  EXPECT_EQ(p.values<std::int8_t>(), (std::vector<std::int8_t>{-3, 5, 6, -3}));
  EXPECT_NE(op_error(OpType::kPad, NoOptions{}, {in({2}, {1, 2}), constant<std::int32_t>({1, 2}, {-1, 0})})
                .find("must be >= 0"),
            std::string::npos);
  EXPECT_NE(op_error(OpType::kPad, NoOptions{}, {in({2}, {1, 2}), constant<std::int32_t>({2}, {1, 0})})
                .find("paddings must have shape 1x2"),
            std::string::npos);
}

TEST(RuntimeTile, RepeatsEachDimension) {
  const Result r = run_op(OpType::kTile, {in({2, 3}, {1, 2, 3, 4, 5, 6}), i32({2, 1})});
  EXPECT_EQ(r.shape(), (Shape{4, 3}));
  expect_close(r.floats(), {1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6});
  const Result s = run_op(OpType::kTile, {in<std::int64_t>({2, 3}, {1, 2, 3, 4, 5, 6}), i64({1, 2})});
  EXPECT_EQ(s.values<std::int64_t>(), (std::vector<std::int64_t>{1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6}));
}

Result cast(const Arg& x, DType to) {
  CastOptions o;
  o.output_type = to;
  return run_op(OpType::kCast, o, {x});
}

TEST(RuntimeCast, FloatToIntegersTruncatesAndSaturates) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const auto x = in({6}, {-1.7F, 2.9F, 1e10F, -1e10F, nan, -0.5F});
  EXPECT_EQ(cast(x, DType::kInt32).values<std::int32_t>(),
            (std::vector<std::int32_t>{-1, 2, std::numeric_limits<std::int32_t>::max(),
                                       std::numeric_limits<std::int32_t>::min(), 0, 0}));
  EXPECT_EQ(cast(in({3}, {300.0F, -5.0F, 7.9F}), DType::kUint8).values<std::uint8_t>(),
            (std::vector<std::uint8_t>{255, 0, 7}));
  const auto b = cast(in({3}, {0.0F, -0.5F, 2.0F}), DType::kBool).values<std::uint8_t>();
  EXPECT_EQ(b, (std::vector<std::uint8_t>{0, 1, 1}));
}

TEST(RuntimeCast, IntegersBoolAndFloat16) {
  expect_close(cast(in<std::int32_t>({2}, {-3, 16777217}), DType::kFloat32).floats(), {-3.0F, 16777216.0F});
  EXPECT_EQ(cast(in<std::int64_t>({2}, {(std::int64_t{1} << 32) + 5, -1}), DType::kInt32).values<std::int32_t>(),
            (std::vector<std::int32_t>{5, -1}));
  EXPECT_EQ(cast(make_arg<std::uint8_t>({2}, {0, 1}, false, DType::kBool), DType::kInt64).values<std::int64_t>(),
            (std::vector<std::int64_t>{0, 1}));
  // 1/3 to float16 is 0x3555 = 0.333251953125 (round to nearest).
  const Result h = cast(in({2}, {1.0F / 3.0F, 65504.0F}), DType::kFloat16);
  EXPECT_EQ(h.values<std::uint16_t>(), (std::vector<std::uint16_t>{0x3555, 0x7BFF}));
  const Result back = cast(make_arg<std::uint16_t>({1}, {0x3555}, false, DType::kFloat16), DType::kFloat32);
  EXPECT_EQ(back.floats()[0], 0.333251953125F);
}

}  // namespace
}  // namespace octet::test
