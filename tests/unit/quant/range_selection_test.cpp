// Range selection on histograms, checked against independent brute-force
// computations on the raw values: percentiles from sorting, the int8 error
// estimate against value-by-value quantize-dequantize, mse against a grid
// search of that real error, entropy against a direct KL implementation, and
// auto against its candidates.

#include "quant/range_selection.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "quant/observer.h"
#include "quant_test_util.h"

namespace octet::quant::test {
namespace {

// N(0, 1) with a few huge outliers: 5 at +40 and 5 at -30.
std::vector<float> gaussian_with_outliers(std::size_t count) {
  std::vector<float> values = gaussian(count, 7);
  for (int i = 0; i < 5; ++i) {
    values.push_back(40.0F);
    values.push_back(-30.0F);
  }
  return values;
}

ActivationHistogram histogram_of(std::span<const float> values) {
  ActivationHistogram h;
  h.add(values);
  return h;
}

CalibratedRange observe_all(CalibrationMethod method, std::span<const float> values, double percentile = 99.99) {
  ObserverOptions options;
  options.percentile = percentile;
  auto observer = make_observer(method, options);
  observer->observe(values);
  return observer->range();
}

// The value with `fraction` of the sorted values below it (nearest rank).
float sorted_quantile(std::vector<float> values, double fraction) {
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(fraction * static_cast<double>(values.size()));
  return values[std::min(rank, values.size() - 1)];
}

TEST(PercentileRange, UniformTailsMatchSortedValues) {
  std::vector<float> values(100000);
  for (std::size_t i = 0; i < values.size(); ++i) {
    values[i] = -1.0F + 2.0F * (static_cast<float>(i) + 0.5F) / static_cast<float>(values.size());
  }
  // Each tail loses 1%: [-0.98, 0.98].
  const CalibratedRange r = observe_all(CalibrationMethod::kPercentile, values, 99.0);
  EXPECT_NEAR(r.max, 0.98F, 1e-3F);
  EXPECT_NEAR(r.min, -0.98F, 1e-3F);
}

TEST(PercentileRange, ClipsOutliersLikeTheSortedQuantile) {
  const std::vector<float> values = gaussian_with_outliers(20000);
  const CalibratedRange r = observe_all(CalibrationMethod::kPercentile, values, 99.9);
  // Bins are 64 / 2048 wide: the interpolated quantile is within one bin.
  const float bin = 64.0F / 2048.0F;
  EXPECT_NEAR(r.max, sorted_quantile(values, 0.999), 2 * bin);
  EXPECT_NEAR(r.min, sorted_quantile(values, 0.001), 2 * bin);
  EXPECT_LT(r.max, 5.0F);
  EXPECT_GT(r.min, -5.0F);
  const CalibratedRange minmax = observe_all(CalibrationMethod::kMinMax, values);
  EXPECT_EQ(minmax.max, 40.0F);
  EXPECT_EQ(minmax.min, -30.0F);
}

TEST(HistogramDistribution, Int8ErrorEstimateMatchesBruteForce) {
  const std::vector<float> values = gaussian_with_outliers(20000);
  const HistogramDistribution distribution(histogram_of(values));
  for (const auto& [lo, hi] : {std::pair{-4.0F, 4.0F}, std::pair{-2.0F, 2.5F}, std::pair{-30.0F, 40.0F},
                               std::pair{-1.0F, 1.0F}}) {
    const double estimate = distribution.int8_error({lo, hi});
    const double actual = brute_force_int8_mse(values, static_cast<double>(lo), static_cast<double>(hi));
    EXPECT_NEAR(estimate, actual, 0.05 * actual) << lo << " " << hi;
  }
}

TEST(HistogramDistribution, ExactZerosCostNothing) {
  // ReLU-like: 60% exact zeros, the rest uniform on (0, 1).
  std::vector<float> values(6000, 0.0F);
  for (int i = 0; i < 4000; ++i) values.push_back((static_cast<float>(i) + 0.5F) / 4000.0F);
  const HistogramDistribution distribution(histogram_of(values));
  const double estimate = distribution.int8_error({0.0F, 1.0F});
  EXPECT_NEAR(estimate, brute_force_int8_mse(values, 0.0, 1.0), 0.05 * estimate);
  // Only the 40% non-zero values pay s^2 / 12.
  const double step = 1.0 / 255.0;
  EXPECT_NEAR(estimate, 0.4 * step * step / 12.0, 0.02 * estimate);
}

// 30000 values of N(0, 1) with one outlier at +100 and one at -80 (ReLU:
// negatives become exact zeros): rare enough that clipping them, at least in
// part, costs less squared error than the rounding error they cause.
std::vector<float> rare_outliers(bool relu) {
  std::vector<float> values = gaussian(30000, 3);
  values.push_back(100.0F);
  values.push_back(-80.0F);
  if (relu) {
    for (float& v : values) v = std::max(v, 0.0F);
  }
  return values;
}

// Feeds the values in 8 samples.
CalibratedRange observe_in_samples(CalibrationMethod method, const std::vector<float>& values) {
  auto observer = make_observer(method);
  const std::size_t chunk = values.size() / 8 + 1;
  for (std::size_t begin = 0; begin < values.size(); begin += chunk) {
    observer->observe(std::span<const float>(values).subspan(begin, std::min(chunk, values.size() - begin)));
  }
  return observer->range();
}

TEST(MseRange, OneSidedMatchesAGridSearchOfTheRealError) {
  const std::vector<float> values = rare_outliers(true);  // half exact zeros
  const CalibratedRange r = observe_in_samples(CalibrationMethod::kMse, values);
  EXPECT_EQ(r.min, 0.0F);
  double best_error = std::numeric_limits<double>::infinity();
  double best_hi = 0.0;
  for (double hi = 1.0; hi <= 100.0; hi += 0.5) {
    const double e = brute_force_int8_mse(values, 0.0, hi);
    if (e < best_error) {
      best_error = e;
      best_hi = hi;
    }
  }
  EXPECT_LT(best_hi, 100.0);  // the real optimum clips the outlier
  EXPECT_LE(brute_force_int8_mse(values, 0.0, static_cast<double>(r.max)), 1.02 * best_error)
      << "mse hi " << r.max << ", grid best " << best_hi;
  EXPECT_NEAR(static_cast<double>(r.max), best_hi, 0.1 * best_hi);
  EXPECT_LT(r.max, 100.0F);
  EXPECT_GT(brute_force_int8_mse(values, 0.0, 100.0), best_error);  // minmax
}

TEST(MseRange, TwoSidedMatchesAGridSearchOfTheRealError) {
  const std::vector<float> values = rare_outliers(false);
  const CalibratedRange r = observe_in_samples(CalibrationMethod::kMse, values);
  // Coarse grid, then a finer one around its best.
  double best_error = std::numeric_limits<double>::infinity();
  double best_lo = 0.0;
  double best_hi = 0.0;
  const auto search = [&](double lo_from, double lo_to, double hi_from, double hi_to, double step) {
    for (double lo = lo_from; lo <= lo_to; lo += step) {
      for (double hi = hi_from; hi <= hi_to; hi += step) {
        const double e = brute_force_int8_mse(values, lo, hi);
        if (e < best_error) {
          best_error = e;
          best_lo = lo;
          best_hi = hi;
        }
      }
    }
  };
  search(-80.0, -10.0, 10.0, 100.0, 10.0);
  search(best_lo - 5.0, std::min(best_lo + 5.0, -1.0), std::max(best_hi - 5.0, 1.0), best_hi + 5.0, 1.0);
  EXPECT_LE(brute_force_int8_mse(values, static_cast<double>(r.min), static_cast<double>(r.max)), 1.02 * best_error)
      << r.min << " " << r.max << " grid best " << best_lo << " " << best_hi;
  EXPECT_LT(r.max, 100.0F);
  EXPECT_GT(r.min, -80.0F);
  EXPECT_GT(brute_force_int8_mse(values, -80.0, 100.0), best_error);  // minmax
}

TEST(MseRange, KeepsOutliersFrequentEnoughToCostMoreClippedThanRounded) {
  // 10 outliers in 20000 values: clipping them to ~4 costs 5 x 36^2 / 20000 = 0.3
  // per value, far more than minmax's rounding error ((70 / 255)^2 / 12 = 0.006):
  // mse keeps them, trimming at most a little.
  const std::vector<float> values = gaussian_with_outliers(20000);
  const CalibratedRange r = observe_all(CalibrationMethod::kMse, values);
  EXPECT_GT(r.max, 38.0F);
  EXPECT_LT(r.min, -28.0F);
}

// TensorRT's KL search written the plain way: explicit P and Q arrays per i.
std::size_t naive_kl_threshold(const std::vector<std::uint64_t>& counts, std::size_t levels) {
  std::size_t used = counts.size();
  while (used > 0 && counts[used - 1] == 0) --used;
  if (used <= levels) return used;
  double best = std::numeric_limits<double>::infinity();
  std::size_t best_i = used;
  for (std::size_t i = levels; i <= used; ++i) {
    if (counts[i - 1] == 0) continue;
    std::vector<double> p(counts.begin(), counts.begin() + static_cast<std::ptrdiff_t>(i));
    for (std::size_t j = i; j < used; ++j) p[i - 1] += static_cast<double>(counts[j]);
    std::vector<double> group_sum(levels, 0.0);
    std::vector<double> group_nonzero(levels, 0.0);
    for (std::size_t j = 0; j < i; ++j) {
      const std::size_t g = j * levels / i;
      group_sum[g] += static_cast<double>(counts[j]);
      group_nonzero[g] += counts[j] > 0 ? 1.0 : 0.0;
    }
    std::vector<double> q(i, 0.0);
    for (std::size_t j = 0; j < i; ++j) {
      const std::size_t g = j * levels / i;
      if (counts[j] > 0) q[j] = group_sum[g] / group_nonzero[g];
    }
    double p_total = 0.0;
    double q_total = 0.0;
    for (std::size_t j = 0; j < i; ++j) {
      p_total += p[j];
      q_total += q[j];
    }
    double kl = 0.0;
    for (std::size_t j = 0; j < i; ++j) {
      if (p[j] == 0.0) continue;
      const double pj = p[j] / p_total;
      const double qj = q[j] / q_total;
      kl += pj * std::log(pj / qj);
    }
    if (kl < best) {
      best = kl;
      best_i = i;
    }
  }
  return best_i;
}

TEST(EntropyRange, KlSearchMatchesADirectImplementation) {
  std::mt19937 engine(11);
  for (int trial = 0; trial < 3; ++trial) {
    // A decaying histogram with holes and a far outlier bin.
    std::vector<std::uint64_t> counts(600, 0);
    for (std::size_t j = 0; j < 400; ++j) {
      if (engine() % 5 == 0) continue;
      counts[j] = 1 + (engine() % 1000) * (400 - j) / 400;
    }
    counts[590] = 3;
    EXPECT_EQ(kl_threshold_bins(counts, 128), naive_kl_threshold(counts, 128)) << trial;
  }
}

TEST(EntropyRange, UniformHistogramIsNotClipped) {
  // 256 equal bins merged into 128 levels lose nothing: KL is 0 only when nothing is clipped.
  const std::vector<std::uint64_t> counts(256, 10);
  EXPECT_EQ(kl_threshold_bins(counts, 128), 256U);
  EXPECT_EQ(kl_threshold_bins(std::vector<std::uint64_t>(100, 1), 128), 100U);
}

TEST(EntropyRange, ClipsOutliersAtTheDirectKlThreshold) {
  const std::vector<float> values = gaussian_with_outliers(20000);
  const ActivationHistogram h = histogram_of(values);
  const CalibratedRange r = observe_all(CalibrationMethod::kEntropy, values);
  // Both signs: |x| on the coarser grid (range 64), 128 levels.
  const auto threshold = static_cast<float>(static_cast<double>(naive_kl_threshold(h.absolute_counts(), 128)) *
                                            h.absolute_bin_width());
  EXPECT_EQ(r.max, std::min(threshold, 40.0F));
  EXPECT_EQ(r.min, std::max(-threshold, -30.0F));
  EXPECT_LT(r.max, 40.0F);
  EXPECT_GT(r.min, -30.0F);
  EXPECT_GE(r.max, 4.0F);  // at least 128 of the 2048 bins are kept
}

TEST(AutoRange, PicksTheCandidateWithTheLowestEstimatedError) {
  const std::vector<float> values = rare_outliers(false);
  const ActivationHistogram h = histogram_of(values);
  const std::vector<RangeCandidate> candidates = auto_candidates(h, 99.99);
  ASSERT_EQ(candidates.size(), 4U);
  EXPECT_EQ(candidates[0].method, CalibrationMethod::kMinMax);
  EXPECT_EQ(candidates[0].range.max, 100.0F);
  const HistogramDistribution distribution(h);
  double lowest = std::numeric_limits<double>::infinity();
  CalibrationMethod lowest_method = CalibrationMethod::kMinMax;
  for (const RangeCandidate& c : candidates) {
    EXPECT_DOUBLE_EQ(c.error, distribution.int8_error(c.range));
    if (c.error < lowest) {
      lowest = c.error;
      lowest_method = c.method;
    }
  }
  const CalibratedRange r = observe_all(CalibrationMethod::kAuto, values);
  EXPECT_EQ(r.estimated_error, lowest);
  EXPECT_EQ(r.method, lowest_method);
  EXPECT_NE(r.method, CalibrationMethod::kMinMax);  // the outliers make minmax the worst here
  EXPECT_GT(candidates[0].error, lowest);
}

TEST(AutoRange, TiesGoToTheFirstCandidate) {
  const std::vector<RangeCandidate> candidates{{CalibrationMethod::kMinMax, {0.0F, 1.0F}, 0.5},
                                               {CalibrationMethod::kPercentile, {0.0F, 0.9F}, 0.25},
                                               {CalibrationMethod::kEntropy, {0.0F, 0.8F}, 0.25},
                                               {CalibrationMethod::kMse, {0.0F, 0.7F}, 0.3}};
  EXPECT_EQ(choose_auto(candidates).method, CalibrationMethod::kPercentile);
}

}  // namespace
}  // namespace octet::quant::test
