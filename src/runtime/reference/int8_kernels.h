#pragma once
// Entry points of the int8 reference kernels. Each float kernel's Prepare
// validates shapes for both dtypes and, for an int8 input, calls the int8
// quantization checks (int8_common.h, or the pool/MEAN checks below); its
// Eval forwards an int8 input to the Eval functions here.

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
EvalSignature eval_mean_int8;            // pool_int8.cpp

// Prepare-side checks for an int8 input, called by the float kernels' Prepare.
// AVERAGE_POOL_2D, MAX_POOL_2D: int8 output with the input's scale and zero point.
void require_int8_pool_quant(const KernelContext& context);
// MEAN: a 4-D input reduced over axes {1, 2} with keep_dims (`reduced` has one
// flag per input dimension), int8 input and output quantized per tensor.
void require_int8_mean(const KernelContext& context, const std::vector<char>& reduced, bool keep_dims);

}  // namespace octet::reference
