// TRANSPOSE (transpose.cpp) against the reference kernel: every permutation
// of ranks 1 to 4 and some of rank 5 and 6, odd and boundary extents and
// extent-1 dimensions (dropped and merged by the fast kernel), tiles with
// partial edges, element sizes of 1, 2, 4 and 8 bytes. A permutation copies
// values: the outputs must be equal byte for byte.

#include <numeric>

#include "fast_test_util.h"

namespace octet::test::fast {
namespace {

// Values 0, 1, 2, ... of `dtype` (every element distinct within its width).
Arg counting(DType dtype, const Shape& shape) {
  const auto n = static_cast<std::size_t>(element_count(shape));
  switch (dtype) {
    case DType::kInt8: {
      std::vector<std::int8_t> v(n);
      for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::int8_t>(i * 7 % 251);
      return in<std::int8_t>(shape, v);
    }
    case DType::kInt16: {
      std::vector<std::int16_t> v(n);
      for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::int16_t>(i);
      return in<std::int16_t>(shape, v);
    }
    case DType::kInt64: {
      std::vector<std::int64_t> v(n);
      std::iota(v.begin(), v.end(), std::int64_t{1} << 40);
      return in<std::int64_t>(shape, v);
    }
    default: {
      std::vector<float> v(n);
      for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<float>(i) + 0.25F;
      return in(shape, v);
    }
  }
}

void expect_transpose(const Shape& shape, const std::vector<std::int32_t>& perm, DType dtype) {
  const Arg p = constant<std::int32_t>({static_cast<std::int64_t>(perm.size())}, perm);
  expect_fast_matches_exactly(fmt::format("{} {} perm [{}]", dtype_name(dtype), shape_string(shape), fmt::join(perm, ",")),
                              OpType::kTranspose, NoOptions{}, {counting(dtype, shape), p}, {});
}

TEST(FastTranspose, EveryPermutationUpToRankFour) {
  constexpr DType kDtypes[] = {DType::kFloat32, DType::kInt8, DType::kInt16, DType::kInt64};
  int i = 0;
  for (std::size_t rank = 1; rank <= 4; ++rank) {
    std::vector<std::int32_t> perm(rank);
    std::iota(perm.begin(), perm.end(), 0);
    do {
      Shape shape;
      for (std::size_t d = 0; d < rank; ++d) {
        // Extents from the boundary list, with an extent-1 dimension in every third case.
        shape.push_back((i + static_cast<int>(d)) % 3 == 2 && rank > 1
                            ? 1
                            : kSizes[static_cast<std::size_t>(i * 3 + static_cast<int>(d) * 5) % std::size(kSizes)]);
      }
      expect_transpose(shape, perm, kDtypes[static_cast<std::size_t>(i) % std::size(kDtypes)]);
      ++i;
    } while (std::next_permutation(perm.begin(), perm.end()));
  }
}

TEST(FastTranspose, LayoutChangesAndHigherRanks) {
  // NHWC -> NCHW at a model's output and back; tiles with partial edges on both sides.
  expect_transpose({1, 7, 7, 2048}, {0, 3, 1, 2}, DType::kFloat32);
  expect_transpose({2, 17, 31, 24}, {0, 3, 1, 2}, DType::kInt8);
  expect_transpose({1, 24, 13, 17}, {0, 2, 3, 1}, DType::kFloat32);
  expect_transpose({3, 1, 16, 1, 17}, {4, 2, 0, 3, 1}, DType::kInt16);
  expect_transpose({2, 3, 5, 7, 2, 3}, {5, 0, 4, 1, 3, 2}, DType::kFloat32);
  expect_transpose({1, 1, 1}, {2, 0, 1}, DType::kInt64);  // one element
}

}  // namespace
}  // namespace octet::test::fast
