// CONCATENATION (copy_concat.cpp) and PAD / PADV2 (xnn_pad.cpp) against the
// reference kernels: every axis, odd and boundary sizes, several inputs,
// int32 as well as float32, at 1 and 2 threads. Both copy values: exact.

#include "fast_test_util.h"

namespace octet::test::fast {
namespace {

TEST(FastConcatenation, MatchesReference) {
  Random random;
  int i = 0;
  for (int axis = -4; axis < 4; ++axis) {
    for (const std::int64_t size : {std::int64_t{1}, std::int64_t{7}, std::int64_t{17}}) {
      std::vector<Arg> args;
      const int count = 1 + i % 4;
      for (int k = 0; k < count; ++k) {
        Shape shape = {2, 3, 5, 4};
        shape[static_cast<std::size_t>((axis + 4) % 4)] = kSizes[static_cast<std::size_t>(i + k) % std::size(kSizes)];
        shape[static_cast<std::size_t>((axis + 5) % 4)] = size;
        args.push_back(k == 1 ? random_constant(random, shape) : random_in(random, shape));
      }
      ConcatenationOptions o;
      o.axis = axis;
      expect_fast_matches(fmt::format("axis {} inputs {} size {}", axis, count, size), OpType::kConcatenation, o,
                          args);
      ++i;
    }
  }
}

TEST(FastConcatenation, Int32) {
  ConcatenationOptions o;
  o.axis = 0;
  // int32 copies as well (the result is compared as bytes).
  expect_fast_matches_exactly("int32", OpType::kConcatenation, o,
                              {in<std::int32_t>({2}, {1, -2}), in<std::int32_t>({3}, {3, 4, 5})}, {});
}

TEST(FastPad, MatchesReference) {
  Random random;
  int i = 0;
  for (const std::int64_t size : kSizes) {
    const std::int32_t before = i % 3;
    const std::int32_t after = (i + 1) % 4;
    const Shape shape = {1 + i % 2, size, kSizes[static_cast<std::size_t>(i + 3) % std::size(kSizes)], 3};
    const std::vector<std::int32_t> paddings = {0, i % 2, before, after, after, before, 0, i % 3};
    const Arg p = constant<std::int32_t>({4, 2}, paddings);
    expect_fast_matches(fmt::format("PAD {} [{}]", shape_string(shape), fmt::join(paddings, ",")), OpType::kPad,
                        NoOptions{}, {random_in(random, shape), p});
    expect_fast_matches(fmt::format("PADV2 {} [{}]", shape_string(shape), fmt::join(paddings, ",")), OpType::kPadV2,
                        NoOptions{}, {random_in(random, shape), p, constant({}, {-2.5F})});
    ++i;
  }
  expect_fast_matches_exactly("PAD int32", OpType::kPad, NoOptions{},
                              {in<std::int32_t>({3}, {1, 2, 3}), constant<std::int32_t>({1, 2}, {2, 1})}, {});
}

}  // namespace
}  // namespace octet::test::fast
