// MEAN, SUM, REDUCE_MAX, REDUCE_MIN over the constant axes of input 1 (int32
// or int64, scalar or vector, negative and repeated axes allowed; no axes
// copies the input). MEAN takes float32 and int8 (mean_int8.cpp); SUM, REDUCE_MAX and REDUCE_MIN
// also take int32 and int64. Like TFLite, inputs are visited in row-major
// order and sums accumulate in the element type; MEAN divides the sum by the
// number of reduced elements. REDUCE_MAX also takes int8 (input and
// output sharing one quantization, so the maximum of the int8 values is the answer).

#include "runtime/reference/common.h"
#include "runtime/reference/int8_checks.h"
#include "runtime/reference/int8_kernels.h"
#include "runtime/reference/registry.h"

namespace octet::reference {

namespace {

// One flag per input dimension: reduced or not.
std::vector<char> reduced_axes(const KernelContext& context) {
  const Tensor& axes = require_constant(context, 1);
  if (axes.shape.size() > 1) {
    throw op_fail(context, "axes must be a scalar or a vector, got shape {}", shape_string(axes.shape));
  }
  const std::size_t rank = input_tensor(context, 0).shape.size();
  std::vector<char> reduced(rank, 0);
  for (const std::int64_t axis : constant_ints(context, 1)) reduced[normalize_axis(context, axis, rank, "axis")] = 1;
  return reduced;
}

template <OpType kType>
std::vector<TensorSpec> prepare_reduce(const KernelContext& context) {
  if constexpr (kType == OpType::kMean) {
    if (input_tensor(context, 0).dtype != DType::kInt8) require_dtype(context, 0, DType::kFloat32);
  } else if constexpr (kType == OpType::kReduceMax) {
    require_dtype_in(context, 0, {DType::kFloat32, DType::kInt32, DType::kInt64, DType::kInt8});
    if (input_tensor(context, 0).dtype == DType::kInt8) require_int8_copy_quant(context, 0);
  } else {
    require_dtype_in(context, 0, {DType::kFloat32, DType::kInt32, DType::kInt64});
  }
  const Tensor& in = input_tensor(context, 0);
  const std::vector<char> reduced = reduced_axes(context);
  const bool keep = context.op.opts<ReducerOptions>().keep_dims;
  if (kType == OpType::kMean && in.dtype == DType::kInt8) require_int8_mean(context);
  Shape out;
  for (std::size_t d = 0; d < in.shape.size(); ++d) {
    if (!reduced[d]) {
      out.push_back(in.shape[d]);
    } else if (keep) {
      out.push_back(1);
    }
  }
  return {{in.dtype, out}};
}

template <OpType kType, typename T>
void reduce(const TensorView& input, const TensorView& output, const std::vector<char>& reduced) {
  const Shape& in_shape = input.shape;
  // Output strides seen from the input's index space: 0 along reduced axes.
  Shape kept_shape = in_shape;
  for (std::size_t d = 0; d < kept_shape.size(); ++d) {
    if (reduced[d]) kept_shape[d] = 1;
  }
  std::vector<std::int64_t> out_strides = strides_of(kept_shape);
  for (std::size_t d = 0; d < out_strides.size(); ++d) {
    if (reduced[d]) out_strides[d] = 0;
  }
  const T* in = input.as<const T>();
  T* out = output.as<T>();
  const std::size_t out_count = output.count();
  T init{};
  if constexpr (kType == OpType::kReduceMax) init = std::numeric_limits<T>::lowest();
  if constexpr (kType == OpType::kReduceMin) init = std::numeric_limits<T>::max();
  std::fill(out, out + out_count, init);
  walk1(in_shape, out_strides, 0, [&](std::int64_t i, std::int64_t o) {
    if constexpr (kType == OpType::kReduceMax) {
      out[o] = std::max(out[o], in[i]);
    } else if constexpr (kType == OpType::kReduceMin) {
      out[o] = std::min(out[o], in[i]);
    } else if constexpr (std::is_integral_v<T>) {
      using U = std::make_unsigned_t<T>;
      out[o] = static_cast<T>(static_cast<U>(static_cast<U>(out[o]) + static_cast<U>(in[i])));  // wraps
    } else {
      out[o] += in[i];
    }
  });
  if constexpr (kType == OpType::kMean) {
    const auto per_output = static_cast<float>(out_count == 0 ? 0 : input.count() / out_count);
    for (std::size_t i = 0; i < out_count; ++i) out[i] /= per_output;
  }
}

template <OpType kType>
void eval_reduce(const KernelContext& context, std::span<const TensorView> inputs,
                 std::span<const TensorView> outputs) {
  const std::vector<char> reduced = reduced_axes(context);
  if constexpr (kType == OpType::kMean) {
    if (inputs[0].dtype == DType::kInt8) return eval_mean_int8(context, inputs, outputs, reduced);
  }
  switch (inputs[0].dtype) {
    case DType::kFloat32: reduce<kType, float>(inputs[0], outputs[0], reduced); return;
    case DType::kInt32:
      if constexpr (kType != OpType::kMean) reduce<kType, std::int32_t>(inputs[0], outputs[0], reduced);
      return;
    case DType::kInt64:
      if constexpr (kType != OpType::kMean) reduce<kType, std::int64_t>(inputs[0], outputs[0], reduced);
      return;
    case DType::kInt8:
      if constexpr (kType == OpType::kReduceMax) reduce<kType, std::int8_t>(inputs[0], outputs[0], reduced);
      return;
    default: break;
  }
  throw op_fail(context, "unsupported dtype {}", dtype_name(inputs[0].dtype));
}

template <OpType kType>
void add(KernelTable& table) {
  table.add(kType, prepare_reduce<kType>, eval_reduce<kType>);
}

}  // namespace

void add_reduce_kernels(KernelTable& table) {
  add<OpType::kMean>(table);
  add<OpType::kSum>(table);
  add<OpType::kReduceMax>(table);
  add<OpType::kReduceMin>(table);
}

}  // namespace octet::reference
