#include "quant/range_selection.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace octet::quant {

namespace {

// Steps of the int8 grid: 256 codes, 255 steps between them.
constexpr double kInt8Steps = 255.0;
constexpr double kInt8MaxCode = 255.0;
// Mean squared rounding error of a value uniform within one step of width s is s^2 / 12.
constexpr double kUniformRoundingDivisor = 12.0;
// Bounds are clamped to +-half the largest float so that max - min stays finite.
constexpr float kLargestBound = std::numeric_limits<float>::max() / 2.0F;
// mse's coordinate descent stops after this many rounds even if it still improves.
constexpr int kMseMaxRounds = 8;
constexpr double kPercent = 100.0;

}  // namespace

ActivationRange legal_range(float min, float max) {
  float lo = std::isfinite(min) ? std::clamp(min, -kLargestBound, kLargestBound) : 0.0F;
  float hi = std::isfinite(max) ? std::clamp(max, -kLargestBound, kLargestBound) : 0.0F;
  lo = std::min(lo, 0.0F);
  hi = std::max(hi, 0.0F);
  if (hi - lo < kMinRangeWidth) {
    if (-lo > hi) {
      lo = hi - kMinRangeWidth;
    } else {
      hi = lo + kMinRangeWidth;
    }
  }
  return {lo, hi};
}

HistogramDistribution::HistogramDistribution(const ActivationHistogram& histogram)
    : zeros_(static_cast<double>(histogram.zero_count())),
      min_(static_cast<double>(histogram.min())),
      max_(static_cast<double>(histogram.max())) {
  constexpr std::size_t kBins = ActivationHistogram::kBins;
  if (!histogram.empty(ActivationHistogram::kNegative)) {
    const double width = histogram.bin_width(ActivationHistogram::kNegative);
    const std::vector<std::uint64_t> counts = histogram.band_counts(ActivationHistogram::kNegative);
    for (std::size_t i = kBins; i-- > 0;) {
      if (counts[i] == 0) continue;
      segments_.push_back({-static_cast<double>(i + 1) * width, -static_cast<double>(i) * width,
                           static_cast<double>(counts[i])});
    }
  }
  if (!histogram.empty(ActivationHistogram::kPositive)) {
    const double width = histogram.bin_width(ActivationHistogram::kPositive);
    const std::vector<std::uint64_t> counts = histogram.band_counts(ActivationHistogram::kPositive);
    for (std::size_t i = 0; i < kBins; ++i) {
      const std::uint64_t count = counts[i] - (i == 0 ? histogram.zero_count() : 0);
      if (count == 0) continue;
      segments_.push_back({static_cast<double>(i) * width, static_cast<double>(i + 1) * width,
                           static_cast<double>(count)});
    }
  }
  // Nothing lies beyond the observed extremes: tighten the outer bins to them.
  if (!segments_.empty()) {
    segments_.front().lo = std::max(segments_.front().lo, min_);
    segments_.back().hi = std::min(segments_.back().hi, max_);
  }
  prefix_.resize(segments_.size() + 1);
  for (std::size_t k = 0; k < segments_.size(); ++k) {
    const Segment& s = segments_[k];
    Moments m = prefix_[k];
    m.count += s.count;
    m.sum += s.count * (s.lo + s.hi) / 2.0;
    m.sum_squares += s.count * (s.lo * s.lo + s.lo * s.hi + s.hi * s.hi) / 3.0;
    prefix_[k + 1] = m;
  }
  total_ = prefix_.back().count + zeros_;
  // Every bin edge inside the observed range, and the extreme itself: empty
  // bins count too, since with values beyond a gap its optimum can lie inside it.
  const auto edges = [](double extreme, double width, std::vector<double>& out) {
    if (width <= 0.0 || extreme <= 0.0) return;
    for (double k = 1.0; k * width < extreme; k += 1.0) out.push_back(k * width);
    out.push_back(extreme);
  };
  edges(max_, histogram.bin_width(ActivationHistogram::kPositive), upper_candidates_);
  edges(-min_, histogram.bin_width(ActivationHistogram::kNegative), lower_candidates_);
  for (double& edge : lower_candidates_) edge = -edge;
}

