// ActivationHistogram: bin placement, exact zeros and non-finite values, and
// growth that merges bins exactly (the histogram grown step by step equals the
// one whose range was right from the start).

#include "quant/histogram.h"

#include <gtest/gtest.h>

#include <limits>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "quant/range_selection.h"
#include "quant_test_util.h"

namespace octet::quant::test {
namespace {

using H = ActivationHistogram;

std::uint64_t sum(std::span<const std::uint64_t> counts) {
  return std::accumulate(counts.begin(), counts.end(), std::uint64_t{0});
}

TEST(ActivationHistogram, PlacesValuesInPowerOfTwoRanges) {
  H h;
  const std::vector<float> values{0.75F, 0.5F, -0.25F};
  h.add(values);
  // 0.75 sets the positive range to 1 (the smallest power of two above it): width 1/2048.
  EXPECT_EQ(h.range(H::kPositive), 1.0);
  EXPECT_EQ(h.bin_width(H::kPositive), 1.0 / 2048.0);
  EXPECT_EQ(h.counts(H::kPositive)[1536], 1U);  // 0.75 * 2048
  EXPECT_EQ(h.counts(H::kPositive)[1024], 1U);  // 0.5 * 2048
  // -0.25: |x| = 0.25 -> range 0.5 (2^-1 > 0.25), bin 0.25 / (0.5 / 2048) = 1024.
  EXPECT_EQ(h.range(H::kNegative), 0.5);
  EXPECT_EQ(h.counts(H::kNegative)[1024], 1U);
  EXPECT_EQ(h.min(), -0.25F);
  EXPECT_EQ(h.max(), 0.75F);
  EXPECT_EQ(h.finite_count(), 3U);
}

// Large batches take the vectorised path (chunks, zero slots); the result must
// equal binning every value directly at the final widths.
TEST(ActivationHistogram, BatchesEqualDirectBinning) {
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0F, 1.0F);
  std::vector<std::vector<float>> batches;
  for (const std::size_t size : {std::size_t{3001}, std::size_t{2050}, std::size_t{1024}, std::size_t{7}}) {
    std::vector<float> batch(size);
    for (std::size_t i = 0; i < size; ++i) {
      const float v = normal(rng) * (batches.empty() ? 1.0F : 0.5F);
      batch[i] = i % 3 == 0 ? 0.0F : v;  // runs of exact zeros, as after a ReLU
    }
    batches.push_back(std::move(batch));
  }
  batches[1][77] = 9.0F;  // grows the positive half in a later batch
  H h;
  for (const auto& batch : batches) h.add(batch);

  std::vector<std::uint64_t> expected_pos(H::kBins, 0), expected_neg(H::kBins, 0);
  std::uint64_t zeros = 0, total = 0;
  float lo = std::numeric_limits<float>::infinity(), hi = -lo;
  for (const auto& batch : batches) {
    for (const float x : batch) {
      ++total;
      lo = std::min(lo, x);
      hi = std::max(hi, x);
      zeros += x == 0.0F ? 1U : 0U;
      const H::Half half = x < 0.0F ? H::kNegative : H::kPositive;
      const auto bin = static_cast<std::size_t>(std::fabs(static_cast<double>(x)) / h.bin_width(half));
      (half == H::kNegative ? expected_neg : expected_pos)[std::min(bin, H::kBins - 1)] += 1;
    }
  }
  EXPECT_EQ(h.range(H::kPositive), 16.0);  // 9 needs 2^4
  EXPECT_EQ(std::vector<std::uint64_t>(h.counts(H::kPositive).begin(), h.counts(H::kPositive).end()), expected_pos);
  EXPECT_EQ(std::vector<std::uint64_t>(h.counts(H::kNegative).begin(), h.counts(H::kNegative).end()), expected_neg);
  EXPECT_EQ(h.zero_count(), zeros);
  EXPECT_EQ(h.finite_count(), total);
  EXPECT_EQ(h.min(), lo);
  EXPECT_EQ(h.max(), hi);
}

TEST(ActivationHistogram, CountsZerosAndSkipsNonFiniteValues) {
  H h;
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> values{0.0F, -0.0F, 2.0F, std::numeric_limits<float>::quiet_NaN(), inf, -inf, 0.0F};
  h.add(values);
  EXPECT_EQ(h.zero_count(), 3U);
  EXPECT_EQ(h.non_finite(), 3U);
  EXPECT_EQ(h.finite_count(), 4U);
  EXPECT_EQ(h.counts(H::kPositive)[0], 3U);  // zeros are in bin 0 of the positive half
  EXPECT_EQ(sum(h.counts(H::kPositive)), 4U);
  EXPECT_TRUE(h.empty(H::kNegative));
  EXPECT_EQ(h.min(), 0.0F);
  EXPECT_EQ(h.max(), 2.0F);
}

TEST(ActivationHistogram, GrowthMergesBinsExactly) {
  const std::vector<float> small = gaussian(5000, 1);
  const std::vector<float> large{300.0F, -70.0F, 1e-3F};
  H grown;  // small values first: the ranges double many times when 300 arrives
  grown.add(small);
  grown.add(large);
  H direct;  // the final ranges from the first values on
  direct.add(large);
  direct.add(small);
  for (const H::Half half : {H::kPositive, H::kNegative}) {
    EXPECT_EQ(grown.range(half), direct.range(half));
    const auto a = grown.counts(half);
    const auto b = direct.counts(half);
    EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin()));
  }
  EXPECT_EQ(grown.range(H::kPositive), 512.0);
  EXPECT_EQ(grown.range(H::kNegative), 128.0);
  EXPECT_EQ(sum(grown.counts(H::kPositive)) + sum(grown.counts(H::kNegative)), 5003U);
}

