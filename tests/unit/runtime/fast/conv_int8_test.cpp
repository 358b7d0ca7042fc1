// The int8 fast CONV_2D and DEPTHWISE_CONV_2D against the reference kernels:
// byte equality over odd and boundary shapes, strides, dilations, padding,
// groups, depth multipliers, fused activations and zero points at the int8
// limits, on 1 and 2 threads. Two fast paths: the baseline (XNNPACK qc8/qs8;
// configurations where the reference does not follow XNNPACK's fp32 rule stay
// on the reference) and, on CPUs with AVX512-VNNI, octet's own VNNI
// convolution (vnni_conv_int8.cpp), which must take every CONV_2D with one
// group, whatever its requantization rule.

#include <cmath>
#include <numeric>

#include "fast_int8_test_util.h"
#include "runtime/fast/vnni_gemm_int8.h"

namespace octet::test {
namespace {

constexpr std::array<std::int64_t, 8> kSizes = {1, 3, 7, 13, 16, 17, 24, 31};
constexpr std::array<Activation, 4> kActivations = {Activation::kNone, Activation::kRelu, Activation::kRelu6,
                                                    Activation::kReluN1To1};
constexpr std::array<std::int64_t, 6> kZeroPoints = {-128, 0, 127, 5, -3, 126};
// Typical magnitude of (input - zero point) * weight for uniform int8 values.
constexpr float kProductSpread = 74.0F * 73.0F;
// Typical magnitude of the requantized accumulator, in output steps.
constexpr float kTargetSteps = 40.0F;
// Power-of-two scales for the tie cases: s = 2^-k makes exact halves common.
constexpr float kTieInputScale = 0x1.0p-4F;
constexpr float kTieWeightScale = 0x1.0p-5F;
constexpr int kTieBaseShift = 7;

struct ConvCase {
  bool depthwise = false;
  std::int64_t h = 1, w = 1, in_c = 1, out_c = 1, kh = 1, kw = 1;
  int stride = 1, dilation = 1, multiplier = 1;
  std::int64_t groups = 1;
  Padding padding = Padding::kSame;
  Activation activation = Activation::kNone;
  std::int64_t in_zp = 0, out_zp = 0;
  bool per_channel = true, bias = true, ties = false;
  bool extreme_weights = false;  // every weight -127 or 127 (largest sums: any saturation would show)
};

std::string describe(const ConvCase& c) {
  return fmt::format("{} {}x{}x{} -> {} k{}x{} s{} d{} g{} m{} {} act{} zp {}/{} {} bias{} ties{}",
                     c.depthwise ? "dw" : "conv", c.h, c.w, c.in_c, c.out_c, c.kh, c.kw, c.stride, c.dilation,
                     c.groups, c.multiplier, c.padding == Padding::kSame ? "SAME" : "VALID",
                     static_cast<int>(c.activation), c.in_zp, c.out_zp, c.per_channel ? "qc8" : "qs8", c.bias, c.ties);
}

std::vector<std::int8_t> extreme_int8(std::size_t count, std::mt19937& rng) {
  std::vector<std::int8_t> v = random_int8(count, rng, 0, 1);
  for (auto& x : v) x = static_cast<std::int8_t>(x == 0 ? -127 : 127);
  return v;
}

DiffResult run_case(const ConvCase& c, int threads, std::uint32_t seed, KernelSet fast = KernelSet::kFastBaseline) {
  std::mt19937 rng(seed);
  const Shape in_shape = {1, c.h, c.w, c.in_c};
  const Shape f_shape = c.depthwise ? Shape{1, c.kh, c.kw, c.out_c} : Shape{c.out_c, c.kh, c.kw, c.in_c / c.groups};
  const std::int64_t taps = c.kh * c.kw * (c.depthwise ? 1 : c.in_c / c.groups);
  const std::size_t weight_scales = c.per_channel ? static_cast<std::size_t>(c.out_c) : 1;
  float in_scale = 0.0F;
  std::vector<float> w_scales;
  float out_scale = 0.0F;
  if (c.ties) {
    in_scale = kTieInputScale;
    w_scales.assign(weight_scales, kTieWeightScale);
    const int shift = kTieBaseShift + static_cast<int>(std::lround(std::log2(std::sqrt(static_cast<float>(taps)))));
    out_scale = std::ldexp(in_scale * kTieWeightScale, shift);
  } else {
    in_scale = random_scales(1, rng, 0.005F, 0.05F)[0];
    w_scales = random_scales(weight_scales, rng, 0.002F, 0.02F);
    const float mean_w = std::accumulate(w_scales.begin(), w_scales.end(), 0.0F) / static_cast<float>(w_scales.size());
    out_scale = in_scale * mean_w * kProductSpread * std::sqrt(static_cast<float>(taps)) / kTargetSteps;
  }
  const int axis = c.depthwise ? 3 : 0;
  std::vector<Arg> args = {
      q_in(in_shape, random_int8(size_of(in_shape), rng), qp({in_scale}, {c.in_zp})),
      q_const(f_shape, c.extreme_weights ? extreme_int8(size_of(f_shape), rng) : random_int8(size_of(f_shape), rng, -127, 127),
              qp(w_scales, std::vector<std::int64_t>(weight_scales, 0), axis)),
  };
  if (c.bias) {
    std::vector<float> b_scales;
    for (const float s : w_scales) b_scales.push_back(in_scale * s);
    const int spread = static_cast<int>(kProductSpread * std::sqrt(static_cast<float>(taps)));
    args.push_back(q_bias(random_int32(static_cast<std::size_t>(c.out_c), rng, -spread, spread),
                          qp(b_scales, std::vector<std::int64_t>(b_scales.size(), 0))));
  }
  OpOptions options;
  if (c.depthwise) {
    options = DepthwiseConv2DOptions{.padding = c.padding, .stride_h = c.stride, .stride_w = c.stride,
                                     .dilation_h = c.dilation, .dilation_w = c.dilation,
                                     .depth_multiplier = c.multiplier, .activation = c.activation};
  } else {
    options = Conv2DOptions{.padding = c.padding, .stride_h = c.stride, .stride_w = c.stride,
                            .dilation_h = c.dilation, .dilation_w = c.dilation, .activation = c.activation};
  }
  return run_differential(c.depthwise ? OpType::kDepthwiseConv2D : OpType::kConv2D, options, args,
                          int8_out(out_scale, c.out_zp), threads, fast);
}

// Cases that walk every size, kernel, stride, dilation, padding, activation
// and zero point in turn (one of each per case, so the list stays short).
std::vector<ConvCase> cases(bool depthwise) {
  constexpr std::array<std::int64_t, 4> kKernels = {3, 1, 5, 2};
  constexpr std::array<int, 3> kStrides = {1, 2, 3};
  constexpr std::array<int, 3> kDilations = {1, 1, 2};
  constexpr std::array<int, 3> kMultipliers = {1, 2, 3};
  constexpr std::size_t kCount = 48;
  std::vector<ConvCase> out;
  for (std::size_t i = 0; i < kCount; ++i) {
    ConvCase c;
    c.depthwise = depthwise;
    c.in_c = kSizes[i % kSizes.size()];
    c.h = kSizes[(i * 5 + 2) % kSizes.size()];
    c.w = kSizes[(i * 7 + 3) % kSizes.size()];
    c.kh = kKernels[i % kKernels.size()];
    c.kw = kKernels[(i / 2) % kKernels.size()];
    c.stride = kStrides[i % kStrides.size()];
    c.dilation = kDilations[(i / 3) % kDilations.size()];
    c.padding = i % 2 == 0 ? Padding::kSame : Padding::kValid;
    if ((c.h - 1) < (c.kh - 1) * c.dilation || (c.w - 1) < (c.kw - 1) * c.dilation) c.padding = Padding::kSame;
    c.activation = kActivations[(i / 2) % kActivations.size()];
    c.in_zp = kZeroPoints[i % kZeroPoints.size()];
    c.out_zp = kZeroPoints[(i / 2 + 1) % kZeroPoints.size()];
    c.per_channel = i % 3 != 0;
    c.bias = i % 4 != 3;
    c.ties = i % 5 == 4;
    if (depthwise) {
      c.multiplier = kMultipliers[(i / 4) % kMultipliers.size()];
      c.out_c = c.in_c * c.multiplier;
    } else {
      c.out_c = kSizes[(i * 3 + 1) % kSizes.size()];
      const std::int64_t common = std::gcd(c.in_c, c.out_c);
      c.groups = i % 6 == 5 && common > 1 ? common : 1;
    }
    out.push_back(c);
  }
  return out;
}

void expect_all_exact(bool depthwise) {
  std::uint32_t seed = 1;
  for (const ConvCase& c : cases(depthwise)) {
    for (const int threads : {1, 2}) {
      const DiffResult r = run_case(c, threads, seed, KernelSet::kFastBaseline);
      EXPECT_TRUE(fast_or_one_value(r)) << describe(c);
      EXPECT_TRUE(same_bytes(r)) << describe(c) << " threads " << threads;
    }
    ++seed;
  }
}

TEST(FastConvInt8, ConvEqualsReferenceExactly) { expect_all_exact(false); }

TEST(FastConvInt8, DepthwiseEqualsReferenceExactly) { expect_all_exact(true); }

DiffResult batch_of_two(KernelSet fast) {
  std::mt19937 rng(7);
  const Shape in_shape = {2, 9, 11, 5};
  const Shape f_shape = {6, 3, 3, 5};
  const std::vector<float> w_scales = random_scales(6, rng, 0.002F, 0.02F);
  return run_differential(
      OpType::kConv2D, Conv2DOptions{.padding = Padding::kSame, .stride_h = 2, .stride_w = 1},
      {q_in(in_shape, random_int8(size_of(in_shape), rng), qp({0.02F}, {-7})),
       q_const(f_shape, random_int8(size_of(f_shape), rng, -127, 127), qp(w_scales, std::vector<std::int64_t>(6, 0)))},
      int8_out(0.3F, 3), 2, fast);
}

TEST(FastConvInt8, BatchOfTwoEqualsReference) {
  // Batches go through XNNPACK's batch dimension (cases above are batch 1).
  const DiffResult r = batch_of_two(KernelSet::kFastBaseline);
  EXPECT_EQ(r.fast_kernel, "fast");
  EXPECT_TRUE(same_bytes(r));
}

TEST(FastConvInt8, PerTensorWeightsWithPerChannelBiasStayOnReference) {
  // TFLite runs this in its builtin kernels (single / double rounding), so octet's reference does too.
  for (const bool depthwise : {false, true}) {
    ConvCase c;
    c.depthwise = depthwise;
    c.h = c.w = 7;
    c.in_c = 3;
    c.out_c = depthwise ? 3 : 4;
    c.kh = c.kw = 3;
    c.per_channel = false;
    std::mt19937 rng(3);
    const Shape in_shape = {1, 7, 7, 3};
    const Shape f_shape = depthwise ? Shape{1, 3, 3, 3} : Shape{4, 3, 3, 3};
    std::vector<float> b_scales(static_cast<std::size_t>(c.out_c), 0.01F * 0.005F);
    b_scales[0] *= 1.001F;  // distinct scales: a per-channel bias
    const std::vector<Arg> args = {
        q_in(in_shape, random_int8(size_of(in_shape), rng), qp({0.01F}, {0})),
        q_const(f_shape, random_int8(size_of(f_shape), rng, -127, 127), qp({0.005F}, {0})),
        q_bias(random_int32(static_cast<std::size_t>(c.out_c), rng, -100, 100),
               qp(b_scales, std::vector<std::int64_t>(b_scales.size(), 0))),
    };
    const OpOptions options = depthwise ? OpOptions{DepthwiseConv2DOptions{}} : OpOptions{Conv2DOptions{}};
    const DiffResult r = run_differential(depthwise ? OpType::kDepthwiseConv2D : OpType::kConv2D, options, args,
                                          int8_out(0.05F, 0), 1, KernelSet::kFastBaseline);
    EXPECT_EQ(r.fast_kernel, "reference") << describe(c);
    EXPECT_TRUE(same_bytes(r));
  }
}

TEST(FastConvInt8, ScaleAtXnnpackLimitStaysOnReference) {
  // s_in * s_w / s_out >= 256: XNNPACK refuses it, TFLite and octet use the builtin rounding.
  std::mt19937 rng(5);
  const Shape in_shape = {1, 3, 3, 2};
  const Shape f_shape = {2, 1, 1, 2};
  const DiffResult r = run_differential(
      OpType::kConv2D, Conv2DOptions{},
      {q_in(in_shape, random_int8(size_of(in_shape), rng, -2, 2), qp({1.0F}, {0})),
       q_const(f_shape, random_int8(size_of(f_shape), rng, -1, 1), qp({1.0F, 0.5F}, {0, 0}))},
      int8_out(1.0F / 512.0F, 0), 1, KernelSet::kFastBaseline);
  EXPECT_EQ(r.fast_kernel, "reference");
  EXPECT_TRUE(same_bytes(r));
}

// ---- octet's VNNI convolution (kFast on a CPU with AVX512-VNNI)

#define SKIP_WITHOUT_VNNI()                                                                              \
  do {                                                                                                   \
    if (!fast::vnni::cpu_supported()) {                                                                  \
      GTEST_SKIP() << "this CPU has no AVX512-VNNI: the baseline tests above cover the fast convolution"; \
    }                                                                                                    \
  } while (false)

// The cases above plus wider channel counts (whole and partial 64-channel
// blocks), 1x1 depths that are not a multiple of 4, large kernels with stride
// 2, extreme weights, and the single- and double-rounding rules.
std::vector<ConvCase> vnni_cases() {
  std::vector<ConvCase> out = cases(false);
  const auto add = [&](ConvCase c) { out.push_back(c); };
  ConvCase c;
  c.h = 9, c.w = 7, c.in_c = 64, c.out_c = 130, c.kh = c.kw = 1;
  add(c);
  c.in_c = 13, c.out_c = 64, c.kh = c.kw = 1, c.in_zp = -128, c.out_zp = 127, c.activation = Activation::kRelu;
  add(c);
  c = ConvCase{};
  c.h = 17, c.w = 16, c.in_c = 3, c.out_c = 24, c.kh = c.kw = 7, c.stride = 2, c.in_zp = 127;
  add(c);
  c = ConvCase{};
  c.h = 13, c.w = 13, c.in_c = 31, c.out_c = 17, c.kh = c.kw = 3, c.dilation = 2, c.padding = Padding::kValid;
  add(c);
  // Few pixels, more channel blocks than 2 threads' tasks: one pixel chunk split by blocks only (im2col.cpp).
  c = ConvCase{};
  c.h = 7, c.w = 7, c.in_c = 64, c.out_c = 520, c.kh = c.kw = 3;
  add(c);
  for (const std::int64_t zp : {-128, 127}) {
    c = ConvCase{};
    c.h = 6, c.w = 5, c.in_c = 96, c.out_c = 70, c.kh = c.kw = 3, c.in_zp = zp, c.extreme_weights = true;
    c.activation = Activation::kRelu6;
    add(c);
  }
  return out;
}

TEST(FastConvInt8Vnni, ConvEqualsReferenceExactly) {
  SKIP_WITHOUT_VNNI();
  std::uint32_t seed = 100;
  for (const ConvCase& c : vnni_cases()) {
    for (const int threads : {1, 2}) {
      const DiffResult r = run_case(c, threads, seed, KernelSet::kFast);
      if (c.groups == 1) {
        EXPECT_EQ(r.fast_name, "vnni") << describe(c);
      }
      EXPECT_TRUE(same_bytes(r)) << describe(c) << " threads " << threads;
    }
    ++seed;
  }
}

TEST(FastConvInt8Vnni, BatchOfTwoEqualsReference) {
  SKIP_WITHOUT_VNNI();
  const DiffResult r = batch_of_two(KernelSet::kFast);
  EXPECT_EQ(r.fast_name, "vnni");
  EXPECT_TRUE(same_bytes(r));
}

TEST(FastConvInt8Vnni, BuiltinRoundingRulesEqualReferenceExactly) {
  SKIP_WITHOUT_VNNI();
  // Per-tensor weights with a per-channel bias (TFLite's builtin kernel: single rounding) and a scale XNNPACK
  // refuses (>= 2^8): the VNNI kernel runs them with the reference's own rule.
  std::mt19937 rng(3);
  const Shape in_shape = {1, 7, 7, 3};
  const Shape f_shape = {20, 3, 3, 3};
  std::vector<float> b_scales(20, 0.01F * 0.005F);
  b_scales[0] *= 1.001F;
  const std::vector<Arg> per_channel_bias = {
      q_in(in_shape, random_int8(size_of(in_shape), rng), qp({0.01F}, {4})),
      q_const(f_shape, random_int8(size_of(f_shape), rng, -127, 127), qp({0.005F}, {0})),
      q_bias(random_int32(20, rng, -100, 100), qp(b_scales, std::vector<std::int64_t>(b_scales.size(), 0))),
  };
  const DiffResult single = run_differential(OpType::kConv2D, Conv2DOptions{}, per_channel_bias, int8_out(0.05F, 0), 1);
  EXPECT_EQ(single.fast_name, "vnni");
  EXPECT_TRUE(same_bytes(single));
  const Shape small_in = {1, 3, 3, 2};
  const Shape small_f = {2, 1, 1, 2};
  const DiffResult large_scale = run_differential(
      OpType::kConv2D, Conv2DOptions{},
      {q_in(small_in, random_int8(size_of(small_in), rng, -2, 2), qp({1.0F}, {0})),
       q_const(small_f, random_int8(size_of(small_f), rng, -1, 1), qp({1.0F, 0.5F}, {0, 0}))},
      int8_out(1.0F / 512.0F, 0), 2);
  EXPECT_EQ(large_scale.fast_name, "vnni");
  EXPECT_TRUE(same_bytes(large_scale));
}

}  // namespace
}  // namespace octet::test
