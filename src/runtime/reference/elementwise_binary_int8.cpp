// int8 ADD, SUB, MUL, MAXIMUM and MINIMUM with numpy broadcasting, in
// TFLite's integer arithmetic (reference_integer_ops add.h / mul.h and the
// Prepare functions of add.cc, sub.cc, mul.cc, maximum_minimum.cc):
//
// ADD / SUB: as TFLite's XNNPACK delegate computes them (qs8 add, taken when
//   both s_i / s_out in float32 are in [2^-10, 2^8); int8_rounding.h):
//     q = quant::xnn_add: (2^(shift-1) + (q_1 - zp_1) m_1 +- (q_2 - zp_2) m_2)
//         >> shift + zp_out, m_i = lrintf(s_i / s_out 2^shift) of about 20 bits,
//   clamped to XNNPACK's fused activation range; otherwise the builtin rule:
//   both inputs are brought to a common scale, twice the larger input scale,
//   with 20 bits of headroom:
//     x_i' = MBQM((q_i - zp_i) << 20, s_i / (2 max(s_1, s_2)))   (i = 1, 2)
//     q    = MBQM(x_1' +- x_2', 2 max(s_1, s_2) / (2^20 s_out)) + zp_out
//   then clamped to the fused activation's range.
// MUL:  as TFLite's XNNPACK delegate computes it (qs8 multiply, taken when
//   s = s_1 s_2 / s_out in float32 is in [2^-16, 2^8); int8_rounding.h):
//     q = quant::fp32_requantize((q_1 - zp_1) (q_2 - zp_2), s), one rounding,
//   clamped to XNNPACK's fused activation range; otherwise the builtin
//     q = MBQM((q_1 - zp_1) (q_2 - zp_2), s_1 s_2 / s_out) + zp_out, clamped.
// MBQM is quant::multiply_by_quantized_multiplier (TFLite's double-rounding
// MultiplyByQuantizedMultiplier); real multipliers are formed as TFLite forms
// them (float products and quotients widened to double).
// MAXIMUM / MINIMUM compare the int8 values directly: inputs and output must
// share one quantization.

#include <optional>

#include "quant/requantize.h"
#include "runtime/reference/int8_checks.h"
#include "runtime/reference/int8_rounding.h"
#include "runtime/reference/int8_kernels.h"

