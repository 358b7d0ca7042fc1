// int8 FULLY_CONNECTED with TensorFlow Lite's integer arithmetic
// (reference_integer_ops::FullyConnected, and FullyConnectedPerChannel for
// weights quantized per channel along axis 0). Shapes (including
// keep_num_dims) and quantization checks are in fully_connected.cpp's Prepare.
// Per row r and unit u:
//
//   acc = sum_d (input[r, d] + input_offset) * weight[u, d] + bias[u]    (int32)
//   out = clamp(MultiplyByQuantizedMultiplier(acc, M[u]) + output_zero_point,
//               fused activation range)
//
// input_offset = -input zero point; weights are symmetric (zero point 0, as
// Prepare checks, so TFLite's weights_offset is 0);
// M[u] = QuantizeMultiplier(input_scale * weight_scale[u] / output_scale) in
// double, the same multiplier for every unit when weights are per tensor.

#include "runtime/reference/common.h"
#include "runtime/reference/int8_common.h"
#include "runtime/reference/int8_kernels.h"

namespace octet::reference {

void eval_fully_connected_int8(const KernelContext& context, std::span<const TensorView> inputs,
                               std::span<const TensorView> outputs) {
  const auto& o = context.op.opts<FullyConnectedOptions>();
  const std::int8_t* input = inputs[0].as<const std::int8_t>();
  const std::int8_t* weights = inputs[1].as<const std::int8_t>();
  const std::int32_t* bias = inputs.size() > 2 ? inputs[2].as<const std::int32_t>() : nullptr;
  std::int8_t* output = outputs[0].as<std::int8_t>();
  const std::int64_t units = inputs[1].shape[0];
  const std::int64_t depth = inputs[1].shape[1];
  const std::int64_t rows = static_cast<std::int64_t>(inputs[0].count()) / depth;
  const ConvQuant q = conv_quant(inputs[0], inputs[1], outputs[0], units, o.activation);
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t u = 0; u < units; ++u) {
      std::int64_t acc = 0;
      for (std::int64_t d = 0; d < depth; ++d) {
        acc += (std::int64_t{input[r * depth + d]} + q.input_offset) * weights[u * depth + d];
      }
      if (bias != nullptr) acc += bias[u];
      output[r * units + u] =
          requantize_to_int8(saturate_accumulator(acc), q.multipliers[to_size(u)], q.output_zero_point, q.range);
    }
  }
}

}  // namespace octet::reference