TEST(ActivationHistogram, AbsoluteCountsMergeTheFinerHalf) {
  H h;
  const std::vector<float> values{-0.3F, -0.1F, 0.0F, 3.0F, 3.5F, -0.001F};
  h.add(values);
  const std::vector<std::uint64_t> abs = h.absolute_counts();
  EXPECT_EQ(sum(abs), 6U);
  EXPECT_EQ(h.absolute_bin_width(), 4.0 / 2048.0);
  // |x| = 0.3 -> bin floor(0.3 / (4 / 2048)) = 153 on the coarse grid.
  EXPECT_EQ(abs[153], 1U);
  EXPECT_EQ(abs[1536], 1U);  // 3.0
  EXPECT_EQ(abs[0], 2U);     // 0 and 0.001
}

TEST(ActivationHistogram, ManySamplesKeepMemoryConstant) {
  H h;
  const std::vector<float> values = gaussian(1000, 2);
  for (int i = 0; i < 50; ++i) h.add(values);
  EXPECT_EQ(h.counts(H::kPositive).size(), H::kBins);
  EXPECT_EQ(sum(h.counts(H::kPositive)) + sum(h.counts(H::kNegative)), 50000U);
}

// Tail mode against the full histogram on the same samples: the bins outside
// each band, the band's total mass and every percentile outside the band are
// the full histogram's exactly. The samples grow the range after the band is
// set (merging band bins) and mix signs, zeros and a skewed tail.
TEST(ActivationHistogram, TailModeKeepsTheTailsExact) {
  std::mt19937 rng(11);
  std::normal_distribution<float> normal(0.0F, 1.0F);
  std::exponential_distribution<float> exponential(2.0F);
  H full;
  H tails(0.01);
  for (int sample = 0; sample < 40; ++sample) {
    std::vector<float> values(5000);
    for (std::size_t i = 0; i < values.size(); ++i) {
      const float v = i % 4 == 0 ? 0.0F : (i % 3 == 0 ? -exponential(rng) : normal(rng));
      values[i] = v * (sample >= 20 ? 3.0F : 1.0F);  // later samples grow the range
    }
    full.add(values);
    tails.add(values);
  }
  ASSERT_EQ(tails.range(H::kPositive), full.range(H::kPositive));
  EXPECT_EQ(tails.zero_count(), full.zero_count());
  EXPECT_EQ(tails.finite_count(), full.finite_count());
  for (const H::Half half : {H::kPositive, H::kNegative}) {
    const std::vector<std::uint64_t> spread = tails.band_counts(half);
    const std::span<const std::uint64_t> exact = full.counts(half);
    EXPECT_EQ(sum(spread), sum(exact)) << "band mass, half " << half;
    std::size_t banded = 0;
    for (std::size_t i = 0; i < H::kBins; ++i) {
      const double middle = (static_cast<double>(i) + 0.5) * tails.bin_width(half) * (half == H::kNegative ? -1 : 1);
      if (tails.in_band(middle)) {
        ++banded;
        continue;
      }
      EXPECT_EQ(spread[i], exact[i]) << "half " << half << " bin " << i;
    }
    EXPECT_GT(banded, 10U) << "half " << half << ": no band was set";
  }
  for (const double p : {99.0, 99.9, 99.99}) {
    const ActivationRange a = percentile_range(full, p);
    const ActivationRange b = percentile_range(tails, p);
    EXPECT_EQ(a.min, b.min) << p;
    EXPECT_EQ(a.max, b.max) << p;
    EXPECT_FALSE(tails.in_band(static_cast<double>(b.min)));
    EXPECT_FALSE(tails.in_band(static_cast<double>(b.max)));
  }
}

