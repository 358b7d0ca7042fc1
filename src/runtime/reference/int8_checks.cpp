#include "runtime/reference/int8_checks.h"

namespace octet::reference {

const QuantParams& require_int8_per_tensor(const KernelContext& context, const Tensor& t, std::string_view role) {
  if (t.dtype != DType::kInt8) {
    throw op_fail(context, "{} '{}' must be int8, got {}", role, t.name, dtype_name(t.dtype));
  }
  if (!t.quant || t.quant->scale.empty() || t.quant->zero_point.empty()) {
    throw op_fail(context, "{} '{}' is int8 and must carry quantization parameters", role, t.name);
  }
  const QuantParams& q = *t.quant;
  if (q.scale.size() != 1 || q.zero_point.size() != 1) {
    throw op_fail(context, "{} '{}' must be quantized per tensor, got {} scales and {} zero points", role, t.name,
                  q.scale.size(), q.zero_point.size());
  }
  if (!(q.scale[0] > 0.0F) || !std::isfinite(q.scale[0])) {
    throw op_fail(context, "{} '{}' has scale {}, not a finite value > 0", role, t.name, q.scale[0]);
  }
  if (q.zero_point[0] < quant::kInt8Min || q.zero_point[0] > quant::kInt8Max) {
    throw op_fail(context, "{} '{}' has zero point {}, outside int8", role, t.name, q.zero_point[0]);
  }
  return q;
}

const QuantParams& require_int8_output(const KernelContext& context, std::size_t i) {
  return require_int8_per_tensor(context, declared_output(context, i), i == 0 ? "output" : fmt::format("output {}", i));
}

const QuantParams& require_int8_input(const KernelContext& context, std::size_t i) {
  return require_int8_per_tensor(context, input_tensor(context, i), fmt::format("input {}", i));
}

void require_same_quant(const KernelContext& context, const Tensor& a, std::string_view role_a, const Tensor& b,
                        std::string_view role_b) {
  const QuantParams& qa = *a.quant;
  const QuantParams& qb = *b.quant;
  if (qa.scale[0] != qb.scale[0] || qa.zero_point[0] != qb.zero_point[0]) {
    throw op_fail(context, "{} '{}' (scale {}, zero point {}) and {} '{}' (scale {}, zero point {}) must share one "
                  "quantization", role_a, a.name, qa.scale[0], qa.zero_point[0], role_b, b.name, qb.scale[0],
                  qb.zero_point[0]);
  }
}

void require_fixed_output_quant(const KernelContext& context, const QuantParams& expected) {
  const Tensor& out = declared_output(context, 0);
  const QuantParams& q = require_int8_output(context, 0);
  if (q.scale[0] != expected.scale[0] || q.zero_point[0] != expected.zero_point[0]) {
    throw op_fail(context, "output '{}' must have scale {} and zero point {} (fixed by TFLite), got scale {} and zero "
                  "point {}", out.name, expected.scale[0], expected.zero_point[0], q.scale[0], q.zero_point[0]);
  }
}

void require_int8_copy_quant(const KernelContext& context, std::size_t data_index, std::size_t out_index) {
  const Tensor& in = input_tensor(context, data_index);
  if (!in.quant && !declared_output(context, out_index).quant) return;  // plain int8 data
  require_int8_input(context, data_index);
  require_int8_output(context, out_index);
  require_same_quant(context, in, fmt::format("input {}", data_index), declared_output(context, out_index),
                     out_index == 0 ? "output" : fmt::format("output {}", out_index));
}

}  // namespace octet::reference
