#pragma once
// How octet picks the float range [min, max] of an activation tensor from
// calibration data (docs/calibration.md describes each method).

#include <string_view>

namespace octet::quant {

enum class CalibrationMethod { kMinMax, kEma, kPercentile, kEntropy, kMse, kAuto };

// "minmax", "ema", "percentile", "entropy", "mse", "auto".
std::string_view calibration_method_name(CalibrationMethod method);
// The inverse of calibration_method_name; throws octet::UsageError naming the
// text and the accepted names.
CalibrationMethod parse_calibration_method(std::string_view text);

}  // namespace octet::quant
