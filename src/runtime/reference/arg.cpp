// ARG_MAX and ARG_MIN along the constant axis of input 1 (negative allowed),
// removing that axis; the output is int32 or int64 per the options, and ties
// keep the first index (a later element must be strictly greater / smaller).

#include "runtime/reference/common.h"
#include "runtime/reference/registry.h"

namespace octet::reference {

namespace {

std::size_t arg_axis(const KernelContext& context) {
  const Shape& in = input_tensor(context, 0).shape;
  return normalize_axis(context, constant_scalar_int(context, 1), in.size(), "axis");
}

std::vector<TensorSpec> prepare_arg(const KernelContext& context) {
  require_dtype_in(context, 0, {DType::kFloat32, DType::kInt8, DType::kUint8, DType::kInt16, DType::kInt32,
                                DType::kInt64});
  const Tensor& in = input_tensor(context, 0);
  if (in.shape.empty()) throw op_fail(context, "input must have rank >= 1, got a scalar");
  const DType out_type = context.op.opts<ArgOptions>().output_type;
  if (out_type != DType::kInt32 && out_type != DType::kInt64) {
    throw op_fail(context, "output_type must be int32 or int64, got {}", dtype_name(out_type));
  }
  const std::size_t axis = arg_axis(context);
  if (in.shape[axis] == 0) throw op_fail(context, "axis {} has size 0", axis);
  Shape out = in.shape;
  out.erase(out.begin() + static_cast<std::ptrdiff_t>(axis));
  return {{out_type, out}};
}

template <bool kMax, typename T, typename Index>
void arg(const TensorView& input, const TensorView& output, std::size_t axis) {
  const Shape& shape = input.shape;
  std::int64_t outer = 1, inner = 1;
  for (std::size_t d = 0; d < axis; ++d) outer *= shape[d];
  for (std::size_t d = axis + 1; d < shape.size(); ++d) inner *= shape[d];
  const std::int64_t n = shape[axis];
  const T* in = input.as<const T>();
  Index* out = output.as<Index>();
  for (std::int64_t o = 0; o < outer; ++o) {
    for (std::int64_t i = 0; i < inner; ++i) {
      const T* x = in + o * n * inner + i;
      T best = x[0];
      std::int64_t best_index = 0;
      for (std::int64_t k = 1; k < n; ++k) {
        const T v = x[k * inner];
        if (kMax ? v > best : v < best) {
          best = v;
          best_index = k;
        }
      }
      out[o * inner + i] = static_cast<Index>(best_index);
    }
  }
}

template <bool kMax>
void eval_arg(const KernelContext& context, std::span<const TensorView> inputs, std::span<const TensorView> outputs) {
  const std::size_t axis = arg_axis(context);
  visit_dtype(inputs[0].dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_same_v<T, bool>) {
      if (outputs[0].dtype == DType::kInt32) {
        arg<kMax, T, std::int32_t>(inputs[0], outputs[0], axis);
      } else {
        arg<kMax, T, std::int64_t>(inputs[0], outputs[0], axis);
      }
    }
  });
}

}  // namespace

void add_arg_kernels(KernelTable& table) {
  table.add(OpType::kArgMax, prepare_arg, eval_arg<true>);
  table.add(OpType::kArgMin, prepare_arg, eval_arg<false>);
}

}  // namespace octet::reference
