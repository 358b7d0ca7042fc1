// The int8 element-wise fast kernels against the reference kernels, byte for
// byte: the 256-entry unary table kernel (every activation with an int8
// reference, QUANTIZE int8 -> int8/uint8) and the AVX2 ADD/SUB/MUL kernel
// (every pair of int8 values under extreme scale ratios and every fused
// activation, channel and scalar broadcasts with odd channel counts, 1 and 2
// threads, tensors large enough to be split over the pool). The byte look-up
// itself is also checked against its scalar loop on odd lengths.

#include "fast_int8_test_util.h"
#include "runtime/fast/binary_simd_int8.h"
#include "runtime/fast/byte_lookup.h"
#include "runtime/fast/parallel_chunks.h"

namespace octet::test {
namespace {

constexpr std::int64_t kPairs = 256 * 256;
// More than kElementwiseParallelMin (parallel_chunks.h) with a ragged end.
constexpr std::int64_t kLarge = 3 * 16 * 1024 + 13;
constexpr std::array<std::int64_t, 8> kOddSizes = {1, 3, 7, 13, 16, 17, 24, 31};

// Every int8 value, repeated to `count` entries.
std::vector<std::int8_t> cycle_values(std::int64_t count) {
  std::vector<std::int8_t> v(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) v[static_cast<std::size_t>(i)] = static_cast<std::int8_t>(i % 256 - 128);
  return v;
}

struct UnaryCase {
  OpType type;
  OpOptions options;
  QuantParams in;
  OutDecl out;
};

std::vector<UnaryCase> unary_cases() {
  return {
      {OpType::kLogistic, NoOptions{}, qp({0.1F}, {-3}), int8_out(1.0F / 256, -128)},
      {OpType::kLogistic, NoOptions{}, qp({0.02F}, {127}), int8_out(1.0F / 256, -128)},
      {OpType::kTanh, NoOptions{}, qp({0.05F}, {10}), int8_out(1.0F / 128, 0)},
      {OpType::kHardSwish, NoOptions{}, qp({0.04F}, {-20}), int8_out(0.03F, -100)},
      {OpType::kLeakyRelu, LeakyReluOptions{.alpha = 0.1F}, qp({0.05F}, {5}), int8_out(0.04F, -10)},
      {OpType::kLeakyRelu, LeakyReluOptions{.alpha = 0.0F}, qp({0.05F}, {5}), int8_out(0.05F, 5)},
      {OpType::kRelu, NoOptions{}, qp({0.1F}, {-128}), int8_out(0.05F, -128)},
      {OpType::kRelu6, NoOptions{}, qp({0.06F}, {0}), int8_out(6.0F / 255, -128)},
      {OpType::kReluN1To1, NoOptions{}, qp({0.01F}, {3}), int8_out(2.0F / 255, 0)},
      {OpType::kQuantize, NoOptions{}, qp({0.05F}, {-7}), int8_out(0.03F, 4)},
      {OpType::kQuantize, NoOptions{}, qp({0.05F}, {-7}), int8_out(0.05F * 512, 4)},  // outside XNNPACK's convert
      {OpType::kQuantize, NoOptions{}, qp({0.05F}, {-7}), OutDecl{DType::kUint8, qp({0.04F}, {128})}},
  };
}

TEST(FastUnaryTableInt8, EveryValueEqualsReference) {
  for (const UnaryCase& u : unary_cases()) {
    for (const std::int64_t count : {std::int64_t{256}, kLarge}) {
      for (const int threads : {1, 2}) {
        const DiffResult r = run_differential(u.type, u.options, {q_in({1, count}, cycle_values(count), u.in)}, u.out,
                                              threads);
        const std::string what = fmt::format("{} count {} threads {}", op_name(u.type), count, threads);
        EXPECT_EQ(r.fast_kernel, "fast") << what;
        EXPECT_TRUE(same_bytes(r)) << what;
      }
    }
  }
}

TEST(FastUnaryTableInt8, OddSizesEqualReference) {
  const UnaryCase u = unary_cases()[0];
  std::mt19937 rng(3);
  for (const std::int64_t c : kOddSizes) {
    const Shape shape{1, 3, c};
    const DiffResult r =
        run_differential(u.type, u.options, {q_in(shape, random_int8(size_of(shape), rng), u.in)}, u.out, 1);
    EXPECT_EQ(r.fast_kernel, "fast") << c;
    EXPECT_TRUE(same_bytes(r)) << c;
  }
}

TEST(FastUnaryTableInt8, VectorLookupEqualsScalarLoop) {
  fast::ByteTable table{};
  std::mt19937 rng(5);
  for (std::uint8_t& t : table) t = static_cast<std::uint8_t>(rng());
  for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{63}, std::size_t{64}, std::size_t{65},
                              std::size_t{256}, std::size_t{1000}}) {
    std::vector<std::uint8_t> in(n), fast_out(n), scalar_out(n);
    for (std::size_t i = 0; i < n; ++i) in[i] = static_cast<std::uint8_t>(i * 7 + 3);
    fast::best_byte_lookup()(table, in.data(), fast_out.data(), n);
    fast::byte_lookup_scalar(table, in.data(), scalar_out.data(), n);
    EXPECT_EQ(fast_out, scalar_out) << n;
  }
}

struct ScaleCase {
  float s1, s2, s_out;
  std::int64_t zp1, zp2, zp_out;
  Activation activation;
};

