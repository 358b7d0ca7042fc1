#pragma once
// Prepare-time checks and Eval-time helpers shared by the int8 reference
// kernels of the element-wise, activation, softmax and data-movement families
// (each one-line error names the op, the tensor and the rule, as TFLite's
// Prepare functions check them).

#include <cstdint>
#include <string_view>

#include "quant/quant_math.h"
#include "runtime/reference/common.h"

namespace octet::reference {

inline bool is_int8(const Tensor& t) { return t.dtype == DType::kInt8; }

// The tensor must carry per-tensor quantization (one scale > 0 and finite, one
// zero point inside int8); `role` names it ("input 0", "output", ...).
const QuantParams& require_int8_per_tensor(const KernelContext& context, const Tensor& t, std::string_view role);

// The graph's declared output i: int8, per-tensor quantized. Returns its params.
const QuantParams& require_int8_output(const KernelContext& context, std::size_t i = 0);

// Inputs 0..n-1 listed in `inputs` must be int8 and per-tensor quantized.
const QuantParams& require_int8_input(const KernelContext& context, std::size_t i);

// `a` and `b` must have exactly the same scale and zero point (TFLite compares
// the float scales for equality).
void require_same_quant(const KernelContext& context, const Tensor& a, std::string_view role_a, const Tensor& b,
                        std::string_view role_b);

// The output must have the fixed parameters TFLite imposes on the op.
void require_fixed_output_quant(const KernelContext& context, const QuantParams& expected);

// For dtype-generic (copying) kernels given an int8 input `data_index`: the
// input and the declared output `out_index` must share one per-tensor
// quantization, since a byte copy cannot requantize (plain int8 data, with no
// quantization on either side, is copied as it is).
void require_int8_copy_quant(const KernelContext& context, std::size_t data_index, std::size_t out_index = 0);

inline std::int32_t zero_point_of(const QuantParams& q) { return static_cast<std::int32_t>(q.zero_point[0]); }

inline std::int8_t clamp_to_int8(std::int32_t v, quant::IntRange range) {
  return static_cast<std::int8_t>(std::clamp(v, range.min, range.max));
}
inline std::int8_t saturate_int8(std::int32_t v) {
  return static_cast<std::int8_t>(std::clamp(v, quant::kInt8Min, quant::kInt8Max));
}

}  // namespace octet::reference
