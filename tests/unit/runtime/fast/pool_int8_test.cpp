// The int8 fast MAX_POOL_2D (XNNPACK s8) and MEAN over {1, 2} (XNNPACK qs8
// global average pooling) against the reference kernels: byte equality over
// odd and boundary shapes, windows, strides, padding, fused activations and
// zero points, on 1 and 2 threads; MEAN scales outside XNNPACK's range stay on
// the reference.

#include "fast_int8_test_util.h"

namespace octet::test {
namespace {

constexpr std::array<std::int64_t, 8> kSizes = {1, 3, 7, 13, 16, 17, 24, 31};
constexpr std::array<Activation, 3> kActivations = {Activation::kNone, Activation::kRelu, Activation::kRelu6};
constexpr std::array<std::int64_t, 5> kZeroPoints = {-128, 0, 127, 5, -3};

TEST(FastPoolInt8, MaxPoolEqualsReferenceExactly) {
  constexpr std::array<int, 4> kFilters = {2, 3, 1, 5};
  constexpr std::array<int, 3> kStrides = {1, 2, 3};
  std::uint32_t seed = 21;
  for (std::size_t i = 0; i < 3 * kSizes.size(); ++i) {
    const std::int64_t c = kSizes[i % kSizes.size()];
    const std::int64_t h = kSizes[(i * 5 + 2) % kSizes.size()];
    const std::int64_t w = kSizes[(i * 7 + 3) % kSizes.size()];
    Pool2DOptions o;
    o.filter_h = kFilters[i % kFilters.size()];
    o.filter_w = kFilters[(i / 2 + 1) % kFilters.size()];
    if (o.filter_h * o.filter_w == 1) o.filter_w = 2;  // 1x1 windows stay on the reference (below)
    o.stride_h = kStrides[i % kStrides.size()];
    o.stride_w = kStrides[(i / 3) % kStrides.size()];
    o.stride_h = std::min(o.stride_h, o.filter_h);  // larger strides stay on the reference (below)
    o.stride_w = std::min(o.stride_w, o.filter_w);
    o.padding = i % 2 == 0 || h < o.filter_h || w < o.filter_w ? Padding::kSame : Padding::kValid;
    o.activation = kActivations[i % kActivations.size()];
    const float scale = 0.05F;
    const std::int64_t zp = kZeroPoints[i % kZeroPoints.size()];
    std::mt19937 rng(seed++);
    const Shape shape = {1 + static_cast<std::int64_t>(i % 2), h, w, c};
    for (const int threads : {1, 2}) {
      const DiffResult r = run_differential(OpType::kMaxPool2D, o,
                                            {q_in(shape, random_int8(size_of(shape), rng), qp({scale}, {zp}))},
                                            int8_out(scale, zp), threads);
      const std::string what = fmt::format("{}x{}x{} f{}x{} s{}x{} zp {} threads {}", h, w, c, o.filter_h, o.filter_w,
                                           o.stride_h, o.stride_w, zp, threads);
      EXPECT_TRUE(fast_or_one_value(r)) << what;
      EXPECT_TRUE(same_bytes(r)) << what;
    }
  }
}

TEST(FastPoolInt8, MaxPoolXnnpackRefusesStaysOnReference) {
  std::mt19937 rng(2);
  const Shape shape = {1, 4, 4, 3};
  Pool2DOptions o;
  o.stride_h = o.stride_w = 2;
  const DiffResult r = run_differential(OpType::kMaxPool2D, o,
                                        {q_in(shape, random_int8(size_of(shape), rng), qp({0.1F}, {0}))},
                                        int8_out(0.1F, 0), 1);
  EXPECT_EQ(r.fast_kernel, "reference");  // a 1x1 window
  EXPECT_TRUE(same_bytes(r));
  o.filter_h = o.filter_w = 2;
  o.stride_w = 3;
  const DiffResult wide = run_differential(OpType::kMaxPool2D, o,
                                           {q_in(shape, random_int8(size_of(shape), rng), qp({0.1F}, {0}))},
                                           int8_out(0.1F, 0), 1);
  EXPECT_EQ(wide.fast_kernel, "reference");  // a stride larger than the window
  EXPECT_TRUE(same_bytes(wide));
}

DiffResult run_mean(const Shape& shape, float in_scale, std::int64_t in_zp, float out_scale, std::int64_t out_zp,
                    int threads, std::uint32_t seed, const std::vector<std::int32_t>& axes = {1, 2}) {
  std::mt19937 rng(seed);
  return run_differential(OpType::kMean, ReducerOptions{.keep_dims = true},
                          {q_in(shape, random_int8(size_of(shape), rng), qp({in_scale}, {in_zp})), i32(axes)},
                          int8_out(out_scale, out_zp), threads);
}

TEST(FastPoolInt8, MeanEqualsReferenceExactly) {
  // Output scales from a quarter to four times the input's (the tie-prone
  // power-of-two ratios among them), spatial sizes across the boundaries of
  // XNNPACK's 7-row passes.
  constexpr std::array<float, 6> kRatios = {1.0F, 0.25F, 4.0F, 0.37F, 1.9F, 0.5F};
  std::uint32_t seed = 31;
  for (std::size_t i = 0; i < 2 * kSizes.size(); ++i) {
    const std::int64_t c = kSizes[i % kSizes.size()];
    const std::int64_t h = kSizes[(i * 5 + 2) % kSizes.size()];
    const std::int64_t w = kSizes[(i * 3 + 1) % kSizes.size()];
    const Shape shape = {1 + static_cast<std::int64_t>(i % 2), h, w, c};
    const float in_scale = 0.02F;
    const float out_scale = in_scale * kRatios[i % kRatios.size()];
    const std::int64_t in_zp = kZeroPoints[i % kZeroPoints.size()];
    const std::int64_t out_zp = kZeroPoints[(i + 1) % kZeroPoints.size()];
    for (const int threads : {1, 2}) {
      const DiffResult r = run_mean(shape, in_scale, in_zp, out_scale, out_zp, threads, seed);
      const std::string what = fmt::format("{}x{}x{}x{} ratio {} zp {}/{} threads {}", shape[0], h, w, c,
                                           kRatios[i % kRatios.size()], in_zp, out_zp, threads);
      EXPECT_TRUE(fast_or_one_value(r)) << what;
      EXPECT_TRUE(same_bytes(r)) << what;
    }
    ++seed;
  }
}

TEST(FastPoolInt8, MeanOverNegativeAxesStaysOnReference) {
  // TFLite's delegate reads the axes as written: [-3, -2] goes to the builtin Mean, whose rounding differs.
  const DiffResult r = run_mean({1, 5, 6, 7}, 0.02F, 3, 0.019F, -2, 1, 9, {-3, -2});
  EXPECT_EQ(r.fast_kernel, "reference");
  EXPECT_TRUE(same_bytes(r));
}

TEST(FastPoolInt8, MeanOutsideXnnpackRangeStaysOnReference) {
  // s_in / s_out = 2^8 is outside XNNPACK's [2^-8, 2^8): TFLite's builtin Mean.
  const DiffResult r = run_mean({1, 3, 3, 4}, 1.0F, 0, 1.0F / 256.0F, 0, 1, 4);
  EXPECT_EQ(r.fast_kernel, "reference");
  EXPECT_TRUE(same_bytes(r));
}

}  // namespace
}  // namespace octet::test