// Extreme ratios: inputs 1000x apart, an output scale far below the inputs'
// (ADD's output multiplier shifts left and saturates), far above them, ADD/SUB
// ratios at and beyond the ends of XNNPACK's [2^-10, 2^8) (its 20-bit
// multipliers inside, the builtin rule outside), MUL below and above XNNPACK's
// [2^-16, 2^8) (the builtin rescale rule), and each fused activation with zero
// points at the int8 limits.
constexpr std::array<ScaleCase, 10> kScaleCases = {{
    {0.05F, 0.00005F, 0.05F, -128, 127, 0, Activation::kNone},
    {0.001F, 0.002F, 1e-9F, 3, -3, 0, Activation::kNone},
    {0.5F, 0.7F, 300.0F, 0, 0, 0, Activation::kNone},
    {0x1.0p-9F, 0x1.0p-9F, 2.0F, 10, -10, -5, Activation::kNone},
    {4.0F, 8.0F, 0.05F, 1, 2, -3, Activation::kNone},
    {0.02F, 0.03F, 0.04F, -128, -128, -128, Activation::kRelu},
    {0.1F, 0.0125F, 0.07F, 5, -3, 126, Activation::kRelu6},
    {0.03F, 0.04F, 0.01F, 127, -128, 127, Activation::kReluN1To1},
    {0.03F, 0.03F, 0.03F, 0, 0, 0, Activation::kRelu6},
    {1.0F, 0.5F, 0x1.0p-8F, 0, -1, 0, Activation::kNone},
}};

std::pair<std::vector<std::int8_t>, std::vector<std::int8_t>> all_pairs() {
  std::vector<std::int8_t> a(kPairs), b(kPairs);
  for (std::int64_t i = 0; i < kPairs; ++i) {
    a[static_cast<std::size_t>(i)] = static_cast<std::int8_t>(i / 256 - 128);
    b[static_cast<std::size_t>(i)] = static_cast<std::int8_t>(i % 256 - 128);
  }
  return {a, b};
}

TEST(FastSimdBinaryInt8, EveryPairEqualsReference) {
  const auto [a, b] = all_pairs();
  for (const OpType type : {OpType::kAdd, OpType::kSub, OpType::kMul}) {
    for (const ScaleCase& s : kScaleCases) {
      for (const int threads : {1, 2}) {
        const DiffResult r = run_differential(
            type, BinaryOptions{.activation = s.activation},
            {q_in({1, 256, 256, 1}, a, qp({s.s1}, {s.zp1})), q_in({1, 256, 256, 1}, b, qp({s.s2}, {s.zp2}))},
            int8_out(s.s_out, s.zp_out), threads);
        const std::string what = fmt::format("{} scales {} {} {} zp {} {} {} threads {}", op_name(type), s.s1, s.s2,
                                             s.s_out, s.zp1, s.zp2, s.zp_out, threads);
        EXPECT_EQ(r.fast_kernel, "fast") << what;
        EXPECT_TRUE(same_bytes(r)) << what;
        // The AVX2 arithmetic itself (not the look-up table kernel behind it) gives the reference's bytes.
        if (threads == 1 && __builtin_cpu_supports("avx2")) {
          std::vector<std::int8_t> out(a.size());
          ASSERT_TRUE(fast::simd_binary_int8(type, s.activation, qp({s.s1}, {s.zp1}), qp({s.s2}, {s.zp2}),
                                             qp({s.s_out}, {s.zp_out}), a, b, out))
              << what;
          EXPECT_EQ(out, r.reference) << what;
        }
      }
    }
  }
}

TEST(FastSimdBinaryInt8, BroadcastsEqualReference) {
  std::vector<std::pair<Shape, Shape>> shapes;
  for (const std::int64_t c : kOddSizes) {
    shapes.push_back({{1, 5, 3, c}, {1, 1, 1, c}});  // SE channel scale
    shapes.push_back({{1, 1, 1, c}, {1, 5, 3, c}});
    shapes.push_back({{1, 5, 3, c}, {}});            // scalar
    shapes.push_back({{1, 5, 3, c}, {1, 5, 3, c}});  // same shape
  }
  shapes.push_back({{1, 40, 40, 24}, {1, 1, 1, 24}});  // > kElementwiseParallelMin: split over threads
  shapes.push_back({{1, 40, 40, 24}, {1, 40, 40, 24}});
  shapes.push_back({{1, 5, 17, 3}, {17, 3}});
  std::uint32_t seed = 11;
  for (const OpType type : {OpType::kAdd, OpType::kSub, OpType::kMul}) {
    for (const std::size_t scale_case : {std::size_t{6}, std::size_t{3}}) {
      const ScaleCase& s = kScaleCases[scale_case];
      for (const auto& [sa, sb] : shapes) {
        // Two threads only change anything above kElementwiseParallelMin; small shapes run once, on one.
        const bool splits = size_of(sa) + size_of(sb) > fast::kElementwiseParallelMin;
        for (const int threads : splits ? std::vector<int>{1, 2} : std::vector<int>{1}) {
          std::mt19937 rng(seed++);
          const DiffResult r = run_differential(type, BinaryOptions{.activation = s.activation},
                                                {q_in(sa, random_int8(size_of(sa), rng), qp({s.s1}, {s.zp1})),
                                                 q_in(sb, random_int8(size_of(sb), rng), qp({s.s2}, {s.zp2}))},
                                                int8_out(s.s_out, s.zp_out), threads);
          const std::string what = fmt::format("{} {} {} threads {}", op_name(type), sa, sb, threads);
          EXPECT_EQ(r.fast_kernel, "fast") << what;
          EXPECT_TRUE(same_bytes(r)) << what;
        }
      }
    }
  }
}

}  // namespace
}  // namespace octet::test
