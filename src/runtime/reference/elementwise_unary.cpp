// Element-wise activations and math functions on float32 (ABS and NEG also on
// int32 and int64, wrapping at the minimum value), and PRELU with an alpha
// broadcast against the input. Formulas are TFLite's reference ones. int8
// activations and PRELU: activation_int8.cpp.

#include <numbers>

#include "runtime/reference/common.h"
#include "runtime/reference/int8_kernels.h"
#include "runtime/reference/registry.h"

namespace octet::reference {

namespace {

float gelu(float x, bool approximate) {
  if (approximate) {
    // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    const auto sqrt_2_over_pi = static_cast<float>(std::numbers::sqrt2 * std::numbers::inv_sqrtpi);
    return 0.5F * x * (1.0F + std::tanh(sqrt_2_over_pi * (x + 0.044715F * x * x * x)));
  }
  // 0.5 x (1 + erf(x / sqrt 2)), written with erfc to stay accurate for large negative x.
  return 0.5F * x * std::erfc(x * static_cast<float>(-1.0 / std::numbers::sqrt2));
}

template <OpType kType>
float compute_float(const KernelContext& context, float x) {
  if constexpr (kType == OpType::kLogistic) return 1.0F / (1.0F + std::exp(-x));
  if constexpr (kType == OpType::kTanh) return std::tanh(x);
  if constexpr (kType == OpType::kRelu) return std::max(0.0F, x);
  if constexpr (kType == OpType::kRelu6) return std::min(std::max(0.0F, x), 6.0F);
  if constexpr (kType == OpType::kReluN1To1) return std::min(std::max(-1.0F, x), 1.0F);
  if constexpr (kType == OpType::kLeakyRelu) return x > 0.0F ? x : x * context.op.opts<LeakyReluOptions>().alpha;
  if constexpr (kType == OpType::kHardSwish) return x * std::min(6.0F, std::max(0.0F, x + 3.0F)) / 6.0F;
  if constexpr (kType == OpType::kGelu) return gelu(x, context.op.opts<GeluOptions>().approximate);
  if constexpr (kType == OpType::kExp) return std::exp(x);
  if constexpr (kType == OpType::kLog) return std::log(x);
  if constexpr (kType == OpType::kSqrt) return std::sqrt(x);
  if constexpr (kType == OpType::kRsqrt) return 1.0F / std::sqrt(x);
  if constexpr (kType == OpType::kAbs) return std::fabs(x);
  if constexpr (kType == OpType::kNeg) return -x;
  (void)context;
  return x;
}

template <typename T>
T compute_int(OpType type, T x) {
  using U = std::make_unsigned_t<T>;
  const T negated = static_cast<T>(static_cast<U>(U{0} - static_cast<U>(x)));  // wraps at the minimum
  if (type == OpType::kNeg) return negated;
  return x < 0 ? negated : x;  // kAbs
}

constexpr bool has_integer_form(OpType type) { return type == OpType::kAbs || type == OpType::kNeg; }
constexpr bool has_int8_form(OpType type) {
  return type == OpType::kLogistic || type == OpType::kTanh || type == OpType::kRelu || type == OpType::kRelu6 ||
         type == OpType::kReluN1To1 || type == OpType::kLeakyRelu || type == OpType::kHardSwish ||
         type == OpType::kGelu;
}

template <OpType kType>
std::vector<TensorSpec> prepare_unary(const KernelContext& context) {
  if (has_int8_form(kType) && input_tensor(context, 0).dtype == DType::kInt8) return prepare_activation_int8(context);
  if constexpr (has_integer_form(kType)) {
    require_dtype_in(context, 0, {DType::kFloat32, DType::kInt32, DType::kInt64});
  } else {
    require_dtype(context, 0, DType::kFloat32);
  }
  const Tensor& in = input_tensor(context, 0);
  return {{in.dtype, in.shape}};
}

template <OpType kType>
void eval_unary(const KernelContext& context, std::span<const TensorView> inputs,
                std::span<const TensorView> outputs) {
  const std::size_t count = outputs[0].count();
  switch (inputs[0].dtype) {
    case DType::kFloat32: {
      const float* in = inputs[0].as<const float>();
      float* out = outputs[0].as<float>();
      for (std::size_t i = 0; i < count; ++i) out[i] = compute_float<kType>(context, in[i]);
      return;
    }
    case DType::kInt32: {
      const auto* in = inputs[0].as<const std::int32_t>();
      auto* out = outputs[0].as<std::int32_t>();
      for (std::size_t i = 0; i < count; ++i) out[i] = compute_int(kType, in[i]);
      return;
    }
    case DType::kInt64: {
      const auto* in = inputs[0].as<const std::int64_t>();
      auto* out = outputs[0].as<std::int64_t>();
      for (std::size_t i = 0; i < count; ++i) out[i] = compute_int(kType, in[i]);
      return;
    }
    case DType::kInt8: eval_activation_int8(context, inputs, outputs); return;
    default: break;
  }
  throw op_fail(context, "unsupported dtype {}", dtype_name(inputs[0].dtype));
}

// ---- PRELU: x >= 0 ? x : x * alpha, alpha broadcast against x.

std::vector<TensorSpec> prepare_prelu(const KernelContext& context) {
  if (input_tensor(context, 0).dtype == DType::kInt8) return prepare_prelu_int8(context);
  require_dtype(context, 0, DType::kFloat32);
  require_dtype(context, 1, DType::kFloat32);
  return {{DType::kFloat32, broadcast_shapes(context, input_tensor(context, 0).shape, input_tensor(context, 1).shape)}};
}

void eval_prelu(const KernelContext& context, std::span<const TensorView> inputs,
                std::span<const TensorView> outputs) {
  if (outputs[0].dtype == DType::kInt8) {
    eval_prelu_int8(context, inputs, outputs);
    return;
  }
  const Shape& out_shape = outputs[0].shape;
  const float* x = inputs[0].as<const float>();
  const float* alpha = inputs[1].as<const float>();
  float* out = outputs[0].as<float>();
  walk2(out_shape, broadcast_strides(inputs[0].shape, out_shape.size()), 0,
        broadcast_strides(inputs[1].shape, out_shape.size()), 0,
        [&](std::int64_t i, std::int64_t ix, std::int64_t ia) { out[i] = x[ix] >= 0.0F ? x[ix] : x[ix] * alpha[ia]; });
}

template <OpType kType>
void add(KernelTable& table) {
  table.add(kType, prepare_unary<kType>, eval_unary<kType>);
}

}  // namespace

void add_elementwise_unary_kernels(KernelTable& table) {
  add<OpType::kLogistic>(table);
  add<OpType::kTanh>(table);
  add<OpType::kRelu>(table);
  add<OpType::kRelu6>(table);
  add<OpType::kReluN1To1>(table);
  add<OpType::kLeakyRelu>(table);
  add<OpType::kHardSwish>(table);
  add<OpType::kGelu>(table);
  add<OpType::kExp>(table);
  add<OpType::kLog>(table);
  add<OpType::kSqrt>(table);
  add<OpType::kRsqrt>(table);
  add<OpType::kAbs>(table);
  add<OpType::kNeg>(table);
  table.add(OpType::kPrelu, prepare_prelu, eval_prelu);
}

}  // namespace octet::reference
