#pragma once
// 256-entry int8 -> int8 lookup tables computed in float, the way TFLite
// (PopulateLookupTable / LUTPopulate in its builtin LOGISTIC, TANH and GELU
// kernels) and XNNPACK build them for element-wise functions:
//
//   table[q] = clamp(round(f(in_scale * (q - in_zero_point)) / out_scale) + out_zero_point)
//
// with `f` evaluated in float, the reciprocal of the output scale taken in
// float, and rounding half away from zero (std::round, as TFLite does).

#include <array>
#include <cstdint>
#include <functional>

namespace octet::reference {

class Int8Lut {
 public:
  Int8Lut(float in_scale, std::int32_t in_zero_point, float out_scale, std::int32_t out_zero_point,
          const std::function<float(float)>& f);
  std::int8_t operator()(std::int8_t q) const { return table_[index(q)]; }

 private:
  static std::size_t index(std::int8_t q) { return static_cast<std::size_t>(static_cast<std::uint8_t>(q)); }
  std::array<std::int8_t, 256> table_{};
};

}  // namespace octet::reference