namespace octet::reference {

namespace {

// TFLite's headroom for int8 ADD/SUB: inputs are shifted left by 20 bits
// before rescaling (|q - zp| <= 255 < 2^8, so 8 + 20 bits fit in int32).
constexpr int kAddLeftShift = 20;

Activation fused_activation(const Op& op) {
  if (op.type == OpType::kAdd || op.type == OpType::kSub || op.type == OpType::kMul) {
    return op.opts<BinaryOptions>().activation;
  }
  return Activation::kNone;
}

struct AddParams {
  std::int32_t zero_point_1 = 0, zero_point_2 = 0, zero_point_out = 0;
  quant::FixedPointMultiplier input_1, input_2, output;
  quant::IntRange clamp;
  std::optional<quant::XnnAddParams> xnnpack;  // XNNPACK's rule where the delegate takes the op
};

AddParams add_params(const QuantParams& q1, const QuantParams& q2, const QuantParams& qo, Activation activation,
                     bool subtract) {
  AddParams p;
  p.zero_point_1 = zero_point_of(q1);
  p.zero_point_2 = zero_point_of(q2);
  p.zero_point_out = zero_point_of(qo);
  const float s1 = q1.scale[0];
  const float s2 = q2.scale[0];
  const auto twice_max_scale = static_cast<double>(2.0F * std::max(s1, s2));
  p.input_1 = quant::quantize_multiplier(static_cast<double>(s1) / twice_max_scale);
  p.input_2 = quant::quantize_multiplier(static_cast<double>(s2) / twice_max_scale);
  const float shifted_output_scale = static_cast<float>(1 << kAddLeftShift) * qo.scale[0];
  p.output = quant::quantize_multiplier(twice_max_scale / static_cast<double>(shifted_output_scale));
  p.clamp = quant::activation_range(activation, qo.scale[0], qo.zero_point[0], quant::int_range(DType::kInt8));
  if (xnn_takes_add(s1, s2, qo.scale[0])) {
    const quant::IntRange range =
        quant::xnn_activation_range(activation, qo.scale[0], p.zero_point_out, quant::int_range(DType::kInt8));
    p.xnnpack = quant::xnn_add_params(s1, p.zero_point_1, s2, p.zero_point_2, qo.scale[0], p.zero_point_out, subtract,
                                      range);
  }
  return p;
}

template <bool kSubtract>
std::int8_t add_one(const AddParams& p, std::int8_t a, std::int8_t b) {
  if (p.xnnpack) return static_cast<std::int8_t>(quant::xnn_add(*p.xnnpack, a, b));
  const std::int32_t x1 = (static_cast<std::int32_t>(a) - p.zero_point_1) * (1 << kAddLeftShift);
  const std::int32_t x2 = (static_cast<std::int32_t>(b) - p.zero_point_2) * (1 << kAddLeftShift);
  const std::int32_t scaled_1 = quant::multiply_by_quantized_multiplier(x1, p.input_1);
  const std::int32_t scaled_2 = quant::multiply_by_quantized_multiplier(x2, p.input_2);
  const std::int32_t raw = kSubtract ? scaled_1 - scaled_2 : scaled_1 + scaled_2;
  return clamp_to_int8(quant::multiply_by_quantized_multiplier(raw, p.output) + p.zero_point_out, p.clamp);
}

struct MulParams {
  std::int32_t zero_point_1 = 0, zero_point_2 = 0, zero_point_out = 0;
  bool xnnpack = false;  // XNNPACK's fp32 rule, else TFLite's builtin double rounding
  float scale = 0.0F;
  quant::FixedPointMultiplier output;
  quant::IntRange clamp;
};

MulParams mul_params(const QuantParams& q1, const QuantParams& q2, const QuantParams& qo, Activation activation) {
  MulParams p;
  p.zero_point_1 = zero_point_of(q1);
  p.zero_point_2 = zero_point_of(q2);
  p.zero_point_out = zero_point_of(qo);
  p.scale = quant::xnn_product_scale(q1.scale[0], q2.scale[0], qo.scale[0]);
  p.xnnpack = xnn_takes_mul(p.scale);
  p.output = quant::quantize_multiplier(static_cast<double>(q1.scale[0] * q2.scale[0] / qo.scale[0]));
  const quant::IntRange int8 = quant::int_range(DType::kInt8);
  p.clamp = p.xnnpack ? quant::xnn_activation_range(activation, qo.scale[0], p.zero_point_out, int8)
                      : quant::activation_range(activation, qo.scale[0], qo.zero_point[0], int8);
  return p;
}

std::int8_t mul_one(const MulParams& p, std::int8_t a, std::int8_t b) {
  const std::int32_t product = (static_cast<std::int32_t>(a) - p.zero_point_1) * (static_cast<std::int32_t>(b) - p.zero_point_2);
  if (p.xnnpack) return static_cast<std::int8_t>(quant::fp32_requantize(product, p.scale, p.zero_point_out, p.clamp));
  return clamp_to_int8(quant::multiply_by_quantized_multiplier(product, p.output) + p.zero_point_out, p.clamp);
}

template <typename F>
void broadcast_apply(std::span<const TensorView> inputs, const TensorView& output, F&& f) {
  const Shape& shape = output.shape;
  const std::int8_t* a = inputs[0].as<const std::int8_t>();
  const std::int8_t* b = inputs[1].as<const std::int8_t>();
  std::int8_t* out = output.as<std::int8_t>();
  walk2(shape, broadcast_strides(inputs[0].shape, shape.size()), 0, broadcast_strides(inputs[1].shape, shape.size()),
        0, [&](std::int64_t i, std::int64_t ia, std::int64_t ib) { out[i] = f(a[ia], b[ib]); });
}

}  // namespace

std::vector<TensorSpec> prepare_binary_int8(const KernelContext& context) {
  const Tensor& a = input_tensor(context, 0);
  const Tensor& b = input_tensor(context, 1);
  require_int8_input(context, 0);
  require_int8_input(context, 1);
  require_int8_output(context, 0);
  const Activation activation = fused_activation(context.op);
  require_activation_supported(context, activation, DType::kInt8);
  const OpType type = context.op.type;
  if (type == OpType::kMaximum || type == OpType::kMinimum) {
    require_same_quant(context, a, "input 0", b, "input 1");
    require_same_quant(context, a, "input 0", declared_output(context, 0), "output");
  } else if (type != OpType::kAdd && type != OpType::kSub && type != OpType::kMul) {
    throw op_fail(context, "has no int8 kernel (int8 ADD, SUB, MUL, MAXIMUM, MINIMUM are supported)");
  }
  return {{DType::kInt8, broadcast_shapes(context, a.shape, b.shape)}};
}

namespace {

// Calls use(f) with the op's per-value function f(a, b) -> int8 for these
// quantization parameters (the one arithmetic eval_binary_int8 and
// binary_int8_table share).
template <typename Use>
void with_value_function(const KernelContext& context, const QuantParams& q1, const QuantParams& q2,
                         const QuantParams& qo, Use&& use) {
  const Activation activation = fused_activation(context.op);
  switch (context.op.type) {
    case OpType::kAdd:
    case OpType::kSub: {
      const AddParams p = add_params(q1, q2, qo, activation, context.op.type == OpType::kSub);
      if (context.op.type == OpType::kAdd) {
        use([&](std::int8_t a, std::int8_t b) { return add_one<false>(p, a, b); });
      } else {
        use([&](std::int8_t a, std::int8_t b) { return add_one<true>(p, a, b); });
      }
      return;
    }
    case OpType::kMul: {
      const MulParams p = mul_params(q1, q2, qo, activation);
      use([&](std::int8_t a, std::int8_t b) { return mul_one(p, a, b); });
      return;
    }
    case OpType::kMaximum: use([](std::int8_t a, std::int8_t b) { return a > b ? a : b; }); return;
    case OpType::kMinimum: use([](std::int8_t a, std::int8_t b) { return a < b ? a : b; }); return;
    default: break;
  }
  throw op_fail(context, "has no int8 kernel");
}

}  // namespace

void eval_binary_int8(const KernelContext& context, std::span<const TensorView> inputs,
                      std::span<const TensorView> outputs) {
  const TensorView& out = outputs[0];
  with_value_function(context, *inputs[0].quant, *inputs[1].quant, *out.quant,
                      [&](auto&& f) { broadcast_apply(inputs, out, f); });
}

std::vector<std::int8_t> binary_int8_table(const KernelContext& context, const QuantParams& q1, const QuantParams& q2,
                                           const QuantParams& qo) {
  std::vector<std::int8_t> table(kInt8PairCount);
  with_value_function(context, q1, q2, qo, [&](auto&& f) {
    for (std::size_t i = 0; i < kInt8PairCount; ++i) table[i] = f(int8_of_index(i / kInt8Values), int8_of_index(i % kInt8Values));
  });
  return table;
}

}  // namespace octet::reference
