#include "runtime/reference/common.h"

#include <fmt/ranges.h>

namespace octet::reference {

std::string op_label(const Op& op) { return fmt::format("op '{}' ({})", op.name, op_name(op.type)); }

std::string input_label(const KernelContext& context, std::size_t i) {
  const Tensor* t = context.input(i);
  return t ? fmt::format("input {} ('{}')", i, t->name) : fmt::format("input {}", i);
}

const Tensor& input_tensor(const KernelContext& context, std::size_t i) {
  const Tensor* t = context.input(i);
  if (t == nullptr) throw op_fail(context, "input {} is required", i);
  return *t;
}

const Tensor& declared_output(const KernelContext& context, std::size_t i) {
  if (i >= context.op.outputs.size()) throw op_fail(context, "output {} is missing", i);
  return context.graph.tensor(context.op.outputs[i]);
}

void require_rank(const KernelContext& context, std::size_t i, std::size_t rank) {
  const Tensor& t = input_tensor(context, i);
  if (t.shape.size() != rank) {
    throw op_fail(context, "{} must have rank {}, got shape {}", input_label(context, i), rank,
                  shape_string(t.shape));
  }
}

void require_dtype(const KernelContext& context, std::size_t i, DType dtype) {
  const Tensor& t = input_tensor(context, i);
  if (t.dtype != dtype) {
    throw op_fail(context, "{} must be {}, got {}", input_label(context, i), dtype_name(dtype), dtype_name(t.dtype));
  }
}

void require_dtype_in(const KernelContext& context, std::size_t i, std::initializer_list<DType> allowed) {
  const Tensor& t = input_tensor(context, i);
  if (std::find(allowed.begin(), allowed.end(), t.dtype) != allowed.end()) return;
  std::vector<std::string_view> names;
  for (const DType d : allowed) names.push_back(dtype_name(d));
  throw op_fail(context, "{} must be {}, got {}", input_label(context, i), fmt::join(names, " or "),
                dtype_name(t.dtype));
}

const Tensor& require_constant(const KernelContext& context, std::size_t i) {
  const Tensor& t = input_tensor(context, i);
  if (!t.is_constant()) throw op_fail(context, "{} must be a constant tensor", input_label(context, i));
  return t;
}

std::vector<std::int64_t> constant_ints(const KernelContext& context, std::size_t i) {
  const Tensor& t = require_constant(context, i);
  if (t.dtype == DType::kInt32) {
    const auto v = t.values<std::int32_t>();
    return {v.begin(), v.end()};
  }
  if (t.dtype == DType::kInt64) return t.values<std::int64_t>();
  throw op_fail(context, "{} must be int32 or int64, got {}", input_label(context, i), dtype_name(t.dtype));
}

std::int64_t constant_scalar_int(const KernelContext& context, std::size_t i) {
  const std::vector<std::int64_t> v = constant_ints(context, i);
  if (v.size() != 1 || input_tensor(context, i).shape.size() > 1) {
    throw op_fail(context, "{} must hold one value, got shape {}", input_label(context, i),
                  shape_string(input_tensor(context, i).shape));
  }
  return v[0];
}

std::size_t normalize_axis(const KernelContext& context, std::int64_t axis, std::size_t rank, std::string_view what) {
  const auto r = static_cast<std::int64_t>(rank);
  if (axis < -r || axis >= r) throw op_fail(context, "{} {} is out of range for rank {}", what, axis, rank);
  return static_cast<std::size_t>(axis < 0 ? axis + r : axis);
}

std::int64_t read_int(const TensorView& view, std::size_t i) {
  switch (view.dtype) {
    case DType::kInt32: return view.as<const std::int32_t>()[i];
    case DType::kInt64: return view.as<const std::int64_t>()[i];
    case DType::kInt16: return view.as<const std::int16_t>()[i];
    case DType::kInt8: return view.as<const std::int8_t>()[i];
    case DType::kUint8: return view.as<const std::uint8_t>()[i];
    default: break;
  }
  throw fail("reference kernel: {} is not an integer type", dtype_name(view.dtype));
}

std::int64_t window_output_size(Padding padding, std::int64_t in, std::int64_t filter, std::int64_t stride,
                                std::int64_t dilation) {
  const std::int64_t effective = (filter - 1) * dilation + 1;
  if (padding == Padding::kSame) return (in + stride - 1) / stride;
  return (in + stride - effective) / stride;
}

std::int64_t window_padding_before(std::int64_t in, std::int64_t filter, std::int64_t stride, std::int64_t dilation,
                                   std::int64_t out) {
  const std::int64_t effective = (filter - 1) * dilation + 1;
  const std::int64_t total = std::max<std::int64_t>((out - 1) * stride + effective - in, 0);
  return total / 2;
}

std::int64_t checked_window_output(const KernelContext& context, Padding padding, std::int64_t in,
                                   std::int64_t filter, std::int64_t stride, std::int64_t dilation,
                                   std::string_view axis_name) {
  if (stride < 1) throw op_fail(context, "stride_{} must be >= 1, got {}", axis_name, stride);
  if (dilation < 1) throw op_fail(context, "dilation_{} must be >= 1, got {}", axis_name, dilation);
  if (filter < 1) throw op_fail(context, "filter {} must be >= 1, got {}", axis_name, filter);
  const std::int64_t out = window_output_size(padding, in, filter, stride, dilation);
  if (out < 1) {
    throw op_fail(context, "VALID window of {} {} (dilation {}) does not fit the input {} {}", axis_name, filter,
                  dilation, axis_name, in);
  }
  return out;
}

float apply_activation(float x, Activation activation) {
  switch (activation) {
    case Activation::kNone: return x;
    case Activation::kRelu: return std::max(x, 0.0F);
    case Activation::kRelu6: return std::min(std::max(x, 0.0F), 6.0F);
    case Activation::kReluN1To1: return std::min(std::max(x, -1.0F), 1.0F);
    case Activation::kTanh: return std::tanh(x);
  }
  return x;
}

std::string_view activation_name(Activation activation) {
  switch (activation) {
    case Activation::kNone: return "NONE";
    case Activation::kRelu: return "RELU";
    case Activation::kRelu6: return "RELU6";
    case Activation::kReluN1To1: return "RELU_N1_TO_1";
    case Activation::kTanh: return "TANH";
  }
  return "?";
}

void require_activation_supported(const KernelContext& context, Activation activation, DType dtype) {
  if (activation == Activation::kTanh && dtype != DType::kFloat32) {
    throw op_fail(context, "fused activation TANH needs a float32 output, got {}", dtype_name(dtype));
  }
}

std::vector<std::int64_t> strides_of(const Shape& shape) {
  std::vector<std::int64_t> strides(shape.size(), 1);
  for (std::size_t d = shape.size(); d-- > 1;) strides[d - 1] = strides[d] * shape[d];
  return strides;
}

Shape broadcast_shapes(const KernelContext& context, const Shape& a, const Shape& b) {
  const std::size_t rank = std::max(a.size(), b.size());
  Shape out(rank, 1);
  for (std::size_t i = 0; i < rank; ++i) {
    const std::int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const std::int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) {
      throw op_fail(context, "shapes {} and {} do not broadcast", shape_string(a), shape_string(b));
    }
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::vector<std::int64_t> broadcast_strides(const Shape& shape, std::size_t rank) {
  std::vector<std::int64_t> out(rank, 0);
  const std::vector<std::int64_t> own = strides_of(shape);
  const std::size_t lead = rank - shape.size();
  for (std::size_t i = 0; i < shape.size(); ++i) out[lead + i] = shape[i] == 1 ? 0 : own[i];
  return out;
}

Odometer::Odometer(const Shape& shape, const std::vector<std::int64_t>& strides_a, std::int64_t base_a,
                   const std::vector<std::int64_t>& strides_b, std::int64_t base_b)
    : shape_(shape), strides_a_(strides_a), strides_b_(strides_b), index_(shape.size(), 0), a_(base_a), b_(base_b) {}

void Odometer::next() {
  for (std::size_t d = shape_.size(); d-- > 0;) {
    ++index_[d];
    a_ += strides_a_[d];
    b_ += strides_b_[d];
    if (index_[d] < shape_[d]) return;
    a_ -= strides_a_[d] * shape_[d];
    b_ -= strides_b_[d] * shape_[d];
    index_[d] = 0;
  }
}

}  // namespace octet::reference
