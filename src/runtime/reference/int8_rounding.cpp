#include "runtime/reference/int8_rounding.h"

#include <algorithm>
#include <cmath>

namespace octet::reference {

namespace {

// XNNPACK's accepted scale ranges (its operators' create functions).
constexpr float kXnnMinMeanScale = 0x1.0p-8F;
constexpr float kXnnMaxMeanScale = 0x1.0p+8F;  // exclusive
constexpr float kXnnMinMulScale = 0x1.0p-16F;
constexpr float kXnnMaxMulScale = 0x1.0p+8F;  // exclusive
// The most negative alpha-scaled ratio XNNPACK's leaky ReLU accepts: -(2^7 - 2^-8).
constexpr float kXnnMinLeakyNegativeScale = -0x1.FFFC00p+6F;

}  // namespace

Requantization conv_requantization(OpType op, const ConvConfig& config, std::span<const float> fp32_scales) {
  const bool scales_ok = std::all_of(fp32_scales.begin(), fp32_scales.end(),
                                     [](float s) { return s < quant::kXnnMaxConvScale; });
  const bool per_tensor = config.weight_scales == 1 && config.bias_scales <= 1;  // XNNPACK's qs8
  const bool per_channel = config.weight_scales > 1;                             // XNNPACK's qc8
  switch (op) {
    case OpType::kConv2D:
      return scales_ok && (per_tensor || per_channel) ? Requantization::kFp32 : Requantization::kSingleRounding;
    case OpType::kDepthwiseConv2D:
      return scales_ok && (per_tensor || per_channel) ? Requantization::kFp32 : Requantization::kDoubleRounding;
    case OpType::kTransposeConv: {
      const bool padding_ok = config.valid_padding || config.bias_scales == 0;
      return scales_ok && per_tensor && padding_ok ? Requantization::kFp32 : Requantization::kDoubleRounding;
    }
    case OpType::kFullyConnected:
      return scales_ok && per_tensor ? Requantization::kFp32 : Requantization::kSingleRounding;
    default:
      return Requantization::kDoubleRounding;
  }
}

bool xnn_takes_mean(float input_scale, float output_scale) {
  const float ratio = input_scale / output_scale;
  return ratio >= kXnnMinMeanScale && ratio < kXnnMaxMeanScale;
}

bool xnn_takes_mean_axes(std::size_t rank, const std::vector<std::int64_t>& axes) {
  constexpr std::size_t kRank = 4;
  constexpr std::int64_t kHeight = 1;
  constexpr std::int64_t kWidth = 2;
  if (rank != kRank) return false;
  if (axes.size() == 1) return axes[0] == kWidth;
  return axes.size() == 2 && ((axes[0] == kHeight && axes[1] == kWidth) || (axes[0] == kWidth && axes[1] == kHeight));
}

bool xnn_takes_mul(float product_output_scale) {
  return product_output_scale >= kXnnMinMulScale && product_output_scale < kXnnMaxMulScale;
}

bool xnn_takes_add(float input_1_scale, float input_2_scale, float output_scale) {
  const auto in_range = [](float ratio) { return ratio >= quant::kXnnMinAddScale && ratio < quant::kXnnMaxAddScale; };
  return in_range(input_1_scale / output_scale) && in_range(input_2_scale / output_scale);
}

bool xnn_takes_convert(float input_scale, float output_scale) {
  const float ratio = input_scale / output_scale;
  return ratio >= quant::kXnnMinQ8Scale && ratio <= quant::kXnnMaxQ8Scale;
}

bool xnn_takes_leaky_relu(float input_scale, float output_scale, float alpha) {
  const float positive = input_scale / output_scale;
  const float negative = positive * alpha;
  return positive >= quant::kXnnMinQ8Scale && positive <= quant::kXnnMaxQ8Scale &&
         negative >= kXnnMinLeakyNegativeScale && negative <= quant::kXnnMaxQ8Scale &&
         std::abs(negative) >= quant::kXnnMinQ8Scale;
}

}  // namespace octet::reference
