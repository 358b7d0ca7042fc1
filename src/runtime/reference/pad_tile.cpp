// PAD, PADV2 and TILE for every dtype (elements are copied by byte size).
// Paddings are a constant int32/int64 [rank, 2] tensor of (before, after)
// counts >= 0. PAD fills with zero, or with the output's zero point when it is
// quantized (as TFLite does); PADV2 fills with its scalar third input.
// int8: input and output share one quantization; PADV2's int8 constant value
// must be quantized like the output (TFLite's rule), and is copied as is.

#include "runtime/reference/common.h"
#include "runtime/reference/int8_checks.h"
#include "runtime/reference/registry.h"

namespace octet::reference {

namespace {

std::vector<std::int64_t> paddings(const KernelContext& context) {
  const Shape& in = input_tensor(context, 0).shape;
  const Tensor& p = require_constant(context, 1);
  if (p.shape != Shape{static_cast<std::int64_t>(in.size()), 2}) {
    throw op_fail(context, "paddings must have shape {}x2 for an input of rank {}, got {}", in.size(), in.size(),
                  shape_string(p.shape));
  }
  std::vector<std::int64_t> values = constant_ints(context, 1);
  for (const std::int64_t v : values) {
    if (v < 0) throw op_fail(context, "paddings [{}] must be >= 0", fmt::join(values, ","));
  }
  return values;
}

std::vector<TensorSpec> prepare_pad(const KernelContext& context) {
  const Tensor& in = input_tensor(context, 0);
  const std::vector<std::int64_t> p = paddings(context);
  if (in.dtype == DType::kInt8) require_int8_copy_quant(context, 0);
  if (context.op.type == OpType::kPadV2) {
    const Tensor& value = input_tensor(context, 2);
    if (value.dtype != in.dtype || element_count(value.shape) != 1) {
      throw op_fail(context, "constant value must be one {} value, got {} {}", dtype_name(in.dtype),
                    dtype_name(value.dtype), shape_string(value.shape));
    }
    if (in.dtype == DType::kInt8 && declared_output(context, 0).quant) {
      require_int8_per_tensor(context, value, "constant value (input 2)");
      require_same_quant(context, value, "constant value (input 2)", declared_output(context, 0), "output");
    }
  }
  Shape out = in.shape;
  for (std::size_t d = 0; d < out.size(); ++d) out[d] += p[2 * d] + p[2 * d + 1];
  return {{in.dtype, out}};
}

void eval_pad(const KernelContext& context, std::span<const TensorView> inputs, std::span<const TensorView> outputs) {
  const TensorView& in = inputs[0];
  const TensorView& out = outputs[0];
  const std::size_t size = dtype_size(in.dtype);
  const std::vector<std::int64_t> p = paddings(context);

  // The fill element's bytes.
  std::vector<std::byte> fill(size, std::byte{0});
  if (context.op.type == OpType::kPadV2) {
    std::memcpy(fill.data(), inputs[2].data, size);
  } else if (out.quant != nullptr && !out.quant->zero_point.empty() && !is_float(out.dtype)) {
    const std::int64_t zero_point = out.quant->zero_point[0];
    visit_dtype(out.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const auto value = static_cast<T>(zero_point);
      std::memcpy(fill.data(), &value, sizeof(T));
    });
  }
  const std::size_t count = out.count();
  for (std::size_t i = 0; i < count; ++i) std::memcpy(out.data + i * size, fill.data(), size);

  // Copy the input into its box of the output.
  const std::vector<std::int64_t> out_strides = strides_of(out.shape);
  std::int64_t base = 0;
  for (std::size_t d = 0; d < out_strides.size(); ++d) base += p[2 * d] * out_strides[d];
  walk1(in.shape, out_strides, base, [&](std::int64_t i, std::int64_t o) {
    std::memcpy(out.data + to_size(o) * size, in.data + to_size(i) * size, size);
  });
}

// ---- TILE: output dimension d repeats the input multiples[d] times.

std::vector<TensorSpec> prepare_tile(const KernelContext& context) {
  const Tensor& in = input_tensor(context, 0);
  if (in.dtype == DType::kInt8) require_int8_copy_quant(context, 0);
  const std::vector<std::int64_t> multiples = constant_ints(context, 1);
  if (multiples.size() != in.shape.size()) {
    throw op_fail(context, "multiples has {} values for an input of rank {}", multiples.size(), in.shape.size());
  }
  Shape out = in.shape;
  for (std::size_t d = 0; d < out.size(); ++d) {
    if (multiples[d] < 0) throw op_fail(context, "multiples [{}] must be >= 0", fmt::join(multiples, ","));
    out[d] *= multiples[d];
  }
  return {{in.dtype, out}};
}

void eval_tile(const KernelContext&, std::span<const TensorView> inputs, std::span<const TensorView> outputs) {
  const Shape& in_shape = inputs[0].shape;
  const Shape& out_shape = outputs[0].shape;
  const std::size_t rank = out_shape.size();
  const std::size_t size = dtype_size(inputs[0].dtype);
  const std::vector<std::int64_t> in_strides = strides_of(in_shape);
  const auto total = static_cast<std::int64_t>(outputs[0].count());
  std::vector<std::int64_t> index(rank, 0);
  for (std::int64_t o = 0; o < total; ++o) {
    std::int64_t i = 0;
    for (std::size_t d = 0; d < rank; ++d) i += (index[d] % in_shape[d]) * in_strides[d];
    std::memcpy(outputs[0].data + to_size(o) * size, inputs[0].data + to_size(i) * size, size);
    for (std::size_t d = rank; d-- > 0;) {
      if (++index[d] < out_shape[d]) break;
      index[d] = 0;
    }
  }
}

}  // namespace

void add_pad_tile_kernels(KernelTable& table) {
  table.add(OpType::kPad, prepare_pad, eval_pad);
  table.add(OpType::kPadV2, prepare_pad, eval_pad);
  table.add(OpType::kTile, prepare_tile, eval_tile);
}

}  // namespace octet::reference
