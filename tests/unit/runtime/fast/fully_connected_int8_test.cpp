// The int8 fast FULLY_CONNECTED (XNNPACK qs8) against the reference kernel:
// byte equality over odd and boundary depths, unit counts and batch rows,
// fused activations and zero points at the int8 limits, on 1 and 2 threads;
// per-channel weights (ruy's single rounding in TFLite) stay on the reference.

#include <cmath>

#include "fast_int8_test_util.h"

namespace octet::test {
namespace {

constexpr std::array<std::int64_t, 8> kSizes = {1, 3, 7, 13, 16, 17, 24, 31};
constexpr std::array<Activation, 4> kActivations = {Activation::kNone, Activation::kRelu, Activation::kRelu6,
                                                    Activation::kReluN1To1};
constexpr std::array<std::int64_t, 6> kZeroPoints = {-128, 0, 127, 5, -3, 126};
constexpr float kProductSpread = 74.0F * 73.0F;  // typical |(q - zp) * w| for uniform int8
constexpr float kTargetSteps = 40.0F;            // typical requantized magnitude, in output steps
constexpr std::int64_t kWideDepth = 1280;        // mobilenet_v2's classifier depth

DiffResult run_fc(std::int64_t rows, std::int64_t depth, std::int64_t units, Activation activation,
                  std::int64_t in_zp, std::int64_t out_zp, bool bias, bool per_channel, int threads,
                  std::uint32_t seed) {
  std::mt19937 rng(seed);
  const float in_scale = random_scales(1, rng, 0.005F, 0.05F)[0];
  const std::size_t weight_scales = per_channel ? static_cast<std::size_t>(units) : 1;
  const std::vector<float> w_scales = random_scales(weight_scales, rng, 0.002F, 0.02F);
  const float out_scale = in_scale * w_scales[0] * kProductSpread * std::sqrt(static_cast<float>(depth)) / kTargetSteps;
  std::vector<Arg> args = {
      q_in({rows, depth}, random_int8(static_cast<std::size_t>(rows * depth), rng), qp({in_scale}, {in_zp})),
      q_const({units, depth}, random_int8(static_cast<std::size_t>(units * depth), rng, -127, 127),
              qp(w_scales, std::vector<std::int64_t>(weight_scales, 0))),
  };
  if (bias) {
    std::vector<float> b_scales;
    for (const float s : w_scales) b_scales.push_back(in_scale * s);
    const int spread = static_cast<int>(kProductSpread * std::sqrt(static_cast<float>(depth)));
    args.push_back(q_bias(random_int32(static_cast<std::size_t>(units), rng, -spread, spread),
                          qp(b_scales, std::vector<std::int64_t>(b_scales.size(), 0))));
  }
  return run_differential(OpType::kFullyConnected, FullyConnectedOptions{.activation = activation}, args,
                          int8_out(out_scale, out_zp), threads);
}

TEST(FastFullyConnectedInt8, EqualsReferenceExactly) {
  std::uint32_t seed = 11;
  for (std::size_t i = 0; i < 2 * kSizes.size(); ++i) {
    const std::int64_t depth = kSizes[i % kSizes.size()];
    const std::int64_t units = kSizes[(i * 3 + 2) % kSizes.size()];
    const std::int64_t rows = kSizes[(i * 5 + 1) % 4];
    const Activation act = kActivations[i % kActivations.size()];
    const std::int64_t in_zp = kZeroPoints[i % kZeroPoints.size()];
    const std::int64_t out_zp = kZeroPoints[(i + 2) % kZeroPoints.size()];
    for (const int threads : {1, 2}) {
      const DiffResult r = run_fc(rows, depth, units, act, in_zp, out_zp, i % 3 != 2, false, threads, seed);
      const std::string what = fmt::format("rows {} depth {} units {} act {} zp {}/{} threads {}", rows, depth, units,
                                           static_cast<int>(act), in_zp, out_zp, threads);
      EXPECT_TRUE(fast_or_one_value(r)) << what;
      EXPECT_TRUE(same_bytes(r)) << what;
    }
    ++seed;
  }
}

TEST(FastFullyConnectedInt8, ClassifierShapeEqualsReference) {
  for (const int threads : {1, 2}) {
    const DiffResult r = run_fc(1, kWideDepth, 1000, Activation::kNone, -128, 9, true, false, threads, 5);
    EXPECT_EQ(r.fast_kernel, "fast");
    EXPECT_TRUE(same_bytes(r));
  }
}

TEST(FastFullyConnectedInt8, PerChannelWeightsStayOnReference) {
  const DiffResult r = run_fc(2, 13, 7, Activation::kNone, 0, 0, true, true, 1, 3);
  EXPECT_EQ(r.fast_kernel, "reference");
  EXPECT_TRUE(same_bytes(r));
}

}  // namespace
}  // namespace octet::test
