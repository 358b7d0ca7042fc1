#include "quant/observer.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "quant/histogram.h"
#include "quant/value_stats.h"

namespace octet::quant {

namespace {

// Min and max of the finite values of a stream, with counts.
struct ValueStats {
  float lo = std::numeric_limits<float>::infinity();
  float hi = -std::numeric_limits<float>::infinity();
  std::uint64_t finite = 0;
  std::uint64_t non_finite = 0;

  void add(std::span<const float> values) {
    const SpanMinMax fast = span_min_max(values);
    if (fast.all_finite) {
      lo = std::min(lo, fast.min);
      hi = std::max(hi, fast.max);
      finite += values.size();
      return;
    }
    std::uint64_t bad = 0;  // rare: again, skipping the non-finite values
    for (const float x : values) {
      if (std::isfinite(x)) {
        lo = std::min(lo, x);
        hi = std::max(hi, x);
      } else {
        ++bad;
      }
    }
    finite += values.size() - bad;
    non_finite += bad;
  }
  void fill(CalibratedRange& out) const {
    out.observed_min = finite > 0 ? lo : 0.0F;
    out.observed_max = finite > 0 ? hi : 0.0F;
    out.values = finite;
    out.non_finite = non_finite;
  }
};

class MinMaxObserver final : public RangeObserver {
 public:
  void observe(std::span<const float> values) override {
    stats_.add(values);
    ++samples_;
  }
  CalibratedRange range() const override {
    CalibratedRange out;
    out.method = CalibrationMethod::kMinMax;
    stats_.fill(out);
    const ActivationRange r = legal_range(out.observed_min, out.observed_max);
    out.min = r.min;
    out.max = r.max;
    out.samples = samples_;
    return out;
  }

 private:
  ValueStats stats_;
  std::uint64_t samples_ = 0;
};

// TensorFlow's MovingAverage min/max: the first sample sets the averages, each
// later one moves them: avg = decay * avg + (1 - decay) * sample value.
class EmaObserver final : public RangeObserver {
 public:
  explicit EmaObserver(float decay) : decay_(decay) {}
  void observe(std::span<const float> values) override {
    ValueStats sample;
    sample.add(values);
    ++samples_;
    total_.finite += sample.finite;
    total_.non_finite += sample.non_finite;
    if (sample.finite == 0) return;  // nothing finite to average
    total_.lo = std::min(total_.lo, sample.lo);
    total_.hi = std::max(total_.hi, sample.hi);
    if (!started_) {
      started_ = true;
      average_min_ = sample.lo;
      average_max_ = sample.hi;
      return;
    }
    average_min_ = decay_ * average_min_ + (1.0F - decay_) * sample.lo;
    average_max_ = decay_ * average_max_ + (1.0F - decay_) * sample.hi;
  }
  CalibratedRange range() const override {
    CalibratedRange out;
    out.method = CalibrationMethod::kEma;
    total_.fill(out);
    const ActivationRange r = legal_range(average_min_, average_max_);
    out.min = r.min;
    out.max = r.max;
    out.samples = samples_;
    return out;
  }

 private:
  float decay_;
  bool started_ = false;
  float average_min_ = 0.0F;
  float average_max_ = 0.0F;
  ValueStats total_;
  std::uint64_t samples_ = 0;
};

// percentile, entropy, mse and auto: one histogram, the selection at the end.
class HistogramObserver final : public RangeObserver {
 public:
  HistogramObserver(CalibrationMethod method, double percentile)
      : method_(method),
        percentile_(percentile),
        // Only percentile reads nothing but the tails: the others need every bin.
        histogram_(method == CalibrationMethod::kPercentile
                       ? kPercentileTailMargin * (kMaxPercentile - percentile) / kMaxPercentile
                       : 0.0) {}
  void observe(std::span<const float> values) override {
    histogram_.add(values);
    ++samples_;
  }
  CalibratedRange range() const override {
    CalibratedRange out;
    out.method = method_;
    out.observed_min = histogram_.min();
    out.observed_max = histogram_.max();
    out.values = histogram_.finite_count();
    out.non_finite = histogram_.non_finite();
    out.samples = samples_;
    ActivationRange r;
    switch (method_) {
      case CalibrationMethod::kPercentile:
        r = percentile_range(histogram_, percentile_);
        out.approximate = histogram_.in_band(static_cast<double>(r.min)) || histogram_.in_band(static_cast<double>(r.max));
        break;
      case CalibrationMethod::kEntropy:
        r = entropy_range(histogram_);
        break;
      case CalibrationMethod::kMse:
        r = mse_range(HistogramDistribution(histogram_), histogram_);
        break;
      default: {
        const RangeCandidate chosen = choose_auto(auto_candidates(histogram_, percentile_));
        out.method = chosen.method;
        out.estimated_error = chosen.error;
        r = chosen.range;
        break;
      }
    }
    out.min = r.min;
    out.max = r.max;
    return out;
  }

 private:
  CalibrationMethod method_;
  double percentile_;
  ActivationHistogram histogram_;
  std::uint64_t samples_ = 0;
};

}  // namespace

std::unique_ptr<RangeObserver> make_observer(CalibrationMethod method, const ObserverOptions& options) {
  if (!(options.ema_decay >= 0.0F && options.ema_decay < 1.0F)) {
    throw usage_fail("ema decay {} is out of range (expected 0 <= decay < 1)", options.ema_decay);
  }
  if (!(options.percentile > kMinPercentile && options.percentile <= kMaxPercentile)) {
    throw usage_fail("percentile {} is out of range (expected {} < percentile <= {})", options.percentile,
                     kMinPercentile, kMaxPercentile);
  }
  switch (method) {
    case CalibrationMethod::kMinMax:
      return std::make_unique<MinMaxObserver>();
    case CalibrationMethod::kEma:
      return std::make_unique<EmaObserver>(options.ema_decay);
    case CalibrationMethod::kPercentile:
    case CalibrationMethod::kEntropy:
    case CalibrationMethod::kMse:
    case CalibrationMethod::kAuto:
      return std::make_unique<HistogramObserver>(method, options.percentile);
  }
  throw fail("calibration method {} is unknown", static_cast<int>(method));
}

}  // namespace octet::quant
