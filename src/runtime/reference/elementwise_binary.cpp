// ADD SUB MUL DIV POW MAXIMUM MINIMUM SQUARED_DIFFERENCE with numpy
// broadcasting, on float32, int32 and int64 (both inputs and the output share
// one dtype). ADD SUB MUL DIV apply their fused activation (clamps on
// integers). Integer arithmetic wraps around (two's complement) instead of
// overflowing; integer DIV truncates toward zero like TFLite's and C++'s `/`,
// and a zero divisor is an error. Integer POW needs exponents >= 0.
// MAXIMUM / MINIMUM pick `a > b ? a : b` / `a < b ? a : b`, as TFLite does.
// int8 ADD SUB MUL MAXIMUM MINIMUM: elementwise_binary_int8.cpp.

#include "runtime/reference/common.h"
#include "runtime/reference/int8_kernels.h"
#include "runtime/reference/registry.h"

namespace octet::reference {

namespace {

template <typename T>
T wrap_add(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) + static_cast<U>(b)));
  } else {
    return a + b;
  }
}
template <typename T>
T wrap_sub(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) - static_cast<U>(b)));
  } else {
    return a - b;
  }
}
template <typename T>
T wrap_mul(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) * static_cast<U>(b)));
  } else {
    return a * b;
  }
}

template <OpType kType, typename T>
T compute(const KernelContext& context, T a, T b) {
  if constexpr (kType == OpType::kAdd) return wrap_add(a, b);
  if constexpr (kType == OpType::kSub) return wrap_sub(a, b);
  if constexpr (kType == OpType::kMul) return wrap_mul(a, b);
  if constexpr (kType == OpType::kMaximum) return a > b ? a : b;
  if constexpr (kType == OpType::kMinimum) return a < b ? a : b;
  if constexpr (kType == OpType::kSquaredDifference) {
    const T d = wrap_sub(a, b);
    return wrap_mul(d, d);
  }
  if constexpr (kType == OpType::kDiv) {
    if constexpr (std::is_integral_v<T>) {
      if (b == 0) throw op_fail(context, "integer division by zero");
      if (b == -1) return wrap_sub(T{0}, a);  // avoids the overflow of MIN / -1
      return static_cast<T>(a / b);
    } else {
      return a / b;
    }
  }
  if constexpr (kType == OpType::kPow) {
    if constexpr (std::is_integral_v<T>) {
      if (b < 0) throw op_fail(context, "integer POW needs a non-negative exponent, got {}", b);
      T result = 1;
      for (T i = 0; i < b; ++i) result = wrap_mul(result, a);
      return result;
    } else {
      return std::pow(a, b);
    }
  }
  (void)context;
  return a;
}

template <OpType kType>
Activation fused_activation(const KernelContext& context) {
  if constexpr (kType == OpType::kAdd || kType == OpType::kSub || kType == OpType::kMul || kType == OpType::kDiv) {
    return context.op.opts<BinaryOptions>().activation;
  } else {
    (void)context;
    return Activation::kNone;
  }
}

constexpr bool has_int8_form(OpType type) {
  return type == OpType::kAdd || type == OpType::kSub || type == OpType::kMul || type == OpType::kMaximum ||
         type == OpType::kMinimum;
}

template <OpType kType>
std::vector<TensorSpec> prepare_binary(const KernelContext& context) {
  if (has_int8_form(kType) && input_tensor(context, 0).dtype == DType::kInt8) return prepare_binary_int8(context);
  require_dtype_in(context, 0, {DType::kFloat32, DType::kInt32, DType::kInt64});
  const Tensor& a = input_tensor(context, 0);
  const Tensor& b = input_tensor(context, 1);
  if (a.dtype != b.dtype) {
    throw op_fail(context, "inputs must share one dtype, got {} and {}", dtype_name(a.dtype), dtype_name(b.dtype));
  }
  require_activation_supported(context, fused_activation<kType>(context), a.dtype);
  return {{a.dtype, broadcast_shapes(context, a.shape, b.shape)}};
}

template <OpType kType>
void eval_binary(const KernelContext& context, std::span<const TensorView> inputs,
                 std::span<const TensorView> outputs) {
  if (outputs[0].dtype == DType::kInt8) {
    eval_binary_int8(context, inputs, outputs);
    return;
  }
  const Activation activation = fused_activation<kType>(context);
  const Shape& out_shape = outputs[0].shape;
  const std::vector<std::int64_t> sa = broadcast_strides(inputs[0].shape, out_shape.size());
  const std::vector<std::int64_t> sb = broadcast_strides(inputs[1].shape, out_shape.size());
  visit_dtype(outputs[0].dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, std::int32_t> || std::is_same_v<T, std::int64_t>) {
      const T* a = inputs[0].as<const T>();
      const T* b = inputs[1].as<const T>();
      T* out = outputs[0].as<T>();
      walk2(out_shape, sa, 0, sb, 0, [&](std::int64_t i, std::int64_t ia, std::int64_t ib) {
        const T value = compute<kType, T>(context, a[ia], b[ib]);
        if constexpr (std::is_same_v<T, float>) {
          out[i] = apply_activation(value, activation);
        } else {
          out[i] = apply_int_activation(value, activation);
        }
      });
    }
  });
}

template <OpType kType>
void add(KernelTable& table) {
  table.add(kType, prepare_binary<kType>, eval_binary<kType>);
}

}  // namespace

void add_elementwise_binary_kernels(KernelTable& table) {
  add<OpType::kAdd>(table);
  add<OpType::kSub>(table);
  add<OpType::kMul>(table);
  add<OpType::kDiv>(table);
  add<OpType::kPow>(table);
  add<OpType::kMaximum>(table);
  add<OpType::kMinimum>(table);
  add<OpType::kSquaredDifference>(table);
}

}  // namespace octet::reference
