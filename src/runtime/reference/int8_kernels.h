#pragma once
// Entry points of the int8 reference kernels of the element-wise, activation
// and softmax families. The generic kernels (elementwise_binary.cpp,
// elementwise_unary.cpp, softmax.cpp) call these when their input is int8.
// (int8 RESIZE_BILINEAR and CONCATENATION/PACK requantization live next to
// their generic kernels, in resize.cpp and concat_split.cpp.)

#include <span>
#include <vector>

#include "runtime/kernel.h"

namespace octet::reference {

// ADD SUB MUL MAXIMUM MINIMUM (elementwise_binary_int8.cpp).
std::vector<TensorSpec> prepare_binary_int8(const KernelContext& context);
void eval_binary_int8(const KernelContext& context, std::span<const TensorView> inputs,
                      std::span<const TensorView> outputs);

// LOGISTIC TANH HARD_SWISH LEAKY_RELU RELU RELU6 RELU_N1_TO_1 GELU (activation_int8.cpp).
std::vector<TensorSpec> prepare_activation_int8(const KernelContext& context);
void eval_activation_int8(const KernelContext& context, std::span<const TensorView> inputs,
                          std::span<const TensorView> outputs);
// PRELU (activation_int8.cpp).
std::vector<TensorSpec> prepare_prelu_int8(const KernelContext& context);
void eval_prelu_int8(const KernelContext& context, std::span<const TensorView> inputs,
                     std::span<const TensorView> outputs);

// SOFTMAX (softmax_int8.cpp).
std::vector<TensorSpec> prepare_softmax_int8(const KernelContext& context);
void eval_softmax_int8(const KernelContext& context, std::span<const TensorView> inputs,
                       std::span<const TensorView> outputs);

}  // namespace octet::reference
