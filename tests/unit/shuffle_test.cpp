#include "util/shuffle.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

namespace octet {
namespace {

std::vector<int> iota_vector(int n) {
  std::vector<int> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

TEST(Shuffle, EngineIsTheStandardMt19937_64) {
  // The C++ standard fixes this value ([rand.predef]): the shuffle rests on it.
  std::mt19937_64 engine;
  engine.discard(9999);
  EXPECT_EQ(engine(), 9981545732273789042ULL);
}

TEST(Shuffle, SameSeedSamePermutation) {
  auto a = iota_vector(100);
  auto b = iota_vector(100);
  deterministic_shuffle(a, 42);
  deterministic_shuffle(b, 42);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, iota_vector(100));
}

TEST(Shuffle, IsAPermutation) {
  auto a = iota_vector(1000);
  deterministic_shuffle(a, 7);
  std::sort(a.begin(), a.end());
  EXPECT_EQ(a, iota_vector(1000));
}

TEST(Shuffle, DifferentSeedsDiffer) {
  auto a = iota_vector(50);
  auto b = iota_vector(50);
  deterministic_shuffle(a, 1);
  deterministic_shuffle(b, 2);
  EXPECT_NE(a, b);
}

TEST(Shuffle, TinyInputsAreUntouched) {
  std::vector<int> empty;
  deterministic_shuffle(empty, 3);
  EXPECT_TRUE(empty.empty());
  std::vector<int> one{5};
  deterministic_shuffle(one, 3);
  EXPECT_EQ(one, std::vector<int>{5});
}

TEST(Shuffle, EveryPositionIsEquallyLikely) {
  // Element 0 of a 3-element list lands in each slot about 1/3 of the time.
  constexpr int kTrials = 30000;
  std::array<int, 3> where{};
  for (int seed = 0; seed < kTrials; ++seed) {
    auto v = iota_vector(3);
    deterministic_shuffle(v, static_cast<std::uint64_t>(seed));
    where[static_cast<std::size_t>(std::find(v.begin(), v.end(), 0) - v.begin())]++;
  }
  for (const int count : where) EXPECT_NEAR(count, kTrials / 3, kTrials / 30);
}

TEST(Shuffle, UniformBelowStaysInRange) {
  std::mt19937_64 engine(9);
  for (std::uint64_t bound : {1ULL, 2ULL, 3ULL, 1000ULL, (1ULL << 63) + 5}) {
    for (int i = 0; i < 100; ++i) EXPECT_LT(uniform_below(engine, bound), bound);
  }
}

}  // namespace
}  // namespace octet
