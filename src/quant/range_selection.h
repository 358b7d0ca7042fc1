#pragma once
// Range selection on an ActivationHistogram: the percentile, entropy (KL) and
// MSE methods, the histogram estimate of the int8 quantization error that mse
// minimises and auto compares candidates with, and the rules every returned
// range obeys (legal_range). Formulas in docs/calibration.md.

#include <cstdint>
#include <vector>

#include "quant/calibration_method.h"
#include "quant/histogram.h"

namespace octet::quant {

struct ActivationRange {
  float min = 0.0F;
  float max = 0.0F;
};

// Narrowest range octet returns: an all-zero (or unobserved) tensor gets
// [0, kMinRangeWidth], so its int8 scale (width / 255) stays a normal float.
inline constexpr float kMinRangeWidth = 1e-6F;

// The rules every calibrated range obeys: min <= 0 <= max (TFLite needs 0
// exactly representable, so the range is widened to include it), finite
// (non-finite bounds count as 0), and max - min >= kMinRangeWidth (a narrower
// range is widened on the side of its larger magnitude, upwards on a tie).
ActivationRange legal_range(float min, float max);

// The histogram as a piecewise-uniform density plus a point mass of exact
// zeros, with prefix moments so that each error estimate costs O(log bins).
class HistogramDistribution {
 public:
  explicit HistogramDistribution(const ActivationHistogram& histogram);

  double total() const { return total_; }
  // The value below which `fraction` (0..1) of the values lie, interpolating
  // linearly inside a bin; clamped to the observed [min, max].
  double quantile(double fraction) const;
  // Estimated mean squared error per value of an asymmetric int8 quantizer
  // over `range` (already legal): scale s = (max - min) / 255, zero point
  // z = round(-min / s), grid (k - z) s for k = 0..255. Values inside the grid
  // cost s^2 / 12 (rounding, uniform within a step), exact zeros cost nothing,
  // values outside cost their squared distance to the nearest grid end.
  double int8_error(ActivationRange range) const;

  // Bounds that mse tries: every positive bin edge below the observed max and
  // the max itself; every negative bin edge above the observed min and the min.
  const std::vector<double>& upper_candidates() const { return upper_candidates_; }
  const std::vector<double>& lower_candidates() const { return lower_candidates_; }

 private:
  struct Segment {
    double lo;
    double hi;
    double count;
  };
  struct Moments {
    double count = 0.0;
    double sum = 0.0;
    double sum_squares = 0.0;
  };
  // Moments of the values below c (zeros excluded).
  Moments below(double c) const;

  std::vector<Segment> segments_;  // ascending, non-empty, zeros excluded
  std::vector<Moments> prefix_;    // prefix_[k]: moments of segments [0, k)
  double zeros_ = 0.0;
  double total_ = 0.0;
  double min_ = 0.0;
  double max_ = 0.0;
  std::vector<double> upper_candidates_;
  std::vector<double> lower_candidates_;
};

// Percentile: max = the `percentile`-th percentile of x, min = the
// (100 - percentile)-th, each tail clipping (100 - percentile)% of the values.
ActivationRange percentile_range(const ActivationHistogram& histogram, double percentile);

// Entropy: TensorRT's KL-divergence threshold search (see docs/calibration.md):
// on |x| with kEntropyLevelsSymmetric levels when x has both signs, on the one
// side with kEntropyLevelsOneSided levels when x has one sign. Exact zeros
// are left out of the histogram searched: the int8 grid represents them
// exactly, and their spike (half of a ReLU output) in bin 0 would make every
// merge of bin 0 with its neighbours look costly, pulling the threshold to
// the smallest candidate (seen on MNIST: ReLU6 outputs clipped at 1.0).
inline constexpr std::size_t kEntropyLevelsSymmetric = 128;  // int8 codes on one side of zero
inline constexpr std::size_t kEntropyLevelsOneSided = 256;   // all int8 codes on one side
ActivationRange entropy_range(const ActivationHistogram& histogram);
// The number of leading bins i (levels <= i <= last non-empty bin + 1)
// whose threshold minimises KL(P || Q); exposed for tests.
std::size_t kl_threshold_bins(const std::vector<std::uint64_t>& counts, std::size_t levels);

// MSE: coordinate descent over the candidate edges minimising int8_error.
ActivationRange mse_range(const HistogramDistribution& distribution, const ActivationHistogram& histogram);

struct RangeCandidate {
  CalibrationMethod method;
  ActivationRange range;  // legal
  double error;           // HistogramDistribution::int8_error
};
// Auto: the minmax, percentile, entropy and mse ranges with their estimated
// errors, in that order; the choice is the first with the lowest error.
std::vector<RangeCandidate> auto_candidates(const ActivationHistogram& histogram, double percentile);
RangeCandidate choose_auto(const std::vector<RangeCandidate>& candidates);

}  // namespace octet::quant
