#pragma once
// Helpers for the int8 reference-kernel tests: quantized op inputs and
// declared int8 outputs.

#include "runtime_test_util.h"

namespace octet::test {

inline QuantParams qp(std::vector<float> scale, std::vector<std::int64_t> zero_point, int axis = 0) {
  QuantParams q;
  q.scale = std::move(scale);
  q.zero_point = std::move(zero_point);
  q.axis = axis;
  return q;
}

// An int8 graph input / constant with quantization parameters.
inline Arg q_in(Shape shape, const std::vector<std::int8_t>& values, QuantParams q) {
  Arg a = in<std::int8_t>(std::move(shape), values);
  a.quant = std::move(q);
  return a;
}
inline Arg q_const(Shape shape, const std::vector<std::int8_t>& values, QuantParams q) {
  Arg a = constant<std::int8_t>(std::move(shape), values);
  a.quant = std::move(q);
  return a;
}
inline Arg q_bias(const std::vector<std::int32_t>& values, QuantParams q) {
  Arg a = constant<std::int32_t>({static_cast<std::int64_t>(values.size())}, values);
  a.quant = std::move(q);
  return a;
}
inline OutDecl int8_out(float scale, std::int64_t zero_point) {
  return OutDecl{DType::kInt8, qp({scale}, {zero_point})};
}

inline std::vector<int> ints(const std::vector<std::int8_t>& v) { return {v.begin(), v.end()}; }

}  // namespace octet::test
