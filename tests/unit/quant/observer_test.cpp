// Observers: hand-checked goldens for minmax and ema, the range rules, the
// method names, and the factory's option checks.

#include "quant/observer.h"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "core/error.h"
#include "quant_test_util.h"

namespace octet::quant::test {
namespace {

CalibratedRange run(CalibrationMethod method, const std::vector<std::vector<float>>& samples,
                    const ObserverOptions& options = {}) {
  auto observer = make_observer(method, options);
  for (const auto& sample : samples) observer->observe(sample);
  return observer->range();
}

TEST(CalibrationMethodNames, RoundTripAndUnknownIsAUsageError) {
  for (const auto method : {CalibrationMethod::kMinMax, CalibrationMethod::kEma, CalibrationMethod::kPercentile,
                            CalibrationMethod::kEntropy, CalibrationMethod::kMse, CalibrationMethod::kAuto}) {
    EXPECT_EQ(parse_calibration_method(calibration_method_name(method)), method);
  }
  EXPECT_EQ(calibration_method_name(CalibrationMethod::kEntropy), "entropy");
  try {
    parse_calibration_method("kl");
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(),
                 "calibration method 'kl' is unknown (expected minmax, ema, percentile, entropy, mse or auto)");
  }
}

TEST(MinMaxObserver, UniformDataGivesTheExactBounds) {
  // 3 samples of a uniform grid over [-2, 3].
  std::vector<std::vector<float>> samples(3);
  for (int i = 0; i <= 300; ++i) {
    samples[static_cast<std::size_t>(i % 3)].push_back(-2.0F + 5.0F * static_cast<float>(i) / 300.0F);
  }
  const CalibratedRange r = run(CalibrationMethod::kMinMax, samples);
  EXPECT_EQ(r.method, CalibrationMethod::kMinMax);
  EXPECT_EQ(r.min, -2.0F);
  EXPECT_EQ(r.max, 3.0F);
  EXPECT_EQ(r.observed_min, -2.0F);
  EXPECT_EQ(r.observed_max, 3.0F);
  EXPECT_EQ(r.samples, 3U);
  EXPECT_EQ(r.values, 301U);
}

TEST(MinMaxObserver, RangesContainZeroAndAreNeverDegenerate) {
  EXPECT_EQ(run(CalibrationMethod::kMinMax, {{2.0F, 5.0F}}).min, 0.0F);  // [2, 5] -> [0, 5]
  EXPECT_EQ(run(CalibrationMethod::kMinMax, {{2.0F, 5.0F}}).max, 5.0F);
  const CalibratedRange negative = run(CalibrationMethod::kMinMax, {{-4.0F, -1.0F}});
  EXPECT_EQ(negative.min, -4.0F);
  EXPECT_EQ(negative.max, 0.0F);
  const CalibratedRange zeros = run(CalibrationMethod::kMinMax, {{0.0F, 0.0F}});
  EXPECT_EQ(zeros.min, 0.0F);
  EXPECT_EQ(zeros.max, kMinRangeWidth);
  const CalibratedRange nothing = run(CalibrationMethod::kMinMax, {{std::numeric_limits<float>::quiet_NaN()}});
  EXPECT_EQ(nothing.non_finite, 1U);
  EXPECT_EQ(nothing.min, 0.0F);
  EXPECT_EQ(nothing.max, kMinRangeWidth);
  const ActivationRange tiny_negative = legal_range(-1e-7F, 0.0F);  // widened on its larger side
  EXPECT_EQ(tiny_negative.max, 0.0F);
  EXPECT_FLOAT_EQ(tiny_negative.min, -kMinRangeWidth);
}

TEST(EmaObserver, FirstSampleInitialisesThenDecays) {
  ObserverOptions options;
  options.ema_decay = 0.5F;
  // per-sample (min, max): (-1, 2), (-3, 4), (0, 1)
  // min: -1 -> 0.5 * -1 + 0.5 * -3 = -2 -> 0.5 * -2 + 0.5 * 0 = -1
  // max:  2 -> 0.5 *  2 + 0.5 *  4 =  3 -> 0.5 *  3 + 0.5 * 1 =  2
  const CalibratedRange r = run(CalibrationMethod::kEma, {{-1.0F, 2.0F}, {-3.0F, 4.0F, 1.0F}, {0.0F, 1.0F}}, options);
  EXPECT_EQ(r.method, CalibrationMethod::kEma);
  EXPECT_FLOAT_EQ(r.min, -1.0F);
  EXPECT_FLOAT_EQ(r.max, 2.0F);
  EXPECT_EQ(r.observed_min, -3.0F);
  EXPECT_EQ(r.observed_max, 4.0F);
  EXPECT_EQ(r.samples, 3U);
}

TEST(RangeObserverFactory, RejectsOptionsOutOfRange) {
  ObserverOptions bad_decay;
  bad_decay.ema_decay = 1.0F;
  EXPECT_THROW(make_observer(CalibrationMethod::kEma, bad_decay), UsageError);
  ObserverOptions bad_percentile;
  bad_percentile.percentile = 30.0;
  try {
    make_observer(CalibrationMethod::kPercentile, bad_percentile);
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "percentile 30 is out of range (expected 50 < percentile <= 100)");
  }
}

TEST(HistogramObservers, EveryMethodKeepsUniformDataWhole) {
  // Uniform over [0, 1): nothing to clip; every method's range ends near 1.
  std::vector<float> values(20000);
  for (std::size_t i = 0; i < values.size(); ++i) {
    values[i] = (static_cast<float>(i) + 0.5F) / static_cast<float>(values.size());
  }
  for (const auto method : {CalibrationMethod::kEntropy, CalibrationMethod::kMse, CalibrationMethod::kAuto}) {
    const CalibratedRange r = run(method, {values});
    EXPECT_EQ(r.min, 0.0F) << calibration_method_name(method);
    EXPECT_NEAR(r.max, 1.0F, 0.01F) << calibration_method_name(method);
  }
}

}  // namespace
}  // namespace octet::quant::test
