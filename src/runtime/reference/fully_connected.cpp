// FULLY_CONNECTED (weights [out, in]; the input is read as [-1, in] unless
// keep_num_dims) and BATCH_MATMUL (numpy-broadcast batch dimensions, adj_x /
// adj_y transpose the last two dimensions of lhs / rhs), float32. An int8
// FULLY_CONNECTED input selects fully_connected_int8.cpp (same shapes; the
// quantization is checked here with int8_common.h). BATCH_MATMUL also runs
// int8 here (both operands and the output int8 per tensor, any zero points),
// with TFLite's optimized builtin arithmetic (eval_batch_matmul).

#include "runtime/reference/common.h"
#include "runtime/reference/int8_common.h"
#include "runtime/reference/int8_kernels.h"
#include "runtime/reference/registry.h"

namespace octet::reference {

namespace {

std::vector<TensorSpec> prepare_fully_connected(const KernelContext& context) {
  const auto& o = context.op.opts<FullyConnectedOptions>();
  const DType dtype = input_tensor(context, 0).dtype == DType::kInt8 ? DType::kInt8 : DType::kFloat32;
  require_dtype(context, 0, dtype);
  if (dtype == DType::kFloat32) require_dtype(context, 1, DType::kFloat32);
  require_rank(context, 1, 2);
  const Shape& in = input_tensor(context, 0).shape;
  const Shape& weights = input_tensor(context, 1).shape;
  const std::int64_t units = weights[0];
  const std::int64_t depth = weights[1];
  if (in.empty()) throw op_fail(context, "input must have rank >= 1, got a scalar");
  if (depth < 1 || element_count(in) % depth != 0) {
    throw op_fail(context, "input {} cannot be read as rows of the weights' {} input features", shape_string(in),
                  depth);
  }
  if (dtype == DType::kInt8) {
    require_int8_conv_quant(context, 0, 1, 2, 0, units);
  } else if (const Tensor* bias = context.input(2)) {
    require_dtype(context, 2, DType::kFloat32);
    if (bias->shape != Shape{units}) {
      throw op_fail(context, "bias '{}' must have shape {}, got {}", bias->name, units, shape_string(bias->shape));
    }
  }
  require_activation_supported(context, o.activation, dtype);
  if (o.keep_num_dims) {
    if (in.back() != depth) {
      throw op_fail(context, "keep_num_dims needs the input's last dimension {} to equal the weights' {}", in.back(),
                    depth);
    }
    Shape out = in;
    out.back() = units;
    return {{dtype, out}};
  }
  return {{dtype, {element_count(in) / depth, units}}};
}

void eval_fully_connected(const KernelContext& context, std::span<const TensorView> inputs,
                          std::span<const TensorView> outputs) {
  if (inputs[0].dtype == DType::kInt8) return eval_fully_connected_int8(context, inputs, outputs);
  const auto& o = context.op.opts<FullyConnectedOptions>();
  const float* input = inputs[0].as<const float>();
  const float* weights = inputs[1].as<const float>();
  const float* bias = inputs.size() > 2 ? inputs[2].as<const float>() : nullptr;
  float* output = outputs[0].as<float>();
  const std::int64_t units = inputs[1].shape[0];
  const std::int64_t depth = inputs[1].shape[1];
  const std::int64_t rows = static_cast<std::int64_t>(inputs[0].count()) / depth;
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t u = 0; u < units; ++u) {
      float total = 0.0F;
      for (std::int64_t d = 0; d < depth; ++d) total += input[r * depth + d] * weights[u * depth + d];
      const float biased = total + (bias != nullptr ? bias[u] : 0.0F);
      output[r * units + u] = apply_activation(biased, o.activation);
    }
  }
}

// ---- BATCH_MATMUL

// TFLite's int8 BatchMatMul Prepare: both operands and the output int8, each quantized per tensor.
void require_int8_batch_matmul_quant(const KernelContext& context) {
  require_per_tensor_quant(context, input_tensor(context, 0), "lhs");
  require_per_tensor_quant(context, input_tensor(context, 1), "rhs");
  require_int8_output(context);
}

// GetQuantizedConvolutionMultipler: QuantizeMultiplier(double(s_lhs) * double(s_rhs) / double(s_out)).
quant::FixedPointMultiplier batch_matmul_multiplier(float lhs_scale, float rhs_scale, float output_scale) {
  return quant::quantize_multiplier(static_cast<double>(lhs_scale) * static_cast<double>(rhs_scale) /
                                    static_cast<double>(output_scale));
}

struct MatMulDims {
  Shape batch;  // broadcast batch shape
  std::int64_t m = 0, k = 0, n = 0;
};

MatMulDims matmul_dims(const KernelContext& context, const Shape& lhs, const Shape& rhs) {
  const auto& o = context.op.opts<BatchMatMulOptions>();
  if (lhs.size() < 2 || rhs.size() < 2) {
    throw op_fail(context, "operands must have rank >= 2, got {} and {}", shape_string(lhs), shape_string(rhs));
  }
  const std::size_t lr = lhs.size(), rr = rhs.size();
  MatMulDims d;
  d.m = o.adj_x ? lhs[lr - 1] : lhs[lr - 2];
  d.k = o.adj_x ? lhs[lr - 2] : lhs[lr - 1];
  const std::int64_t rhs_k = o.adj_y ? rhs[rr - 1] : rhs[rr - 2];
  d.n = o.adj_y ? rhs[rr - 2] : rhs[rr - 1];
  if (d.k != rhs_k) {
    throw op_fail(context, "contracted dimensions differ: lhs {} has {}, rhs {} has {} (adj_x {}, adj_y {})",
                  shape_string(lhs), d.k, shape_string(rhs), rhs_k, o.adj_x, o.adj_y);
  }
  d.batch = broadcast_shapes(context, Shape(lhs.begin(), lhs.end() - 2), Shape(rhs.begin(), rhs.end() - 2));
  return d;
}