HistogramDistribution::Moments HistogramDistribution::below(double c) const {
  // Segments are disjoint and ascending: those ending at or before c are whole.
  const auto it = std::partition_point(segments_.begin(), segments_.end(),
                                       [c](const Segment& s) { return s.hi <= c; });
  const auto k = static_cast<std::size_t>(it - segments_.begin());
  Moments m = prefix_[k];
  if (k < segments_.size() && segments_[k].lo < c) {
    const Segment& s = segments_[k];  // lo < c < hi: the uniform part [lo, c]
    const double density = s.count / (s.hi - s.lo);
    m.count += density * (c - s.lo);
    m.sum += density * (c * c - s.lo * s.lo) / 2.0;
    m.sum_squares += density * (c * c * c - s.lo * s.lo * s.lo) / 3.0;
  }
  return m;
}

double HistogramDistribution::quantile(double fraction) const {
  const double target = std::clamp(fraction, 0.0, 1.0) * total_;
  double seen = 0.0;
  bool zeros_done = zeros_ == 0.0;
  for (const Segment& s : segments_) {
    if (!zeros_done && s.lo >= 0.0) {
      zeros_done = true;
      if (seen + zeros_ >= target) return std::clamp(0.0, min_, max_);
      seen += zeros_;
    }
    if (seen + s.count >= target) {
      const double value = s.lo + (s.hi - s.lo) * (target - seen) / s.count;
      return std::clamp(value, min_, max_);
    }
    seen += s.count;
  }
  if (!zeros_done && seen + zeros_ >= target) return std::clamp(0.0, min_, max_);
  return max_;
}

double HistogramDistribution::int8_error(ActivationRange range) const {
  if (total_ <= 0.0) return 0.0;
  const double lo = static_cast<double>(range.min);
  const double hi = static_cast<double>(range.max);
  const double scale = (hi - lo) / kInt8Steps;
  if (!(scale > 0.0)) return std::numeric_limits<double>::infinity();
  // The grid TFLite uses: the zero point is rounded, so 0 is a grid point.
  const double zero_point = std::clamp(std::round(-lo / scale), 0.0, kInt8MaxCode);
  const double grid_lo = -zero_point * scale;
  const double grid_hi = (kInt8MaxCode - zero_point) * scale;

  const Moments low = below(grid_lo);
  const Moments up_to_high = below(grid_hi);
  const Moments& all = prefix_.back();
  const double clip_low =
      low.sum_squares - 2.0 * grid_lo * low.sum + grid_lo * grid_lo * low.count;
  const double high_count = all.count - up_to_high.count;
  const double high_sum = all.sum - up_to_high.sum;
  const double high_squares = all.sum_squares - up_to_high.sum_squares;
  const double clip_high = high_squares - 2.0 * grid_hi * high_sum + grid_hi * grid_hi * high_count;
  const double inside = up_to_high.count - low.count;
  const double rounding = inside * scale * scale / kUniformRoundingDivisor;
  return (std::max(rounding, 0.0) + std::max(clip_low, 0.0) + std::max(clip_high, 0.0)) / total_;
}

ActivationRange percentile_range(const ActivationHistogram& histogram, double percentile) {
  const HistogramDistribution distribution(histogram);
  const double fraction = percentile / kPercent;
  return legal_range(static_cast<float>(distribution.quantile(1.0 - fraction)),
                     static_cast<float>(distribution.quantile(fraction)));
}

std::size_t kl_threshold_bins(const std::vector<std::uint64_t>& counts, std::size_t levels) {
  std::size_t used = counts.size();
  while (used > 0 && counts[used - 1] == 0) --used;
  if (used <= levels) return used;

  // Prefix sums: counts, non-empty bins, and c log c.
  std::vector<double> cumulative(used + 1, 0.0);
  std::vector<double> non_empty(used + 1, 0.0);
  std::vector<double> plogp(used + 1, 0.0);
  for (std::size_t j = 0; j < used; ++j) {
    const auto c = static_cast<double>(counts[j]);
    cumulative[j + 1] = cumulative[j] + c;
    non_empty[j + 1] = non_empty[j] + (c > 0.0 ? 1.0 : 0.0);
    plogp[j + 1] = plogp[j] + (c > 0.0 ? c * std::log(c) : 0.0);
  }
  const double total = cumulative[used];

  // For i kept bins: P = counts[0, i) with the outliers counts[i, used) added
  // to bin i - 1; Q = counts[0, i) merged into `levels` groups (bin j in group
  // j * levels / i) and spread evenly over each group's non-empty bins.
  // total * KL(P || Q) = sum P log P - sum P log Qraw - total log total + total log sum(Qraw),
  // where Qraw_j = group count / group's non-empty bins (unnormalised).
  double best = std::numeric_limits<double>::infinity();
  std::size_t best_bins = used;
  for (std::size_t i = levels; i <= used; ++i) {
    if (counts[i - 1] == 0) continue;  // the same clipping as the last non-empty bin below, coarser
    const double outliers = total - cumulative[i];
    const double last = static_cast<double>(counts[i - 1]) + outliers;
    double p_log_q = 0.0;
    for (std::size_t g = 0; g < levels; ++g) {
      const std::size_t begin = (g * i + levels - 1) / levels;
      const std::size_t end = ((g + 1) * i + levels - 1) / levels;
      const double group = cumulative[end] - cumulative[begin];
      if (group <= 0.0) continue;
      const double log_q = std::log(group / (non_empty[end] - non_empty[begin]));
      p_log_q += group * log_q;
      if (end == i) p_log_q += outliers * log_q;  // the outliers sit in bin i - 1, last group
    }
    const double p_log_p = plogp[i - 1] + last * std::log(last);
    const double scaled_kl = p_log_p - p_log_q - total * std::log(total) + total * std::log(cumulative[i]);
    if (scaled_kl < best) {
      best = scaled_kl;
      best_bins = i;
    }
  }
  return best_bins;
}

