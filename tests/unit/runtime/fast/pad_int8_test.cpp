// The int8 fast PAD and PADV2 (row copies) against the reference kernel:
// byte equality over odd and boundary shapes and paddings of every axis,
// zero points at the int8 limits, ranks 1 to 4.

#include "fast_int8_test_util.h"

namespace octet::test {
namespace {

constexpr std::array<std::int64_t, 8> kSizes = {1, 3, 7, 13, 16, 17, 24, 31};
constexpr std::array<std::int64_t, 4> kZeroPoints = {-128, 0, 127, -3};

TEST(FastPadInt8, PadEqualsReferenceExactly) {
  std::uint32_t seed = 51;
  for (std::size_t i = 0; i < 2 * kSizes.size(); ++i) {
    const std::size_t rank = 1 + i % 4;
    Shape shape;
    std::vector<std::int32_t> paddings;
    for (std::size_t d = 0; d < rank; ++d) {
      shape.push_back(kSizes[(i + 3 * d) % kSizes.size()]);
      paddings.push_back(static_cast<std::int32_t>((i + d) % 3));
      paddings.push_back(static_cast<std::int32_t>((i * 2 + d) % 4));
    }
    const std::int64_t zp = kZeroPoints[i % kZeroPoints.size()];
    std::mt19937 rng(seed++);
    const QuantParams q = qp({0.05F}, {zp});
    const Arg pads = constant<std::int32_t>({static_cast<std::int64_t>(rank), 2}, paddings);
    const std::string what = fmt::format("{} pads {}", shape, paddings);
    const DiffResult r = run_differential(OpType::kPad, default_options(OpType::kPad),
                                          {q_in(shape, random_int8(size_of(shape), rng), q), pads},
                                          int8_out(0.05F, zp), 1);
    EXPECT_EQ(r.fast_kernel, "fast") << what;
    EXPECT_TRUE(same_bytes(r)) << what;
    const DiffResult v2 = run_differential(OpType::kPadV2, default_options(OpType::kPadV2),
                                           {q_in(shape, random_int8(size_of(shape), rng), q), pads,
                                            q_const({1}, {static_cast<std::int8_t>(zp / 2 + 1)}, q)},
                                           int8_out(0.05F, zp), 1);
    EXPECT_EQ(v2.fast_kernel, "fast") << what;
    EXPECT_TRUE(same_bytes(v2)) << what;
  }
}

}  // namespace
}  // namespace octet::test
