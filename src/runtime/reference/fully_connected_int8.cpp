// int8 FULLY_CONNECTED with the integer arithmetic of TensorFlow Lite's
// default CPU path. Shapes (including keep_num_dims) and quantization checks
// are in fully_connected.cpp's Prepare. Per row r and unit u:
//
//   acc = sum_d (input[r, d] + input_offset) * weight[u, d] + bias[u]    (int32)
//   out = requantize(acc, u)   (ConvQuant::requantize)
//
// input_offset = -input zero point; weights are symmetric (zero point 0, as
// Prepare checks). The requantization is the one int8_rounding.h picks:
// weights per tensor run in TFLite's XNNPACK delegate (fp32 rule), weights
// per channel in TFLite's optimized builtin kernel, which applies ruy's
// single-rounding multiplier M[u] = QuantizeMultiplier(input_scale *
// weight_scale[u] / output_scale).

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
  const ConvQuant q = conv_quant(context.op.type, inputs[0], inputs[1], inputs.size() > 2 ? &inputs[2] : nullptr,
                                 outputs[0], units, o.activation);
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t u = 0; u < units; ++u) {
      std::int64_t acc = 0;
      for (std::int64_t d = 0; d < depth; ++d) {
        acc += (std::int64_t{input[r * depth + d]} + q.input_offset) * weights[u * depth + d];
      }
      if (bias != nullptr) acc += bias[u];
      output[r * units + u] =
          q.requantize(saturate_accumulator(acc), to_size(u));
    }
  }
}

}  // namespace octet::reference
