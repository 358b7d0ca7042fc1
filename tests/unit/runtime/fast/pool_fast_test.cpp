// AVERAGE_POOL_2D, MAX_POOL_2D and MEAN over {1, 2}: the XNNPACK kernels
// (xnn_pool.cpp) against the reference kernels over odd and boundary image
// sizes and channel counts, window sizes, strides, SAME/VALID and every fused
// activation, at 1 and 2 threads.

#include "fast_test_util.h"

namespace octet::test::fast {
namespace {

constexpr int kWindows[] = {2, 3, 5, 1};
constexpr int kStrides[] = {1, 2, 3};
constexpr int kCases = 40;

template <typename T, std::size_t N>
T pick(const T (&values)[N], int i) {
  return values[static_cast<std::size_t>(i) % N];
}

void check_pools(OpType type) {
  Random random;
  for (int i = 0; i < kCases; ++i) {
    const std::int64_t height = pick(kSizes, i * 5 + 2);
    const std::int64_t width = pick(kSizes, i * 3 + 5);
    const std::int64_t channels = pick(kSizes, i);
    Pool2DOptions o;
    o.filter_h = pick(kWindows, i);
    o.filter_w = pick(kWindows, i / 4 + 1);
    o.stride_h = pick(kStrides, i / 2);
    o.stride_w = pick(kStrides, i / 3);
    o.padding = i % 2 == 0 ? Padding::kSame : Padding::kValid;
    if (o.filter_h > height || o.filter_w > width) o.padding = Padding::kSame;
    o.activation = pick(kActivations, i);
    Pool2DOptions linear = o;
    linear.activation = Activation::kNone;
    // A 1x1 window is a copy XNNPACK has no pooling for; TANH is no clamp.
    const bool fast = o.filter_h * o.filter_w > 1 && o.activation != Activation::kTanh;
    expect_fast_matches(fmt::format("case {}: {}x{}x{} window {}x{} stride {}x{} {} {}", i, height, width, channels,
                                    o.filter_h, o.filter_w, o.stride_h, o.stride_w,
                                    o.padding == Padding::kSame ? "SAME" : "VALID", activation_label(o.activation)),
                        type, o, linear, {random_in(random, {1 + i % 2, height, width, channels}, -4.0F, 4.0F)},
                        fast ? Expect::kFast : Expect::kReference);
  }
}

TEST(FastAveragePool2D, MatchesReference) { check_pools(OpType::kAveragePool2D); }

TEST(FastMaxPool2D, MatchesReference) { check_pools(OpType::kMaxPool2D); }

TEST(FastMean, ImageAxesMatchReference) {
  Random random;
  int i = 0;
  for (const std::int64_t channels : kSizes) {
    const std::int64_t size = kSizes[static_cast<std::size_t>(i * 3 + 1) % std::size(kSizes)];
    ReducerOptions o;
    o.keep_dims = i % 2 == 0;
    const std::vector<std::int32_t> axes = i % 3 == 0 ? std::vector<std::int32_t>{2, 1} : std::vector<std::int32_t>{-3, -2};
    expect_fast_matches(fmt::format("{}x{}x{} keep_dims {}", size, size + 2, channels, o.keep_dims), OpType::kMean, o,
                        o, {random_in(random, {1 + i % 2, size, size + 2, channels}), i32(axes)});
    ++i;
  }
}

TEST(FastMean, OtherAxesStayOnReference) {
  Random random;
  ReducerOptions o;
  expect_fast_matches("axes {1}", OpType::kMean, o, o, {random_in(random, {1, 3, 4, 5}), i32({1})},
                      Expect::kReference);
  expect_fast_matches("axes {1, 2, 3}", OpType::kMean, o, o, {random_in(random, {1, 3, 4, 5}), i32({1, 2, 3})},
                      Expect::kReference);
  expect_fast_matches("rank 3", OpType::kMean, o, o, {random_in(random, {3, 4, 5}), i32({1, 2})},
                      Expect::kReference);
}

}  // namespace
}  // namespace octet::test::fast
