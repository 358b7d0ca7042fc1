#pragma once
// Per-tensor range observers for activations: observe() sees the tensor's
// values once per calibration sample; range() gives the calibrated range.
// One interface, one factory (make_observer). docs/calibration.md describes
// each method; range_selection.h holds the histogram-based selections.

#include <cstdint>
#include <memory>
#include <span>

#include "quant/calibration_method.h"
#include "quant/range_selection.h"

namespace octet::quant {

// TensorFlow's MovingAverage quantizer defaults to 0.999, meant for thousands
// of training steps; a calibration set has a few hundred samples, so octet
// uses 0.99 (the first sample's weight after 500 samples is 0.99^500 < 1%).
inline constexpr float kDefaultEmaDecay = 0.99F;
// Each tail of the distribution loses 0.01% of the values.
inline constexpr double kDefaultPercentile = 99.99;
// Percentiles must keep the median inside: (50, 100].
inline constexpr double kMinPercentile = 50.0;
inline constexpr double kMaxPercentile = 100.0;

struct ObserverOptions {
  float ema_decay = kDefaultEmaDecay;       // ema: weight of the running value, in [0, 1)
  double percentile = kDefaultPercentile;   // percentile and auto's percentile candidate
};

struct CalibratedRange {
  CalibrationMethod method = CalibrationMethod::kMinMax;  // that produced min/max (auto: the one chosen)
  float min = 0.0F;           // calibrated range: legal_range() rules (min <= 0 <= max, width > 0)
  float max = 0.0F;
  float observed_min = 0.0F;  // of every finite value seen; 0 when none
  float observed_max = 0.0F;
  std::uint64_t samples = 0;     // observe() calls
  std::uint64_t values = 0;      // finite values seen
  std::uint64_t non_finite = 0;  // NaN and +-Inf values, ignored
  double estimated_error = 0.0;  // auto only: histogram-estimated int8 MSE of the chosen range
  // percentile only: a bound fell in the histogram's band (histogram.h, tail
  // mode), where bins are estimated rather than counted.
  bool approximate = false;
};

// The percentile method bins only each tail of a distribution with this many
// times the values it clips (histogram.h, tail mode): 1% for the 99.99th.
inline constexpr double kPercentileTailMargin = 100.0;

class RangeObserver {
 public:
  virtual ~RangeObserver() = default;
  RangeObserver() = default;
  RangeObserver(const RangeObserver&) = delete;
  RangeObserver& operator=(const RangeObserver&) = delete;

  // One sample's values of the tensor. Non-finite values are counted and ignored.
  virtual void observe(std::span<const float> values) = 0;
  virtual CalibratedRange range() const = 0;
};

// Throws octet::UsageError if an option is out of range (naming it and the range).
std::unique_ptr<RangeObserver> make_observer(CalibrationMethod method, const ObserverOptions& options = {});

}  // namespace octet::quant