// The bottom of a half (its smallest magnitudes) joins the band when the exact
// zeros and the other half beyond it hold the tail: a quantile cannot reach it.
// ReLU-like data (a third exact zeros): the band starts at bin 0 of the positive
// half, and both percentiles stay the full histogram's. Positive data without
// zeros: nothing lies beyond the bottom, so its bins stay exact.
TEST(ActivationHistogram, TailModeBandStartsAtZeroWhenTheZerosHoldTheTail) {
  std::mt19937 rng(5);
  std::exponential_distribution<float> exponential(1.0F);
  H full;
  H tails(0.01);
  H positive_tails(0.01);
  for (int sample = 0; sample < 10; ++sample) {
    std::vector<float> relu(30000);
    std::vector<float> positive(30000);
    for (std::size_t i = 0; i < relu.size(); ++i) {
      positive[i] = exponential(rng) + 1e-3F;
      relu[i] = i % 3 == 0 ? 0.0F : positive[i];
    }
    full.add(relu);
    tails.add(relu);
    positive_tails.add(positive);
  }
  const double smallest = tails.bin_width(H::kPositive) / 2.0;
  EXPECT_TRUE(tails.in_band(smallest)) << "the band should start at bin 0 beside 100000 zeros";
  EXPECT_FALSE(positive_tails.in_band(smallest)) << "nothing lies below the bottom bins of all-positive data";
  for (const double p : {99.9, 99.99}) {  // tails of at most 1% of a half: outside the band
    const ActivationRange a = percentile_range(full, p);
    const ActivationRange b = percentile_range(tails, p);
    EXPECT_EQ(a.min, b.min) << p;
    EXPECT_EQ(a.max, b.max) << p;
    EXPECT_FALSE(tails.in_band(static_cast<double>(b.max))) << p;
  }
}

// More tail values than the histogram queues (kPendingSlots) before applying
// them, with growth in between: the counts outside the band stay exact.
TEST(ActivationHistogram, TailModeQueuedIncrementsAreAllApplied) {
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0F, 1.0F);
  H full;
  H tails(0.01);
  for (int sample = 0; sample < 8; ++sample) {
    std::vector<float> values(400000);  // ~2% outside the band: 8000 queued slots per sample
    for (float& v : values) v = normal(rng) * (sample >= 5 ? 4.0F : 1.0F);
    full.add(values);
    tails.add(values);
  }
  ASSERT_EQ(tails.range(H::kNegative), full.range(H::kNegative));
  for (const H::Half half : {H::kPositive, H::kNegative}) {
    const std::span<const std::uint64_t> exact = full.counts(half);
    const std::span<const std::uint64_t> raw = tails.counts(half);
    std::uint64_t outside = 0;
    for (std::size_t i = 0; i < H::kBins; ++i) {
      const double middle = (static_cast<double>(i) + 0.5) * tails.bin_width(half) * (half == H::kNegative ? -1 : 1);
      if (tails.in_band(middle)) continue;
      EXPECT_EQ(raw[i], exact[i]) << "half " << half << " bin " << i;
      outside += raw[i];
    }
    EXPECT_GT(outside, 2 * H::kPendingSlots) << "half " << half;
  }
}

// A distribution that shrinks after the band is set: the top percentile then
// lies in the band, and in_band() says so.
TEST(ActivationHistogram, TailModeTellsWhenAQuantileFallsInTheBand) {
  H tails(0.01);
  std::vector<float> wide(20000);
  for (std::size_t i = 0; i < wide.size(); ++i) wide[i] = static_cast<float>(i + 1) / 20000.0F;  // (0, 1]
  tails.add(wide);
  // The band leaves 200 values (1%) above it; then a million mid-band values:
  // the top 0.1% (1020 values) reaches into the band.
  const ActivationRange before = percentile_range(tails, 99.9);
  EXPECT_FALSE(tails.in_band(static_cast<double>(before.max)));
  std::vector<float> narrow(1000000, 0.5F);
  tails.add(narrow);
  const ActivationRange after = percentile_range(tails, 99.9);
  EXPECT_TRUE(tails.in_band(static_cast<double>(after.max)));
}

}  // namespace
}  // namespace octet::quant::test
