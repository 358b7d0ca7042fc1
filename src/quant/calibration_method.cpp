#include "quant/calibration_method.h"

#include <array>
#include <utility>

#include "core/error.h"

namespace octet::quant {

namespace {

constexpr std::array<std::pair<CalibrationMethod, std::string_view>, 6> kNames{{
    {CalibrationMethod::kMinMax, "minmax"},
    {CalibrationMethod::kEma, "ema"},
    {CalibrationMethod::kPercentile, "percentile"},
    {CalibrationMethod::kEntropy, "entropy"},
    {CalibrationMethod::kMse, "mse"},
    {CalibrationMethod::kAuto, "auto"},
}};

}  // namespace

std::string_view calibration_method_name(CalibrationMethod method) {
  for (const auto& [value, name] : kNames) {
    if (value == method) return name;
  }
  return "unknown";
}

CalibrationMethod parse_calibration_method(std::string_view text) {
  for (const auto& [value, name] : kNames) {
    if (name == text) return value;
  }
  throw usage_fail("calibration method '{}' is unknown (expected minmax, ema, percentile, entropy, mse or auto)",
                   text);
}

}  // namespace octet::quant