ActivationRange entropy_range(const ActivationHistogram& histogram) {
  const float lo = histogram.min();
  const float hi = histogram.max();
  using H = ActivationHistogram;
  if (lo >= 0.0F || hi <= 0.0F) {
    // One sign: all 256 codes of an asymmetric int8 grid cover that side.
    const H::Half half = lo >= 0.0F ? H::kPositive : H::kNegative;
    const auto side = histogram.counts(half);
    std::vector<std::uint64_t> counts(side.begin(), side.end());
    if (half == H::kPositive) counts[0] -= histogram.zero_count();  // exact zeros stay out of the search (see the header)
    const double width = histogram.bin_width(half);
    const auto threshold =
        static_cast<float>(static_cast<double>(kl_threshold_bins(counts, kEntropyLevelsOneSided)) * width);
    return half == H::kPositive ? legal_range(lo, std::min(threshold, hi))
                                : legal_range(std::max(-threshold, lo), hi);
  }
  // Both signs: TensorRT's symmetric search on |x|, 128 codes per side.
  std::vector<std::uint64_t> counts = histogram.absolute_counts();
  counts[0] -= histogram.zero_count();
  const auto threshold = static_cast<float>(
      static_cast<double>(kl_threshold_bins(counts, kEntropyLevelsSymmetric)) * histogram.absolute_bin_width());
  return legal_range(std::max(-threshold, lo), std::min(threshold, hi));
}

ActivationRange mse_range(const HistogramDistribution& distribution, const ActivationHistogram& histogram) {
  double lo = std::min(static_cast<double>(histogram.min()), 0.0);
  double hi = std::max(static_cast<double>(histogram.max()), 0.0);
  const auto error = [&distribution](double min, double max) {
    return distribution.int8_error(legal_range(static_cast<float>(min), static_cast<float>(max)));
  };
  double best = error(lo, hi);
  for (int round = 0; round < kMseMaxRounds; ++round) {
    bool improved = false;
    for (const double candidate : distribution.upper_candidates()) {
      const double e = error(lo, candidate);
      if (e < best) {
        best = e;
        hi = candidate;
        improved = true;
      }
    }
    for (const double candidate : distribution.lower_candidates()) {
      const double e = error(candidate, hi);
      if (e < best) {
        best = e;
        lo = candidate;
        improved = true;
      }
    }
    if (!improved) break;
  }
  return legal_range(static_cast<float>(lo), static_cast<float>(hi));
}

std::vector<RangeCandidate> auto_candidates(const ActivationHistogram& histogram, double percentile) {
  const HistogramDistribution distribution(histogram);
  std::vector<RangeCandidate> candidates;
  const auto add = [&](CalibrationMethod method, ActivationRange range) {
    candidates.push_back({method, range, distribution.int8_error(range)});
  };
  add(CalibrationMethod::kMinMax, legal_range(histogram.min(), histogram.max()));
  add(CalibrationMethod::kPercentile, percentile_range(histogram, percentile));
  add(CalibrationMethod::kEntropy, entropy_range(histogram));
  add(CalibrationMethod::kMse, mse_range(distribution, histogram));
  return candidates;
}

RangeCandidate choose_auto(const std::vector<RangeCandidate>& candidates) {
  RangeCandidate best = candidates.front();
  for (const RangeCandidate& c : candidates) {
    if (c.error < best.error) best = c;
  }
  return best;
}

}  // namespace octet::quant