std::vector<TensorSpec> prepare_batch_matmul(const KernelContext& context) {
  const DType dtype = input_tensor(context, 0).dtype == DType::kInt8 ? DType::kInt8 : DType::kFloat32;
  require_dtype(context, 0, dtype);
  require_dtype(context, 1, dtype);
  if (dtype == DType::kInt8) require_int8_batch_matmul_quant(context);
  const MatMulDims d = matmul_dims(context, input_tensor(context, 0).shape, input_tensor(context, 1).shape);
  Shape out = d.batch;
  out.push_back(d.m);
  out.push_back(d.n);
  return {{dtype, out}};
}

// lhs x rhs per broadcast batch: acc = sum_k (a[i, k] - lhs_zero) (b[k, j] - rhs_zero), then finish(acc)
// stores out[i, j] (float: the sum itself, zero points 0; int8: requantized).
template <typename T, typename Acc, typename Finish>
void batch_matmul(const KernelContext& context, std::span<const TensorView> inputs, std::span<const TensorView> outputs,
                  [[maybe_unused]] Acc lhs_zero, [[maybe_unused]] Acc rhs_zero, Finish finish) {
  const auto& o = context.op.opts<BatchMatMulOptions>();
  const Shape& lhs_shape = inputs[0].shape;
  const Shape& rhs_shape = inputs[1].shape;
  const MatMulDims d = matmul_dims(context, lhs_shape, rhs_shape);
  const T* lhs = inputs[0].as<const T>();
  const T* rhs = inputs[1].as<const T>();
  T* output = outputs[0].as<T>();

  // Element strides of each operand's row and column (after adj_*).
  const std::int64_t lhs_cols = lhs_shape[lhs_shape.size() - 1];
  const std::int64_t rhs_cols = rhs_shape[rhs_shape.size() - 1];
  const std::int64_t lhs_row_stride = o.adj_x ? 1 : lhs_cols;  // step along m
  const std::int64_t lhs_k_stride = o.adj_x ? lhs_cols : 1;    // step along k
  const std::int64_t rhs_k_stride = o.adj_y ? 1 : rhs_cols;
  const std::int64_t rhs_col_stride = o.adj_y ? rhs_cols : 1;  // step along n

  // Batch offsets in matrices, broadcast over the batch shape.
  const Shape lhs_batch(lhs_shape.begin(), lhs_shape.end() - 2);
  const Shape rhs_batch(rhs_shape.begin(), rhs_shape.end() - 2);
  std::vector<std::int64_t> lhs_strides = broadcast_strides(lhs_batch, d.batch.size());
  std::vector<std::int64_t> rhs_strides = broadcast_strides(rhs_batch, d.batch.size());
  for (auto& s : lhs_strides) s *= d.m * d.k;
  for (auto& s : rhs_strides) s *= d.k * d.n;

  walk2(d.batch, lhs_strides, 0, rhs_strides, 0, [&](std::int64_t batch, std::int64_t lhs_at, std::int64_t rhs_at) {
    const T* a = lhs + lhs_at;
    const T* b = rhs + rhs_at;
    T* out = output + batch * d.m * d.n;
    for (std::int64_t i = 0; i < d.m; ++i) {
      for (std::int64_t j = 0; j < d.n; ++j) {
        Acc total{};
        for (std::int64_t k = 0; k < d.k; ++k) {
          const Acc x = static_cast<Acc>(a[i * lhs_row_stride + k * lhs_k_stride]);
          const Acc y = static_cast<Acc>(b[k * rhs_k_stride + j * rhs_col_stride]);
          if constexpr (std::is_floating_point_v<Acc>) {
            total += x * y;
          } else {
            total += (x - lhs_zero) * (y - rhs_zero);
          }
        }
        out[i * d.n + j] = finish(total);
      }
    }
  });
}

void eval_batch_matmul(const KernelContext& context, std::span<const TensorView> inputs,
                       std::span<const TensorView> outputs) {
  if (inputs[0].dtype == DType::kInt8) {
    // TFLite's optimized builtin int8 BatchMatMul (cpu_backend_gemm through ruy; XNNPACK takes no int8
    // BATCH_MATMUL in TF 2.12): ruy's single rounding with M = QuantizeMultiplier(s_lhs s_rhs / s_out),
    // + the output zero point, clamped to int8 (no fused activation).
    const TensorQuant lhs = view_quant(inputs[0]);
    const TensorQuant rhs = view_quant(inputs[1]);
    const TensorQuant out = view_quant(outputs[0]);
    const quant::FixedPointMultiplier m = batch_matmul_multiplier(lhs.scale, rhs.scale, out.scale);
    batch_matmul<std::int8_t, std::int64_t>(context, inputs, outputs, lhs.zero_point, rhs.zero_point,
                                            [&](std::int64_t acc) {
      const std::int64_t v =
          std::int64_t{quant::multiply_by_quantized_multiplier_single_rounding(saturate_accumulator(acc), m)} +
          out.zero_point;
      return static_cast<std::int8_t>(std::clamp<std::int64_t>(v, quant::kInt8Min, quant::kInt8Max));
    });
    return;
  }
  batch_matmul<float, float>(context, inputs, outputs, 0.0F, 0.0F, [](float total) { return total; });
}

}  // namespace

void add_fully_connected_kernels(KernelTable& table) {
  table.add(OpType::kFullyConnected, prepare_fully_connected, eval_fully_connected);
  table.add(OpType::kBatchMatMul, prepare_batch_matmul, eval_batch_matmul);
}

}  // namespace octet::reference
