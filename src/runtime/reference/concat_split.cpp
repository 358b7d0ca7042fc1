// CONCATENATION, PACK, SPLIT and SPLIT_V for every dtype (elements are
// copied by byte size). Axes may be negative. Like TFLite, CONCATENATION
// takes no fused activation, SPLIT reads its axis from input 0 (the tensor is
// input 1), and SPLIT_V takes (input, size_splits, axis) with at most one -1
// size.
// int8 CONCATENATION and PACK: every input and the output are quantized per
// tensor; an input whose scale or zero point differs from the output's is
// requantized as TFLite's reference ConcatenationWithScaling does it:
//   q_out = clamp(round(q_in * (s_in / s_out) - zp_in * (s_in / s_out)) + zp_out)
// in float (1 / s_out and the ratio in float, rounding half away from zero).
// TFLite 2.12's builtin int8 CONCATENATION and PACK instead refuse inputs
// whose quantization differs from the output's (docs/int8_kernels.md).
// int8 SPLIT and SPLIT_V need every output quantized like the input.

#include "runtime/reference/common.h"
#include "runtime/reference/int8_checks.h"
#include "runtime/reference/registry.h"

namespace octet::reference {

namespace {

std::int64_t product(const Shape& shape, std::size_t begin, std::size_t end) {
  std::int64_t p = 1;
  for (std::size_t d = begin; d < end; ++d) p *= shape[d];
  return p;
}

// ---- int8 requantization shared by CONCATENATION and PACK.

void check_int8_inputs(const KernelContext& context) {
  require_int8_output(context, 0);
  for (std::size_t i = 0; i < context.op.inputs.size(); ++i) require_int8_input(context, i);
}

// Copies `count` elements of `in` starting at element `from` to `dst`,
// requantized to `out`'s parameters when the two differ (int8 only).
void copy_chunk(const TensorView& in, const TensorView& out, std::int64_t from, std::byte* dst, std::int64_t count) {
  const std::size_t size = dtype_size(out.dtype);
  const bool same = out.dtype != DType::kInt8 || (in.quant->scale[0] == out.quant->scale[0] &&
                                                   in.quant->zero_point[0] == out.quant->zero_point[0]);
  if (same) {
    copy_elements(dst, in.data + to_size(from) * size, count, size);
    return;
  }
  const float scale = in.quant->scale[0] * (1.0F / out.quant->scale[0]);
  const float bias = static_cast<float>(-in.quant->zero_point[0]) * scale;
  const std::int32_t zero_point = zero_point_of(*out.quant);
  const std::int8_t* src = in.as<const std::int8_t>() + from;
  auto* target = reinterpret_cast<std::int8_t*>(dst);
  for (std::int64_t j = 0; j < count; ++j) {
    // |q s + b| <= 255 * s_in / s_out: clamp in float before converting.
    const float rounded = std::round(static_cast<float>(src[j]) * scale + bias) + static_cast<float>(zero_point);
    target[j] = static_cast<std::int8_t>(std::clamp(rounded, static_cast<float>(quant::kInt8Min),
                                                    static_cast<float>(quant::kInt8Max)));
  }
}

// ---- CONCATENATION

std::vector<TensorSpec> prepare_concat(const KernelContext& context) {
  const auto& o = context.op.opts<ConcatenationOptions>();
  if (o.activation != Activation::kNone) {
    throw op_fail(context, "fused activation {} is not supported (TFLite's kernel requires NONE)",
                  activation_name(o.activation));
  }
  const Tensor& first = input_tensor(context, 0);
  if (first.shape.empty()) throw op_fail(context, "inputs must have rank >= 1, got a scalar");
  const std::size_t axis = normalize_axis(context, o.axis, first.shape.size(), "axis");
  Shape out = first.shape;
  for (std::size_t i = 1; i < context.op.inputs.size(); ++i) {
    const Tensor& t = input_tensor(context, i);
    if (t.dtype != first.dtype) {
      throw op_fail(context, "{} is {}, input 0 is {}", input_label(context, i), dtype_name(t.dtype),
                    dtype_name(first.dtype));
    }
    bool compatible = t.shape.size() == first.shape.size();
    for (std::size_t d = 0; compatible && d < t.shape.size(); ++d) compatible = d == axis || t.shape[d] == out[d];
    if (!compatible) {
      throw op_fail(context, "{} has shape {}, which does not concatenate with {} along axis {}",
                    input_label(context, i), shape_string(t.shape), shape_string(first.shape), o.axis);
    }
    out[axis] += t.shape[axis];
  }
  if (first.dtype == DType::kInt8) check_int8_inputs(context);
  return {{first.dtype, out}};
}

void eval_concat(const KernelContext& context, std::span<const TensorView> inputs,
                 std::span<const TensorView> outputs) {
  const Shape& out_shape = outputs[0].shape;
  const std::size_t axis = normalize_axis(context, context.op.opts<ConcatenationOptions>().axis, out_shape.size(), "axis");
  const std::size_t size = dtype_size(outputs[0].dtype);
  const std::int64_t outer = product(out_shape, 0, axis);
  const std::int64_t inner = product(out_shape, axis + 1, out_shape.size());
  std::byte* out = outputs[0].data;
  for (std::int64_t o = 0; o < outer; ++o) {
    for (const TensorView& in : inputs) {
      const std::int64_t chunk = in.shape[axis] * inner;
      copy_chunk(in, outputs[0], o * chunk, out, chunk);
      out += to_size(chunk) * size;
    }
  }
}

// ---- PACK: stacks values_count tensors of one shape along a new axis.

std::size_t pack_axis(const KernelContext& context, std::size_t rank) {
  return normalize_axis(context, context.op.opts<PackOptions>().axis, rank + 1, "axis");
}

std::vector<TensorSpec> prepare_pack(const KernelContext& context) {
  const auto& o = context.op.opts<PackOptions>();
  const std::size_t n = context.op.inputs.size();
  if (o.values_count != static_cast<int>(n)) {
    throw op_fail(context, "values_count {} differs from the {} inputs", o.values_count, n);
  }
  const Tensor& first = input_tensor(context, 0);
  for (std::size_t i = 1; i < n; ++i) {
    const Tensor& t = input_tensor(context, i);
    if (t.dtype != first.dtype || t.shape != first.shape) {
      throw op_fail(context, "{} is {} {}, input 0 is {} {}", input_label(context, i), dtype_name(t.dtype),
                    shape_string(t.shape), dtype_name(first.dtype), shape_string(first.shape));
    }
  }
  Shape out = first.shape;
  out.insert(out.begin() + static_cast<std::ptrdiff_t>(pack_axis(context, first.shape.size())),
             static_cast<std::int64_t>(n));
  if (first.dtype == DType::kInt8) check_int8_inputs(context);
  return {{first.dtype, out}};
}

void eval_pack(const KernelContext& context, std::span<const TensorView> inputs, std::span<const TensorView> outputs) {
  const Shape& in_shape = inputs[0].shape;
  const std::size_t axis = pack_axis(context, in_shape.size());
  const std::size_t size = dtype_size(outputs[0].dtype);
  const std::int64_t outer = product(in_shape, 0, axis);
  const std::int64_t inner = product(in_shape, axis, in_shape.size());
  std::byte* out = outputs[0].data;
  for (std::int64_t o = 0; o < outer; ++o) {
    for (const TensorView& in : inputs) {
      copy_chunk(in, outputs[0], o * inner, out, inner);
      out += to_size(inner) * size;
    }
  }
}

// ---- SPLIT and SPLIT_V share the split along one axis into given sizes.

struct SplitPlan {
  std::size_t axis = 0;
  std::vector<std::int64_t> sizes;
};

SplitPlan split_plan(const KernelContext& context) {
  const bool is_v = context.op.type == OpType::kSplitV;
  const std::size_t data_index = is_v ? 0 : 1;
  const std::size_t axis_index = is_v ? 2 : 0;
  const Tensor& data = input_tensor(context, data_index);
  const int num_splits = context.op.opts<SplitOptions>().num_splits;
  SplitPlan plan;
  if (data.shape.empty()) throw op_fail(context, "input must have rank >= 1, got a scalar");
  plan.axis = normalize_axis(context, constant_scalar_int(context, axis_index), data.shape.size(), "axis");
  const std::int64_t dim = data.shape[plan.axis];
  if (num_splits < 1) throw op_fail(context, "num_splits must be >= 1, got {}", num_splits);
  if (!is_v) {
    if (dim % num_splits != 0) {
      throw op_fail(context, "dimension {} of size {} does not split evenly into {}", plan.axis, dim, num_splits);
    }
    plan.sizes.assign(to_size(num_splits), dim / num_splits);
    return plan;
  }
  plan.sizes = constant_ints(context, 1);
  if (plan.sizes.size() != to_size(num_splits)) {
    throw op_fail(context, "size_splits has {} entries, num_splits is {}", plan.sizes.size(), num_splits);
  }
  std::int64_t known = 0;
  std::size_t inferred = plan.sizes.size();
  for (std::size_t i = 0; i < plan.sizes.size(); ++i) {
    if (plan.sizes[i] == -1 && inferred == plan.sizes.size()) {
      inferred = i;
    } else if (plan.sizes[i] < 0) {
      throw op_fail(context, "size_splits [{}] may hold one -1 and otherwise sizes >= 0", fmt::join(plan.sizes, ","));
    } else {
      known += plan.sizes[i];
    }
  }
  if (inferred != plan.sizes.size()) plan.sizes[inferred] = dim - known;
  if ((inferred != plan.sizes.size() && known > dim) || (inferred == plan.sizes.size() && known != dim)) {
    throw op_fail(context, "size_splits [{}] do not add up to dimension {} of size {}",
                  fmt::join(constant_ints(context, 1), ","), plan.axis, dim);
  }
  return plan;
}

std::vector<TensorSpec> prepare_split(const KernelContext& context) {
  const SplitPlan plan = split_plan(context);
  const Tensor& data = input_tensor(context, context.op.type == OpType::kSplitV ? 0 : 1);
  if (data.dtype == DType::kInt8) {
    for (std::size_t k = 0; k < plan.sizes.size(); ++k) {
      require_int8_copy_quant(context, context.op.type == OpType::kSplitV ? 0 : 1, k);
    }
  }
  std::vector<TensorSpec> specs;
  for (const std::int64_t s : plan.sizes) {
    Shape shape = data.shape;
    shape[plan.axis] = s;
    specs.push_back({data.dtype, shape});
  }
  return specs;
}

void eval_split(const KernelContext& context, std::span<const TensorView> inputs,
                std::span<const TensorView> outputs) {
  const SplitPlan plan = split_plan(context);
  const TensorView& data = inputs[context.op.type == OpType::kSplitV ? 0 : 1];
  const std::size_t size = dtype_size(data.dtype);
  const std::int64_t outer = product(data.shape, 0, plan.axis);
  const std::int64_t inner = product(data.shape, plan.axis + 1, data.shape.size());
  const std::int64_t dim = data.shape[plan.axis];
  std::int64_t offset = 0;
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    const std::int64_t chunk = plan.sizes[k] * inner;
    for (std::int64_t o = 0; o < outer; ++o) {
      copy_elements(outputs[k].data + to_size(o * chunk) * size,
                    data.data + to_size((o * dim + offset) * inner) * size, chunk, size);
    }
    offset += plan.sizes[k];
  }
}

}  // namespace

void add_concat_split_kernels(KernelTable& table) {
  table.add(OpType::kConcatenation, prepare_concat, eval_concat);
  table.add(OpType::kPack, prepare_pack, eval_pack);
  table.add(OpType::kSplit, prepare_split, eval_split);
  table.add(OpType::kSplitV, prepare_split, eval_split);
}

}  // namespace octet::reference
