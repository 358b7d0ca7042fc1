#pragma once
// Which rounding each int8 kernel follows: the one place octet decides it.
//
// octet's int8 kernels compute what TensorFlow Lite's default CPU path
// computes (TF 2.12: the XNNPACK delegate for the ops and configurations it
// takes, TFLite's builtin kernels for the rest), so that an int8 model gives
// the same bytes in octet and in TFLite. The rules themselves live in
// quant/quant_math.h (TFLite's builtin double rounding) and
// quant/requantize.h (XNNPACK's fp32 and 8-bit rules, ruy's single rounding).
//
// | op | TFLite runs it in | octet's rule |
// | --- | --- | --- |
// | CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, TRANSPOSE_CONV | XNNPACK when it takes the quantization (below) | fp32 |
// | CONV_2D otherwise | builtin optimized kernel (ruy) | single rounding |
// | FULLY_CONNECTED otherwise | builtin optimized kernel (ruy) | single rounding |
// | DEPTHWISE_CONV_2D, TRANSPOSE_CONV otherwise | builtin kernel | double rounding |
// | MEAN, 4-D, axes {2} or {1, 2} | XNNPACK qs8 global average pooling | fp32, scale s_in / (s_out * n) |
// | MEAN otherwise | builtin Mean / QuantizedMeanOrSum | mean_int8.cpp |
// | ADD, SUB | XNNPACK qs8 add (SUB: second multiplier negated) | 20-bit multipliers, s_i / s_out |
// | MUL | XNNPACK qs8 multiply | fp32, scale s_1 * s_2 / s_out |
// | QUANTIZE int8 -> int8 | XNNPACK qs8 convert | 8-bit multiplier |
// | LEAKY_RELU | XNNPACK qs8 leaky ReLU | 8-bit multipliers |
// | RESIZE_BILINEAR | XNNPACK s8 bilinear | 11-bit weights |
// | everything else | builtin (or XNNPACK where both agree) | TFLite's builtin arithmetic |
//
// TFLite 2.12's delegate takes an int8 convolution-like op when its weights
// have one scale per output channel (XNNPACK's qc8 kernels: CONV_2D and
// DEPTHWISE_CONV_2D only) or when weights and bias (if any) each have a single
// scale (qs8: all four ops; TRANSPOSE_CONV with SAME padding only without a
// bias, as observed against TF 2.12); a per-tensor op whose bias carries one
// scale per channel is left to the builtin kernel. Where XNNPACK refuses a scale (outside
// the range its operators accept), TFLite also runs the builtin kernel, and so
// does octet: the xnn_takes_* predicates below are XNNPACK's own range checks.

#include <cstdint>
#include <span>
#include <vector>

#include "core/op_table.h"
#include "quant/requantize.h"

namespace octet::reference {

enum class Requantization {
  kDoubleRounding,  // TFLite's builtin reference kernels: quant::multiply_by_quantized_multiplier
  kSingleRounding,  // TFLite's optimized builtin kernels through ruy
  kFp32,            // XNNPACK: quant::fp32_requantize
};

// What decides the path of an int8 convolution-like op.
struct ConvConfig {
  std::size_t weight_scales = 1;  // 1 (per tensor) or one per output channel
  std::size_t bias_scales = 0;    // 0 without a bias
  bool valid_padding = true;      // TRANSPOSE_CONV's padding is VALID (not SAME)
};

// The requantization of an int8 convolution-like op (CONV_2D,
// DEPTHWISE_CONV_2D, TRANSPOSE_CONV, FULLY_CONNECTED), given its quantization
// layout and XNNPACK's per-channel fp32 scales.
Requantization conv_requantization(OpType op, const ConvConfig& config, std::span<const float> fp32_scales);

// XNNPACK's global average pooling (MEAN) accepts s_in / s_out in [2^-8, 2^8).
bool xnn_takes_mean(float input_scale, float output_scale);
// TFLite 2.12's delegate takes a MEAN of a 4-D input whose axes tensor lists
// exactly {2} or {1, 2} (either order; negative axes and repeats refused),
// keep_dims either way (observed against the wasm TFLite).
bool xnn_takes_mean_axes(std::size_t rank, const std::vector<std::int64_t>& axes);
// XNNPACK's multiply accepts s_1 s_2 / s_out in [2^-16, 2^8).
bool xnn_takes_mul(float product_output_scale);
// XNNPACK's add and subtract accept s_1 / s_out and s_2 / s_out in [2^-10, 2^8).
bool xnn_takes_add(float input_1_scale, float input_2_scale, float output_scale);
// XNNPACK's convert (QUANTIZE int8 -> int8) accepts s_in / s_out in [2^-8, 2^7].
bool xnn_takes_convert(float input_scale, float output_scale);
// XNNPACK's leaky ReLU accepts s_in / s_out in [2^-8, 2^7] and alpha s_in / s_out
// in [-(2^7 - 2^-8), 2^7] and at least 2^-8 in magnitude.
bool xnn_takes_leaky_relu(float input_scale, float output_scale, float alpha);

}  // namespace octet::reference
