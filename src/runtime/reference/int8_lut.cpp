#include "runtime/reference/int8_lut.h"

#include <algorithm>
#include <cmath>

#include "quant/quant_math.h"

namespace octet::reference {

Int8Lut::Int8Lut(float in_scale, std::int32_t in_zero_point, float out_scale, std::int32_t out_zero_point,
                 const std::function<float(float)>& f) {
  const float inverse_scale = 1.0F / out_scale;
  constexpr auto lo = static_cast<float>(quant::kInt8Min);
  constexpr auto hi = static_cast<float>(quant::kInt8Max);
  for (std::int32_t q = quant::kInt8Min; q <= quant::kInt8Max; ++q) {
    const float real = in_scale * static_cast<float>(q - in_zero_point);
    const float rescaled = std::round(f(real) * inverse_scale) + static_cast<float>(out_zero_point);
    // Clamped in float (TFLite converts to int32 first; the result is the same
    // for every finite value and this cannot overflow). NaN maps to the zero point.
    const float clamped = std::isnan(rescaled) ? static_cast<float>(out_zero_point) : std::clamp(rescaled, lo, hi);
    table_[index(static_cast<std::int8_t>(q))] = static_cast<std::int8_t>(clamped);
  }
}

}  // namespace octet::reference
