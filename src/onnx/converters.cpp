#include "onnx/converters.h"

#include <array>

#include "onnx/ops/ops.h"

namespace octet::onnx_import {

namespace {

constexpr std::array kConverters{
    Converter{"Abs", convert_abs, nullptr},
    Converter{"Add", convert_add, nullptr},
    Converter{"ArgMax", convert_arg_max, nullptr},
    Converter{"ArgMin", convert_arg_min, nullptr},
    Converter{"AveragePool", convert_average_pool, check_pool},
    Converter{"BatchNormalization", convert_batch_norm, check_batch_norm},
    Converter{"Cast", convert_cast, nullptr},
    Converter{"Clip", convert_clip, nullptr},
    Converter{"Concat", convert_concat, nullptr},
    Converter{"Constant", convert_constant, check_constant},
    Converter{"ConstantOfShape", convert_constant_of_shape, nullptr},
    Converter{"Conv", convert_conv, check_conv},
    Converter{"ConvTranspose", convert_conv_transpose, check_conv_transpose},
    Converter{"Div", convert_div, nullptr},
    Converter{"Dropout", convert_identity, check_dropout},
    Converter{"Equal", convert_equal, check_constant_logic},
    Converter{"Exp", convert_exp, nullptr},
    Converter{"Expand", convert_expand, check_constant_logic},
    Converter{"Flatten", convert_flatten, nullptr},
    Converter{"Gather", convert_gather, nullptr},
    Converter{"Gelu", convert_gelu_erf, nullptr},
    Converter{"Gemm", convert_gemm, nullptr},
    Converter{"GlobalAveragePool", convert_global_average_pool, nullptr},
    Converter{"GlobalMaxPool", convert_global_max_pool, nullptr},
    Converter{"HardSigmoid", convert_hard_sigmoid, nullptr},
    Converter{"HardSwish", convert_hard_swish, nullptr},
    Converter{"Identity", convert_identity, nullptr},
    Converter{"LayerNormalization", convert_layer_norm, nullptr},
    Converter{"LeakyRelu", convert_leaky_relu, nullptr},
    Converter{"Log", convert_log, nullptr},
    Converter{"LogSoftmax", convert_log_softmax, nullptr},
    Converter{"MatMul", convert_matmul, nullptr},
    Converter{"Max", convert_max, nullptr},
    Converter{"MaxPool", convert_max_pool, check_pool},
    Converter{"Min", convert_min, nullptr},
    Converter{"Mul", convert_mul, nullptr},
    Converter{"Neg", convert_neg, nullptr},
    Converter{"PRelu", convert_prelu, nullptr},
    Converter{"Pad", convert_pad, check_pad},
    Converter{"Pow", convert_pow, nullptr},
    Converter{"Reciprocal", convert_reciprocal, nullptr},
    Converter{"ReduceMax", convert_reduce_max, nullptr},
    Converter{"ReduceMean", convert_reduce_mean, nullptr},
    Converter{"ReduceMin", convert_reduce_min, nullptr},
    Converter{"ReduceSum", convert_reduce_sum, nullptr},
    Converter{"Relu", convert_relu, nullptr},
    Converter{"Reshape", convert_reshape, nullptr},
    Converter{"Resize", convert_resize, check_resize},
    Converter{"Shape", convert_shape, nullptr},
    Converter{"Sigmoid", convert_sigmoid, nullptr},
    Converter{"Slice", convert_slice, nullptr},
    Converter{"Softmax", convert_softmax, nullptr},
    Converter{"Split", convert_split, nullptr},
    Converter{"Sqrt", convert_sqrt, nullptr},
    Converter{"Squeeze", convert_squeeze, nullptr},
    Converter{"Sub", convert_sub, nullptr},
    Converter{"Tanh", convert_tanh, nullptr},
    Converter{"Transpose", convert_transpose, nullptr},
    Converter{"Unsqueeze", convert_unsqueeze, nullptr},
    Converter{"Upsample", convert_resize, check_resize},
    Converter{"Where", convert_where, check_constant_logic},
};

}  // namespace

const Converter* find_converter(std::string_view op_type) {
  for (const Converter& converter : kConverters) {
    if (converter.op_type == op_type) return &converter;
  }
  return nullptr;
}

std::span<const Converter> all_converters() { return kConverters; }

}  // namespace octet::onnx_import
