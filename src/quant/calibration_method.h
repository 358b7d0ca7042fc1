#pragma once
// How octet picks the float range [min, max] of an activation tensor from
// calibration data (docs/calibration.md describes each method).

#include <string_view>

namespace octet::quant {

enum class CalibrationMethod { kMinMax, kEma, kPercentile, kEntropy, kMse, kAuto };

// `octet convert --int8`'s default (and the serve API's): the 99.99th
// percentile. Measured with bench/int8_accuracy.py and bench/real_models.py
// (docs/benchmarks.md), it was at or near the best method on every network
// tried (torchvision mobilenet_v2 12.96 dB vs minmax 12.46, resnet18 26.04
// vs 24.27; +2.5 to 5 dB on real trained models; MNIST accuracy as minmax's
// or better), where minmax, TFLite's converter's method, lets one outlier
// stretch a tensor's whole grid.
inline constexpr CalibrationMethod kDefaultCalibrationMethod = CalibrationMethod::kPercentile;

// "minmax", "ema", "percentile", "entropy", "mse", "auto".
std::string_view calibration_method_name(CalibrationMethod method);
// The inverse of calibration_method_name; throws octet::UsageError naming the
// text and the accepted names.
CalibrationMethod parse_calibration_method(std::string_view text);

}  // namespace octet::quant
