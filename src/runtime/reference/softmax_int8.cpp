// int8 SOFTMAX over the last axis, as TFLite 2.12's builtin kernel computes it
// (activations.cc SoftmaxPrepare -> PopulateSoftmaxLookupTable, and
// optimized_ops::Softmax for 8-bit inputs): a float table
//   e[d] = expf(-s_in beta d),  d = max - q in [0, 255],
// a float sum of e over the row (in order), then
//   q_out = round(e[d] / (sum s_out)) + zp_out   (half away from zero), saturated.
// octet follows this float-table rule, not the gemmlowp fixed-point
// reference_ops::Softmax (tflite-micro's), which can differ by one step.
// The output is fixed at scale 1/256, zero point -128.

#include <array>

#include "runtime/reference/int8_checks.h"
#include "runtime/reference/int8_kernels.h"

namespace octet::reference {

namespace {
// Distances from the row maximum that an int8 row can have: 0..255.
constexpr std::size_t kInt8Levels = 256;
}  // namespace

std::vector<TensorSpec> prepare_softmax_int8(const KernelContext& context) {
  const Tensor& in = input_tensor(context, 0);
  require_int8_input(context, 0);
  require_fixed_output_quant(context, quant::softmax_output_params());
  if (in.shape.empty()) throw op_fail(context, "input must have rank >= 1, got a scalar");
  return {{DType::kInt8, in.shape}};
}

void eval_softmax_int8(const KernelContext& context, std::span<const TensorView> inputs,
                       std::span<const TensorView> outputs) {
  const float beta = context.op.opts<SoftmaxOptions>().beta;
  const QuantParams& qi = *inputs[0].quant;
  const QuantParams& qo = *outputs[0].quant;
  std::array<float, kInt8Levels> exp_table{};
  const float exponent_scale = -qi.scale[0] * beta;
  for (std::size_t d = 0; d < kInt8Levels; ++d) exp_table[d] = std::exp(exponent_scale * static_cast<float>(d));

  const std::int8_t* in = inputs[0].as<const std::int8_t>();
  std::int8_t* out = outputs[0].as<std::int8_t>();
  const auto depth = static_cast<std::size_t>(inputs[0].shape.back());
  if (depth == 0) return;
  const std::size_t rows = inputs[0].count() / depth;
  const std::int32_t zero_point = zero_point_of(qo);
  for (std::size_t r = 0; r < rows; ++r) {
    const std::int8_t* x = in + r * depth;
    std::int8_t* y = out + r * depth;
    const std::int32_t max = *std::max_element(x, x + depth);
    const auto distance = [&](std::size_t c) { return static_cast<std::size_t>(max - static_cast<std::int32_t>(x[c])); };
    float sum = 0.0F;
    for (std::size_t c = 0; c < depth; ++c) sum += exp_table[distance(c)];
    const float inverse = 1.0F / (sum * qo.scale[0]);
    for (std::size_t c = 0; c < depth; ++c) {
      const float scaled = std::round(exp_table[distance(c)] * inverse);
      // scaled is in [0, 256]: the int32 conversion is exact.
      y[c] = saturate_int8(static_cast<std::int32_t>(scaled) + zero_point);
    }
  }
}

}  // namespace octet::reference
