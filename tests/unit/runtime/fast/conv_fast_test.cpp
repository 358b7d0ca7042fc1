// CONV_2D and DEPTHWISE_CONV_2D: the fast kernels (octet's AVX-512
// convolution, avx512_conv_f32.cpp, on CPUs with it; XNNPACK's, xnn_conv.cpp,
// in the baseline set and for groups) against the reference kernels over odd
// and boundary channel counts and image sizes, filter sizes, strides,
// dilations, SAME/VALID, groups, depth multipliers, every fused activation,
// with and without bias, at 1 and 2 threads.

#include "fast_test_util.h"
#include "runtime/fast/avx512_gemm_f32.h"

namespace octet::test::fast {
namespace {

constexpr int kFilterSizes[] = {1, 3, 5, 2};
constexpr int kStrides[] = {1, 2, 3};
constexpr int kDilations[] = {1, 2};
constexpr int kGroupCounts[] = {1, 2, 3};
constexpr int kDepthMultipliers[] = {1, 2, 3};
// Cases per test: enough that every value of every list above meets several others.
constexpr int kCases = 48;

template <typename T, std::size_t N>
T pick(const T (&values)[N], int i) {
  return values[static_cast<std::size_t>(i) % N];
}

struct Window {
  std::int64_t height, width;
  int filter, stride, dilation;
  Padding padding;
};

// Case i's image and window; VALID only where the dilated filter fits the image.
Window window_case(int i) {
  Window w{pick(kSizes, i * 5 + 2), pick(kSizes, i * 7 + 3), pick(kFilterSizes, i), pick(kStrides, i / 2),
           pick(kDilations, i / 3), i % 2 == 0 ? Padding::kSame : Padding::kValid};
  const std::int64_t extent = static_cast<std::int64_t>(w.filter - 1) * w.dilation + 1;
  if (extent > std::min(w.height, w.width)) w.padding = Padding::kSame;
  return w;
}

std::string label(int i, const Window& w, std::int64_t channels, Activation a, bool bias) {
  return fmt::format("case {}: {}x{}x{} filter {} stride {} dilation {} {} {} {}", i, w.height, w.width, channels,
                     w.filter, w.stride, w.dilation, w.padding == Padding::kSame ? "SAME" : "VALID",
                     activation_label(a), bias ? "bias" : "no bias");
}

TEST(FastConv2D, MatchesReference) {
  Random random;
  for (int i = 0; i < kCases; ++i) {
    const Window w = window_case(i);
    const std::int64_t groups = pick(kGroupCounts, i / 4);
    const std::int64_t group_in = pick(kSizes, i);
    const std::int64_t out = groups * pick(kSizes, i * 3 + 1);
    const Activation activation = pick(kActivations, i);
    const bool bias = i % 4 != 3;
    Conv2DOptions o;
    o.padding = w.padding;
    o.stride_h = o.stride_w = w.stride;
    o.dilation_h = o.dilation_w = w.dilation;
    o.activation = activation;
    Conv2DOptions linear = o;
    linear.activation = Activation::kNone;
    std::vector<Arg> args = {random_in(random, {1, w.height, w.width, groups * group_in}),
                             random_constant(random, {out, w.filter, w.filter, group_in})};
    if (bias) args.push_back(random_constant(random, {out}));
    const Expect expect = activation == Activation::kTanh ? Expect::kReference : Expect::kFast;
    expect_fast_matches(label(i, w, groups * group_in, activation, bias) + fmt::format(" groups {} out {}", groups, out),
                        OpType::kConv2D, o, linear, args, expect);
  }
}

TEST(FastConv2D, OneGroupRunsOnTheAvx512KernelWhereTheCpuHasIt) {
  if (!octet::fast::avx512::cpu_supported()) GTEST_SKIP() << "this CPU has no AVX-512F: XNNPACK's kernel runs";
  Random random;
  // A pointwise case (40 channels: a partial third vector), a padded 3x3 one with more than one channel
  // block (70 > 64), a strided 7x7 stem (33 channels: one lane in the third vector); up to 32 output
  // channels XNNPACK's kernel runs (avx512_conv_f32.cpp, kXnnpackMaxChannels).
  const std::vector<std::pair<Shape, Shape>> cases = {{{1, 9, 7, 13}, {40, 1, 1, 13}},
                                                      {{1, 6, 5, 17}, {70, 3, 3, 17}},
                                                      {{2, 17, 16, 3}, {33, 7, 7, 3}},
                                                      {{1, 9, 7, 13}, {32, 1, 1, 13}},
                                                      {{2, 17, 16, 3}, {8, 7, 7, 3}},
                                                      // Few pixels, many channel blocks: one pixel chunk split
                                                      // by blocks only at 2 threads (im2col.cpp).
                                                      {{1, 7, 7, 64}, {520, 3, 3, 64}},
                                                      {{1, 5, 6, 40}, {600, 1, 1, 40}}};
  for (const auto& [input, filter] : cases) {
    Conv2DOptions o;
    o.stride_h = o.stride_w = filter[1] == 7 ? 2 : 1;
    const test::fast::Run run = run_with(OpType::kConv2D, o, {random_in(random, input), random_constant(random, filter)},
                             KernelSet::kFast, 2);
    EXPECT_EQ(run.name, filter[0] > 32 ? "avx512" : "fast") << shape_string(input) << " * " << shape_string(filter);
    const test::fast::Run baseline = run_with(OpType::kConv2D, o, {random_in(random, input), random_constant(random, filter)},
                                  KernelSet::kFastBaseline, 2);
    EXPECT_EQ(baseline.name, "fast") << shape_string(input) << " * " << shape_string(filter);
    Conv2DOptions linear = o;
    expect_fast_matches(fmt::format("{} * {}", shape_string(input), shape_string(filter)), OpType::kConv2D, o, linear,
                        {random_in(random, input), random_constant(random, filter), random_constant(random, {filter[0]})});
  }
}

// Fewer than 16 input channels: the AVX-512 kernel copies the input into a
// padded buffer and reads each kernel row as one tap (avx512_conv_f32.cpp,
// merges_kernel_rows). Every padding side, strides that skip columns, VALID
// windows that leave input rows and columns unread, dilation along H (merged)
// and along W (not merged), batches, partial channel blocks.
TEST(FastConv2D, FewInputChannelsReadWholeKernelRowsFromAPaddedCopy) {
  if (!octet::fast::avx512::cpu_supported()) GTEST_SKIP() << "this CPU has no AVX-512F: XNNPACK's kernel runs";
  struct Case {
    Shape input, filter;
    int stride_h, stride_w, dilation_h, dilation_w;
    Padding padding;
    Activation activation;
  };
  const std::vector<Case> cases = {
      {{1, 23, 22, 3}, {64, 7, 7, 3}, 2, 2, 1, 1, Padding::kSame, Activation::kRelu},
      {{2, 13, 17, 1}, {40, 3, 3, 1}, 1, 1, 1, 1, Padding::kSame, Activation::kNone},
      {{1, 16, 13, 7}, {70, 5, 3, 7}, 3, 2, 1, 1, Padding::kValid, Activation::kRelu6},
      {{1, 17, 9, 13}, {33, 3, 2, 13}, 1, 3, 2, 1, Padding::kSame, Activation::kReluN1To1},
      {{2, 12, 31, 15}, {48, 2, 5, 15}, 2, 1, 2, 1, Padding::kValid, Activation::kNone},
      {{1, 11, 12, 5}, {40, 3, 3, 5}, 1, 1, 1, 2, Padding::kSame, Activation::kRelu},
  };
  Random random;
  for (const Case& c : cases) {
    Conv2DOptions o;
    o.padding = c.padding;
    o.stride_h = c.stride_h;
    o.stride_w = c.stride_w;
    o.dilation_h = c.dilation_h;
    o.dilation_w = c.dilation_w;
    o.activation = c.activation;
    Conv2DOptions linear = o;
    linear.activation = Activation::kNone;
    const std::vector<Arg> args = {random_in(random, c.input, -3.0F, 3.0F), random_constant(random, c.filter),
                                   random_constant(random, {c.filter[0]})};
    const std::string what = fmt::format("{} * {} stride {}x{} dilation {}x{} {} {}", shape_string(c.input),
                                         shape_string(c.filter), c.stride_h, c.stride_w, c.dilation_h, c.dilation_w,
                                         c.padding == Padding::kSame ? "SAME" : "VALID", activation_label(c.activation));
    EXPECT_EQ(run_with(OpType::kConv2D, o, args, KernelSet::kFast, 1).name, "avx512") << what;
    expect_fast_matches(what, OpType::kConv2D, o, linear, args);
  }
}

TEST(FastConv2D, RectangularWindowsAndBatches) {
  Random random;
  Conv2DOptions o;
  o.padding = Padding::kSame;
  o.stride_h = 2;
  o.stride_w = 1;
  o.dilation_h = 1;
  o.dilation_w = 2;
  o.activation = Activation::kRelu6;
  Conv2DOptions linear = o;
  linear.activation = Activation::kNone;
  expect_fast_matches("2x13x7x3, filter 3x2", OpType::kConv2D, o, linear,
                      {random_in(random, {2, 13, 7, 3}, -4.0F, 4.0F), random_constant(random, {5, 3, 2, 3}),
                       random_constant(random, {5})});
}

TEST(FastDepthwiseConv2D, MatchesReference) {
  Random random;
  for (int i = 0; i < kCases; ++i) {
    const Window w = window_case(i);
    const std::int64_t channels = pick(kSizes, i);
    const int multiplier = pick(kDepthMultipliers, i / 4);
    const Activation activation = pick(kActivations, i);
    const bool bias = i % 4 != 3;
    DepthwiseConv2DOptions o;
    o.padding = w.padding;
    o.stride_h = o.stride_w = w.stride;
    o.dilation_h = o.dilation_w = w.dilation;
    o.depth_multiplier = multiplier;
    o.activation = activation;
    DepthwiseConv2DOptions linear = o;
    linear.activation = Activation::kNone;
    std::vector<Arg> args = {random_in(random, {1, w.height, w.width, channels}),
                             random_constant(random, {1, w.filter, w.filter, channels * multiplier})};
    if (bias) args.push_back(random_constant(random, {channels * multiplier}));
    const Expect expect = activation == Activation::kTanh ? Expect::kReference : Expect::kFast;
    expect_fast_matches(label(i, w, channels, activation, bias) + fmt::format(" multiplier {}", multiplier),
                        OpType::kDepthwiseConv2D, o, linear, args, expect);
  }
}

TEST(FastConv2D, NonConstantFilterStaysOnReference) {
  Random random;
  Conv2DOptions o;
  expect_fast_matches("filter as a graph input", OpType::kConv2D, o, o,
                      {random_in(random, {1, 5, 5, 3}), random_in(random, {4, 3, 3, 3})}, Expect::kReference);
}

}  // namespace
}  // namespace octet::test::fast
