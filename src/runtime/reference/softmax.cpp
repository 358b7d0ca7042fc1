// SOFTMAX (exp(beta (x - max)) / sum) and LOG_SOFTMAX ((x - max) - log(sum
// exp(x - max))) over the last axis of a float32 tensor, as TFLite computes them.
// int8 SOFTMAX: softmax_int8.cpp; int8 LOG_SOFTMAX: log_softmax_int8.cpp.

#include "runtime/reference/common.h"
#include "runtime/reference/int8_kernels.h"
#include "runtime/reference/registry.h"

namespace octet::reference {

namespace {

std::vector<TensorSpec> prepare_softmax(const KernelContext& context) {
  if (input_tensor(context, 0).dtype == DType::kInt8) {
    return context.op.type == OpType::kSoftmax ? prepare_softmax_int8(context) : prepare_log_softmax_int8(context);
  }
  require_dtype(context, 0, DType::kFloat32);
  const Tensor& in = input_tensor(context, 0);
  if (in.shape.empty()) throw op_fail(context, "input must have rank >= 1, got a scalar");
  return {{in.dtype, in.shape}};
}

template <bool kLog>
void eval_softmax(const KernelContext& context, std::span<const TensorView> inputs,
                  std::span<const TensorView> outputs) {
  if (outputs[0].dtype == DType::kInt8) {
    if constexpr (kLog) {
      eval_log_softmax_int8(context, inputs, outputs);
    } else {
      eval_softmax_int8(context, inputs, outputs);
    }
    return;
  }
  const float beta = kLog ? 1.0F : context.op.opts<SoftmaxOptions>().beta;
  const float* in = inputs[0].as<const float>();
  float* out = outputs[0].as<float>();
  const std::int64_t depth = inputs[0].shape.back();
  if (depth == 0) return;
  const std::int64_t rows = static_cast<std::int64_t>(inputs[0].count()) / depth;
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* x = in + r * depth;
    float* y = out + r * depth;
    float max = std::numeric_limits<float>::lowest();
    for (std::int64_t c = 0; c < depth; ++c) max = std::max(max, x[c]);
    float sum = 0.0F;
    if constexpr (kLog) {
      for (std::int64_t c = 0; c < depth; ++c) sum += std::exp(x[c] - max);
      const float log_sum = std::log(sum);
      for (std::int64_t c = 0; c < depth; ++c) y[c] = x[c] - max - log_sum;
    } else {
      for (std::int64_t c = 0; c < depth; ++c) {
        y[c] = std::exp((x[c] - max) * beta);
        sum += y[c];
      }
      for (std::int64_t c = 0; c < depth; ++c) y[c] /= sum;
    }
  }
}

}  // namespace

void add_softmax_kernels(KernelTable& table) {
  table.add(OpType::kSoftmax, prepare_softmax, eval_softmax<false>);
  table.add(OpType::kLogSoftmax, prepare_softmax, eval_softmax<true>);
}

}  // namespace octet::reference
