// The int8 fast ADD, SUB, MUL, MAXIMUM and MINIMUM (look-up tables built from
// the reference's arithmetic) against the reference kernels: every pair of
// int8 values under several scale configurations (MUL inside and outside
// XNNPACK's range, fused activations, zero points at the int8 limits), and
// the broadcasts the kernel covers; other broadcasts stay on the reference.

#include "fast_int8_test_util.h"

namespace octet::test {
namespace {

constexpr std::int64_t kPairs = 256 * 256;

struct ScaleCase {
  float s1, s2, s_out;
  std::int64_t zp1, zp2, zp_out;
  Activation activation;
};

// Scales as real models have them and at the extremes (MUL 2^-17 is below
// XNNPACK's range, so the reference's builtin rounding is under test there).
constexpr std::array<ScaleCase, 6> kScaleCases = {{
    {0.05F, 0.03F, 0.06F, -128, 127, 0, Activation::kNone},
    {0.02F, 0.02F, 0.02F, 0, 0, -128, Activation::kRelu},
    {0.1F, 0.0125F, 0.07F, 5, -3, 126, Activation::kRelu6},
    {0.5F, 0.25F, 0.125F, -1, 1, 2, Activation::kNone},
    {0x1.0p-9F, 0x1.0p-9F, 2.0F, 10, -10, -5, Activation::kNone},
    {0.03F, 0.04F, 0.05F, 127, -128, 127, Activation::kReluN1To1},
}};

// Inputs a, b of length 2^16 that together hold every int8 pair.
std::pair<std::vector<std::int8_t>, std::vector<std::int8_t>> all_pairs() {
  std::vector<std::int8_t> a(kPairs), b(kPairs);
  for (std::int64_t i = 0; i < kPairs; ++i) {
    a[static_cast<std::size_t>(i)] = static_cast<std::int8_t>(i / 256 - 128);
    b[static_cast<std::size_t>(i)] = static_cast<std::int8_t>(i % 256 - 128);
  }
  return {a, b};
}

OpOptions options_of(OpType type, Activation activation) {
  if (type == OpType::kMaximum || type == OpType::kMinimum) return default_options(type);
  return BinaryOptions{.activation = activation};
}

TEST(FastBinaryInt8, EveryPairEqualsReference) {
  const auto [a, b] = all_pairs();
  for (const OpType type : {OpType::kAdd, OpType::kSub, OpType::kMul}) {
    for (const ScaleCase& s : kScaleCases) {
      const DiffResult r = run_differential(
          type, options_of(type, s.activation),
          {q_in({1, 256, 256, 1}, a, qp({s.s1}, {s.zp1})), q_in({1, 256, 256, 1}, b, qp({s.s2}, {s.zp2}))},
          int8_out(s.s_out, s.zp_out), 1);
      const std::string what = fmt::format("{} scales {} {} {} zp {} {} {}", op_name(type), s.s1, s.s2, s.s_out, s.zp1,
                                           s.zp2, s.zp_out);
      EXPECT_EQ(r.fast_kernel, "fast") << what;
      EXPECT_TRUE(same_bytes(r)) << what;
    }
  }
  for (const OpType type : {OpType::kMaximum, OpType::kMinimum}) {
    const QuantParams q = qp({0.05F}, {3});
    const DiffResult r = run_differential(type, options_of(type, Activation::kNone),
                                          {q_in({kPairs}, a, q), q_in({kPairs}, b, q)}, int8_out(0.05F, 3), 2);
    EXPECT_EQ(r.fast_kernel, "fast") << op_name(type);
    EXPECT_TRUE(same_bytes(r)) << op_name(type);
  }
}

TEST(FastBinaryInt8, TrailingBroadcastsEqualReference) {
  // (first shape, second shape): per-channel, scalar, trailing rows, either side.
  const std::vector<std::pair<Shape, Shape>> shapes = {
      {{1, 7, 13, 17}, {1, 1, 1, 17}}, {{1, 1, 1, 24}, {1, 3, 16, 24}}, {{1, 13, 7, 31}, {31}},
      {{2, 3, 7, 3}, {}},              {{1}, {1, 16, 3, 1}},           {{1, 5, 17, 3}, {17, 3}},
  };
  const ScaleCase& s = kScaleCases[2];
  std::uint32_t seed = 41;
  for (const OpType type : {OpType::kAdd, OpType::kMul, OpType::kSub}) {
    for (const auto& [sa, sb] : shapes) {
      std::mt19937 rng(seed++);
      const DiffResult r = run_differential(type, options_of(type, s.activation),
                                            {q_in(sa, random_int8(size_of(sa), rng), qp({s.s1}, {s.zp1})),
                                             q_in(sb, random_int8(size_of(sb), rng), qp({s.s2}, {s.zp2}))},
                                            int8_out(s.s_out, s.zp_out), 1);
      const std::string what = fmt::format("{} {} {}", op_name(type), sa, sb);
      EXPECT_EQ(r.fast_kernel, "fast") << what;
      EXPECT_TRUE(same_bytes(r)) << what;
    }
  }
}

TEST(FastBinaryInt8, InnerBroadcastStaysOnReference) {
  // [1, 4, 1, 3] against [1, 4, 5, 3] repeats inside the output, not as a trailing block.
  std::mt19937 rng(9);
  const DiffResult r = run_differential(OpType::kAdd, BinaryOptions{},
                                        {q_in({1, 4, 5, 3}, random_int8(60, rng), qp({0.1F}, {0})),
                                         q_in({1, 4, 1, 3}, random_int8(12, rng), qp({0.2F}, {1}))},
                                        int8_out(0.2F, 0), 1);
  EXPECT_EQ(r.fast_kernel, "reference");
  EXPECT_TRUE(same_bytes(r));
}

}  // namespace
}  // namespace octet::test
