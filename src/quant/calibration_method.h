#pragma once
// How octet picks the float range [min, max] of an activation tensor from
// calibration data (docs/calibration.md describes each method).

#include <string_view>

namespace octet::quant {

enum class CalibrationMethod { kMinMax, kEma, kPercentile, kEntropy, kMse, kAuto };

// `octet convert --int8`'s default (and the serve API's): the moving average
// of per-sample min/max. Measured with bench/int8_accuracy.py and
// bench/real_models.py (docs/benchmarks.md), median output SQNR, torchvision:
// mobilenet_v3_large 14.10 dB (percentile 7.94, minmax 2.96), efficientnet_b0
// 15.70 (8.72, -1.35), resnet18 26.03 (26.04, 24.27), mobilenet_v2 12.59
// (12.96, 12.46); MediaPipe face boxes 20.9 dB (19.0) with fewer false
// detections; MNIST within 1 digit of the best method. minmax, TFLite's
// converter's method, lets one outlier stretch a tensor's whole grid.
inline constexpr CalibrationMethod kDefaultCalibrationMethod = CalibrationMethod::kEma;

// "minmax", "ema", "percentile", "entropy", "mse", "auto".
std::string_view calibration_method_name(CalibrationMethod method);
// The inverse of calibration_method_name; throws octet::UsageError naming the
// text and the accepted names.
CalibrationMethod parse_calibration_method(std::string_view text);

}  // namespace octet::quant
