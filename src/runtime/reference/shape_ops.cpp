// RESHAPE, SQUEEZE, EXPAND_DIMS, TRANSPOSE (data movement for every dtype:
// elements are copied by byte size; int8 input and output must share one
// quantization) and CAST (every dtype to every dtype).

#include <set>

#include "runtime/float16.h"
#include "runtime/reference/common.h"
#include "runtime/reference/int8_checks.h"
#include "runtime/reference/registry.h"

namespace octet::reference {

namespace {

// Ops that only relabel the shape: the bytes are copied as they are.
void eval_copy(const KernelContext&, std::span<const TensorView> inputs, std::span<const TensorView> outputs) {
  copy_elements(outputs[0].data, inputs[0].data, static_cast<std::int64_t>(inputs[0].count()),
                dtype_size(inputs[0].dtype));
}

// ---- RESHAPE: TFLite's rules: the shape input is a constant vector; one
// entry may be -1 (inferred); 0 is a zero-size dimension, not "copy".

std::vector<TensorSpec> prepare_reshape(const KernelContext& context) {
  const Tensor& in = input_tensor(context, 0);
  if (input_tensor(context, 0).dtype == DType::kInt8) require_int8_copy_quant(context, 0);
  const Tensor& shape_tensor = require_constant(context, 1);
  if (shape_tensor.shape.size() != 1) {
    throw op_fail(context, "shape must be a vector, got shape {}", shape_string(shape_tensor.shape));
  }
  Shape out = constant_ints(context, 1);
  std::int64_t known = 1;
  std::size_t inferred = out.size();
  for (std::size_t d = 0; d < out.size(); ++d) {
    if (out[d] == -1) {
      if (inferred != out.size()) throw op_fail(context, "shape {} has more than one -1", fmt::join(out, ","));
      inferred = d;
    } else if (out[d] < 0) {
      throw op_fail(context, "shape {} has a negative dimension", fmt::join(out, ","));
    } else {
      known *= out[d];
    }
  }
  const std::int64_t count = element_count(in.shape);
  if (inferred != out.size()) {
    if (known == 0 || count % known != 0) {
      throw op_fail(context, "cannot reshape {} ({} elements) to [{}]", shape_string(in.shape), count,
                    fmt::join(out, ","));
    }
    out[inferred] = count / known;
  } else if (known != count) {
    throw op_fail(context, "cannot reshape {} ({} elements) to [{}] ({} elements)", shape_string(in.shape), count,
                  fmt::join(out, ","), known);
  }
  return {{in.dtype, out}};
}

// ---- SQUEEZE: drops the listed size-1 dimensions, or every size-1 dimension.

std::vector<TensorSpec> prepare_squeeze(const KernelContext& context) {
  const Tensor& in = input_tensor(context, 0);
  if (input_tensor(context, 0).dtype == DType::kInt8) require_int8_copy_quant(context, 0);
  const auto& dims = context.op.opts<SqueezeOptions>().squeeze_dims;
  std::vector<char> drop(in.shape.size(), 0);
  if (dims.empty()) {
    for (std::size_t d = 0; d < in.shape.size(); ++d) drop[d] = in.shape[d] == 1 ? 1 : 0;
  }
  for (const int dim : dims) {
    const std::size_t d = normalize_axis(context, dim, in.shape.size(), "squeeze dimension");
    if (in.shape[d] != 1) {
      throw op_fail(context, "squeeze dimension {} has size {} in {}, not 1", dim, in.shape[d], shape_string(in.shape));
    }
    drop[d] = 1;
  }
  Shape out;
  for (std::size_t d = 0; d < in.shape.size(); ++d) {
    if (!drop[d]) out.push_back(in.shape[d]);
  }
  return {{in.dtype, out}};
}

// ---- EXPAND_DIMS: a size-1 dimension at axis in [-(rank+1), rank].

std::vector<TensorSpec> prepare_expand_dims(const KernelContext& context) {
  const Tensor& in = input_tensor(context, 0);
  if (input_tensor(context, 0).dtype == DType::kInt8) require_int8_copy_quant(context, 0);
  const std::int64_t axis = constant_scalar_int(context, 1);
  const std::size_t d = normalize_axis(context, axis, in.shape.size() + 1, "axis");
  Shape out = in.shape;
  out.insert(out.begin() + static_cast<std::ptrdiff_t>(d), 1);
  return {{in.dtype, out}};
}

// ---- TRANSPOSE: output dimension i is input dimension perm[i].

std::vector<std::size_t> transpose_perm(const KernelContext& context) {
  const std::size_t rank = input_tensor(context, 0).shape.size();
  const std::vector<std::int64_t> perm = constant_ints(context, 1);
  if (perm.size() != rank) {
    throw op_fail(context, "perm has {} entries for an input of rank {}", perm.size(), rank);
  }
  std::vector<std::size_t> result;
  std::vector<char> seen(rank, 0);
  for (const std::int64_t p : perm) {
    if (p < 0 || p >= static_cast<std::int64_t>(rank) || seen[to_size(p)]) {
      throw op_fail(context, "perm [{}] is not a permutation of 0..{}", fmt::join(perm, ","), rank - 1);
    }
    seen[to_size(p)] = 1;
    result.push_back(to_size(p));
  }
  return result;
}

std::vector<TensorSpec> prepare_transpose(const KernelContext& context) {
  const Tensor& in = input_tensor(context, 0);
  if (input_tensor(context, 0).dtype == DType::kInt8) require_int8_copy_quant(context, 0);
  Shape out;
  for (const std::size_t p : transpose_perm(context)) out.push_back(in.shape[p]);
  return {{in.dtype, out}};
}

void eval_transpose(const KernelContext& context, std::span<const TensorView> inputs,
                    std::span<const TensorView> outputs) {
  const std::vector<std::size_t> perm = transpose_perm(context);
  const std::vector<std::int64_t> in_strides = strides_of(inputs[0].shape);
  std::vector<std::int64_t> strides;
  for (const std::size_t p : perm) strides.push_back(in_strides[p]);
  const std::size_t size = dtype_size(inputs[0].dtype);
  const std::byte* in = inputs[0].data;
  std::byte* out = outputs[0].data;
  walk1(outputs[0].shape, strides, 0, [&](std::int64_t o, std::int64_t i) {
    std::memcpy(out + to_size(o) * size, in + to_size(i) * size, size);
  });
}

// ---- CAST: to CastOptions::output_type. Float to integer truncates toward
// zero and saturates (NaN -> 0) where C++ would be undefined; integer to
// integer wraps; anything to bool is `!= 0`; float16 goes through float32.

struct Half {
  std::uint16_t bits;
};

template <typename To, typename From>
To convert(From value) {
  if constexpr (std::is_same_v<From, Half>) {
    return convert<To>(half_to_float(value.bits));
  } else if constexpr (std::is_same_v<To, Half>) {
    return Half{float_to_half(static_cast<float>(value))};
  } else if constexpr (std::is_same_v<To, bool>) {
    return value != From{0};
  } else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<From>) {
    const auto v = static_cast<double>(value);
    if (std::isnan(v)) return To{0};
    if (v >= static_cast<double>(std::numeric_limits<To>::max())) return std::numeric_limits<To>::max();
    if (v <= static_cast<double>(std::numeric_limits<To>::lowest())) return std::numeric_limits<To>::lowest();
    return static_cast<To>(value);
  } else {
    return static_cast<To>(value);
  }
}

template <typename F>
void visit_cast_type(DType dtype, F&& f) {
  if (dtype == DType::kFloat16) {
    f(std::type_identity<Half>{});
  } else {
    visit_dtype(dtype, f);
  }
}

std::vector<TensorSpec> prepare_cast(const KernelContext& context) {
  const Tensor& in = input_tensor(context, 0);
  return {{context.op.opts<CastOptions>().output_type, in.shape}};
}

void eval_cast(const KernelContext&, std::span<const TensorView> inputs, std::span<const TensorView> outputs) {
  const std::size_t count = inputs[0].count();
  visit_cast_type(inputs[0].dtype, [&](auto from_tag) {
    using From = typename decltype(from_tag)::type;
    visit_cast_type(outputs[0].dtype, [&](auto to_tag) {
      using To = typename decltype(to_tag)::type;
      const From* in = inputs[0].as<const From>();
      To* out = outputs[0].as<To>();
      for (std::size_t i = 0; i < count; ++i) out[i] = convert<To>(in[i]);
    });
  });
}

}  // namespace

void add_shape_kernels(KernelTable& table) {
  table.add(OpType::kReshape, prepare_reshape, eval_copy);
  table.add(OpType::kSqueeze, prepare_squeeze, eval_copy);
  table.add(OpType::kExpandDims, prepare_expand_dims, eval_copy);
  table.add(OpType::kTranspose, prepare_transpose, eval_transpose);
  table.add(OpType::kCast, prepare_cast, eval_cast);
}

}  // namespace octet::reference
