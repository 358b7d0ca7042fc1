#pragma once
// Entry points of the int8 reference kernels. The generic kernels call these
// when their input is int8:
//  * convolution, fully connected, pooling, MEAN: each float kernel's Prepare
//    validates shapes for both dtypes and calls the int8 quantization checks
//    (int8_common.h) for an int8 input; its Eval forwards an int8 input here;
//  * element-wise, activation and softmax families (elementwise_binary.cpp,
//    elementwise_unary.cpp, softmax.cpp) forward Prepare and Eval here.
// (int8 RESIZE_BILINEAR and CONCATENATION/PACK requantization live next to
// their generic kernels, in resize.cpp and concat_split.cpp.)

#include <span>
#include <vector>

#include "runtime/kernel.h"

namespace octet::reference {

using EvalSignature = void(const KernelContext& context, std::span<const TensorView> inputs,
                           std::span<const TensorView> outputs);

EvalSignature eval_conv_int8;            // conv_int8.cpp
EvalSignature eval_depthwise_int8;       // conv_int8.cpp
EvalSignature eval_transpose_conv_int8;  // conv_int8.cpp
EvalSignature eval_fully_connected_int8; // fully_connected_int8.cpp
EvalSignature eval_average_pool_int8;    // pool_int8.cpp
EvalSignature eval_max_pool_int8;        // pool_int8.cpp

// Prepare-side checks for an int8 input, called by the float kernels' Prepare.
// AVERAGE_POOL_2D, MAX_POOL_2D: int8 output with the input's scale and zero point.
void require_int8_pool_quant(const KernelContext& context);
// MEAN (mean_int8.cpp): any axes, keep_dims or not; a non-empty int8 input
// and an int8 output, both quantized per tensor. Eval takes reduce.cpp's
// reduced-axis flags (one per input dimension).
void require_int8_mean(const KernelContext& context);
void eval_mean_int8(const KernelContext& context, std::span<const TensorView> inputs,
                    std::span<const TensorView> outputs, const std::vector<char>& reduced);

// ADD SUB MUL MAXIMUM MINIMUM (elementwise_binary_int8.cpp).
std::vector<TensorSpec> prepare_binary_int8(const KernelContext& context);
void eval_binary_int8(const KernelContext& context, std::span<const TensorView> inputs,
                      std::span<const TensorView> outputs);
// The values of an int8 ADD, SUB, MUL, MAXIMUM or MINIMUM for every pair of
// int8 inputs, as eval_binary_int8 computes them with these quantization
// parameters: table[int8_index(a) * kInt8Values + int8_index(b)] = op(a, b).
inline constexpr std::size_t kInt8Values = 256;
inline constexpr std::size_t kInt8PairCount = kInt8Values * kInt8Values;
inline constexpr unsigned kInt8SignBit = 0x80U;  // int8_index maps -128..127 to 0..255
inline std::size_t int8_index(std::int8_t q) { return static_cast<std::uint8_t>(q) ^ kInt8SignBit; }
inline std::int8_t int8_of_index(std::size_t i) { return static_cast<std::int8_t>(static_cast<std::uint8_t>(i ^ kInt8SignBit)); }
std::vector<std::int8_t> binary_int8_table(const KernelContext& context, const QuantParams& q1, const QuantParams& q2,
                                           const QuantParams& qo);

// LOGISTIC TANH HARD_SWISH LEAKY_RELU RELU RELU6 RELU_N1_TO_1 GELU (activation_int8.cpp).
std::vector<TensorSpec> prepare_activation_int8(const KernelContext& context);
void eval_activation_int8(const KernelContext& context, std::span<const TensorView> inputs,
                          std::span<const TensorView> outputs);
// PRELU (activation_int8.cpp).
std::vector<TensorSpec> prepare_prelu_int8(const KernelContext& context);
void eval_prelu_int8(const KernelContext& context, std::span<const TensorView> inputs,
                     std::span<const TensorView> outputs);

// LOG_SOFTMAX (log_softmax_int8.cpp).
std::vector<TensorSpec> prepare_log_softmax_int8(const KernelContext& context);
void eval_log_softmax_int8(const KernelContext& context, std::span<const TensorView> inputs,
                           std::span<const TensorView> outputs);

// SOFTMAX (softmax_int8.cpp).
std::vector<TensorSpec> prepare_softmax_int8(const KernelContext& context);
void eval_softmax_int8(const KernelContext& context, std::span<const TensorView> inputs,
                       std::span<const TensorView> outputs);

}  // namespace octet::reference
