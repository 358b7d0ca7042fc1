// SLICE, STRIDED_SLICE and GATHER for every dtype (elements are copied by
// byte size). Index inputs (begin, size, end, strides) are constant int32 or
// int64 vectors. int8 input and output must share one quantization.

#include <bit>

#include "runtime/reference/common.h"
#include "runtime/reference/int8_checks.h"
#include "runtime/reference/registry.h"

namespace octet::reference {

namespace {

// A box of the input, walked with per-dimension strides (in elements, any
// sign) from a base offset.
struct Window {
  Shape shape;
  std::vector<std::int64_t> strides;
  std::int64_t base = 0;
};

void copy_window(const Window& w, const TensorView& in, const TensorView& out) {
  const std::size_t size = dtype_size(in.dtype);
  walk1(w.shape, w.strides, w.base, [&](std::int64_t o, std::int64_t i) {
    std::memcpy(out.data + to_size(o) * size, in.data + to_size(i) * size, size);
  });
}

// ---- SLICE: begin and size per dimension; size -1 runs to the end.

Window slice_window(const KernelContext& context) {
  const Shape& in = input_tensor(context, 0).shape;
  const std::vector<std::int64_t> begin = constant_ints(context, 1);
  const std::vector<std::int64_t> size = constant_ints(context, 2);
  if (begin.size() != in.size() || size.size() != in.size()) {
    throw op_fail(context, "begin ({} values) and size ({} values) must have one value per input dimension ({})",
                  begin.size(), size.size(), in.size());
  }
  Window w;
  const std::vector<std::int64_t> strides = strides_of(in);
  for (std::size_t d = 0; d < in.size(); ++d) {
    const std::int64_t extent = size[d] == -1 ? in[d] - begin[d] : size[d];
    if (begin[d] < 0 || begin[d] > in[d] || extent < 0 || begin[d] + extent > in[d]) {
      throw op_fail(context, "slice begin {} size {} is outside dimension {} of size {}", begin[d], size[d], d, in[d]);
    }
    w.shape.push_back(extent);
    w.strides.push_back(strides[d]);
    w.base += begin[d] * strides[d];
  }
  return w;
}

std::vector<TensorSpec> prepare_slice(const KernelContext& context) {
  if (input_tensor(context, 0).dtype == DType::kInt8) require_int8_copy_quant(context, 0);
  return {{input_tensor(context, 0).dtype, slice_window(context).shape}};
}

void eval_slice(const KernelContext& context, std::span<const TensorView> inputs,
                std::span<const TensorView> outputs) {
  copy_window(slice_window(context), inputs[0], outputs[0]);
}

// ---- STRIDED_SLICE: TensorFlow's full semantics (begin/end/ellipsis/
// new_axis/shrink_axis masks, negative indices and strides) with TFLite's
// clamping: begin and end are clamped to [0, dim] for positive strides and
// [-1, dim - 1] for negative ones. A shrunk axis takes the one element at
// begin (after begin_mask, as TFLite computes it), which must be in range,
// with a positive stride.

struct StridedPlan {
  Window window;  // over the input dimensions (shrunk ones have extent 1)
  Shape output;   // the final shape (new axes added, shrunk axes removed)
};

StridedPlan strided_plan(const KernelContext& context) {
  const auto& o = context.op.opts<StridedSliceOptions>();
  const Shape& in = input_tensor(context, 0).shape;
  const std::vector<std::int64_t> begin = constant_ints(context, 1);
  const std::vector<std::int64_t> end = constant_ints(context, 2);
  const std::vector<std::int64_t> stride = constant_ints(context, 3);
  const std::size_t n = begin.size();
  if (end.size() != n || stride.size() != n) {
    throw op_fail(context, "begin, end and strides must have one length, got {}, {} and {}", n, end.size(),
                  stride.size());
  }
  if (n > 31) throw op_fail(context, "at most 31 slice entries are supported, got {}", n);
  const auto bit = [](int mask, std::size_t i) { return (mask >> i & 1) != 0; };
  if (std::popcount(static_cast<unsigned>(o.ellipsis_mask)) > 1) {
    throw op_fail(context, "ellipsis_mask {} has more than one bit set", o.ellipsis_mask);
  }

  // Sparse entries to dense (one per input dimension); an ellipsis, explicit
  // or implied at the end, covers the dimensions no entry names.
  struct Dense {
    std::int64_t begin = 0, end = 0, stride = 1;
    bool begin_masked = true, end_masked = true, shrink = false;
  };
  std::vector<Dense> dense(in.size());
  std::vector<std::int64_t> final_dims;  // dense index, or -1 for a new axis
  std::size_t consumed = 0;              // entries that name an input dimension
  for (std::size_t i = 0; i < n; ++i) {
    if (!bit(o.new_axis_mask, i) && !bit(o.ellipsis_mask, i)) ++consumed;
  }
  const bool has_ellipsis = o.ellipsis_mask != 0 && std::countr_zero(static_cast<unsigned>(o.ellipsis_mask)) < static_cast<int>(n);
  if (consumed > in.size()) {
    throw op_fail(context, "{} slice entries index an input of rank {}", consumed, in.size());
  }
  std::size_t full = 0;
  const auto take_rest = [&](std::size_t upto) {
    for (; full < upto; ++full) final_dims.push_back(static_cast<std::int64_t>(full));
  };
  for (std::size_t i = 0; i < n; ++i) {
    if (bit(o.ellipsis_mask, i)) {
      take_rest(full + (in.size() - consumed));
    } else if (bit(o.new_axis_mask, i)) {
      final_dims.push_back(-1);
    } else {
      Dense& d = dense[full];
      d.begin = begin[i];
      d.end = end[i];
      d.stride = stride[i];
      d.begin_masked = bit(o.begin_mask, i);
      d.end_masked = bit(o.end_mask, i);
      d.shrink = bit(o.shrink_axis_mask, i);
      final_dims.push_back(static_cast<std::int64_t>(full));
      ++full;
    }
  }
  if (!has_ellipsis) take_rest(in.size());

  StridedPlan plan;
  const std::vector<std::int64_t> in_strides = strides_of(in);
  std::vector<std::int64_t> extent(in.size());
  for (std::size_t dim = 0; dim < in.size(); ++dim) {
    const Dense& d = dense[dim];
    const std::int64_t size = in[dim];
    if (d.stride == 0) throw op_fail(context, "stride of dimension {} is 0", dim);
    const auto clamp = [&](std::int64_t x) {
      if (x < 0) x += size;
      return d.stride > 0 ? std::clamp<std::int64_t>(x, 0, size) : std::clamp<std::int64_t>(x, -1, size - 1);
    };
    std::int64_t start = 0;
    if (d.begin_masked) {
      start = d.stride > 0 ? 0 : size - 1;
    } else {
      start = clamp(d.begin);
    }
    if (d.shrink) {
      if (d.stride < 0) throw op_fail(context, "shrunk dimension {} needs a positive stride", dim);
      if (start < 0 || start >= size) {
        throw op_fail(context, "index {} of shrunk dimension {} is outside its size {}", d.begin, dim, size);
      }
      extent[dim] = 1;
    } else {
      const std::int64_t stop = d.end_masked ? (d.stride > 0 ? size : -1) : clamp(d.end);
      const std::int64_t span = d.stride > 0 ? stop - start : start - stop;
      const std::int64_t step = d.stride > 0 ? d.stride : -d.stride;
      extent[dim] = span > 0 ? (span + step - 1) / step : 0;
    }
    plan.window.shape.push_back(extent[dim]);
    plan.window.strides.push_back(in_strides[dim] * d.stride);
    plan.window.base += start * in_strides[dim];
  }
  for (const std::int64_t f : final_dims) {
    if (f < 0) {
      plan.output.push_back(1);
    } else if (!dense[to_size(f)].shrink) {
      plan.output.push_back(extent[to_size(f)]);
    }
  }
  return plan;
}

std::vector<TensorSpec> prepare_strided_slice(const KernelContext& context) {
  if (input_tensor(context, 0).dtype == DType::kInt8) require_int8_copy_quant(context, 0);
  return {{input_tensor(context, 0).dtype, strided_plan(context).output}};
}

void eval_strided_slice(const KernelContext& context, std::span<const TensorView> inputs,
                        std::span<const TensorView> outputs) {
  copy_window(strided_plan(context).window, inputs[0], outputs[0]);
}

// ---- GATHER: output = params[:axis] + indices[batch_dims:] + params[axis+1:].

struct GatherDims {
  std::size_t axis = 0;
  std::size_t batch_dims = 0;
};

GatherDims gather_dims(const KernelContext& context) {
  const auto& o = context.op.opts<GatherOptions>();
  const Shape& params = input_tensor(context, 0).shape;
  const Shape& indices = input_tensor(context, 1).shape;
  if (params.empty()) throw op_fail(context, "params must have rank >= 1, got a scalar");
  GatherDims g;
  g.axis = normalize_axis(context, o.axis, params.size(), "axis");
  const std::int64_t batch = o.batch_dims < 0 ? o.batch_dims + static_cast<std::int64_t>(indices.size()) : o.batch_dims;
  if (batch < 0 || to_size(batch) > indices.size() || to_size(batch) > g.axis) {
    throw op_fail(context, "batch_dims {} must be in [0, min(axis {}, indices rank {})]", o.batch_dims, g.axis,
                  indices.size());
  }
  g.batch_dims = to_size(batch);
  for (std::size_t d = 0; d < g.batch_dims; ++d) {
    if (params[d] != indices[d]) {
      throw op_fail(context, "batch dimension {} differs: params {} vs indices {}", d, shape_string(params),
                    shape_string(indices));
    }
  }
  return g;
}

std::vector<TensorSpec> prepare_gather(const KernelContext& context) {
  if (input_tensor(context, 0).dtype == DType::kInt8) require_int8_copy_quant(context, 0);
  require_dtype_in(context, 1, {DType::kInt32, DType::kInt64});
  const Tensor& params = input_tensor(context, 0);
  const Shape& indices = input_tensor(context, 1).shape;
  const GatherDims g = gather_dims(context);
  Shape out(params.shape.begin(), params.shape.begin() + static_cast<std::ptrdiff_t>(g.axis));
  out.insert(out.end(), indices.begin() + static_cast<std::ptrdiff_t>(g.batch_dims), indices.end());
  out.insert(out.end(), params.shape.begin() + static_cast<std::ptrdiff_t>(g.axis) + 1, params.shape.end());
  return {{params.dtype, out}};
}

void eval_gather(const KernelContext& context, std::span<const TensorView> inputs,
                 std::span<const TensorView> outputs) {
  const GatherDims g = gather_dims(context);
  const Shape& params = inputs[0].shape;
  const Shape& indices = inputs[1].shape;
  const auto product = [](const Shape& s, std::size_t b, std::size_t e) {
    std::int64_t p = 1;
    for (std::size_t d = b; d < e; ++d) p *= s[d];
    return p;
  };
  const std::int64_t batches = product(params, 0, g.batch_dims);
  const std::int64_t outer = product(params, g.batch_dims, g.axis);
  const std::int64_t axis_size = params[g.axis];
  const std::int64_t inner = product(params, g.axis + 1, params.size());
  const std::int64_t coords = product(indices, g.batch_dims, indices.size());
  const std::size_t size = dtype_size(inputs[0].dtype);
  for (std::int64_t b = 0; b < batches; ++b) {
    for (std::int64_t o = 0; o < outer; ++o) {
      for (std::int64_t c = 0; c < coords; ++c) {
        const std::int64_t index = read_int(inputs[1], to_size(b * coords + c));
        if (index < 0 || index >= axis_size) {
          throw op_fail(context, "index {} is outside [0, {})", index, axis_size);
        }
        const std::int64_t from = ((b * outer + o) * axis_size + index) * inner;
        const std::int64_t to = ((b * outer + o) * coords + c) * inner;
        copy_elements(outputs[0].data + to_size(to) * size, inputs[0].data + to_size(from) * size, inner, size);
      }
    }
  }
}

}  // namespace

void add_slice_kernels(KernelTable& table) {
  table.add(OpType::kSlice, prepare_slice, eval_slice);
  table.add(OpType::kStridedSlice, prepare_strided_slice, eval_strided_slice);
  table.add(OpType::kGather, prepare_gather, eval_gather);
}

}  // namespace octet::reference
