#pragma once
// Converters of ONNX operators to IR ops, one small file per family.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/graph.h"
#include "onnx/import_context.h"
#include "onnx/node_view.h"

namespace octet::onnx_import {

// Shared helpers.
std::int64_t normalize_axis(std::int64_t axis, std::size_t rank, const NodeView& node);
std::vector<std::int32_t> to_i32(const std::vector<std::int64_t>& values);

// conv.cpp
void convert_conv(ImportContext& c, const NodeView& n);
std::optional<std::string> check_conv(const NodeView& n);
void convert_conv_transpose(ImportContext& c, const NodeView& n);
std::optional<std::string> check_conv_transpose(const NodeView& n);
// pool.cpp
void convert_max_pool(ImportContext& c, const NodeView& n);
void convert_average_pool(ImportContext& c, const NodeView& n);
std::optional<std::string> check_pool(const NodeView& n);
void convert_global_average_pool(ImportContext& c, const NodeView& n);
void convert_global_max_pool(ImportContext& c, const NodeView& n);
// matmul.cpp
void convert_gemm(ImportContext& c, const NodeView& n);
void convert_matmul(ImportContext& c, const NodeView& n);
// elementwise.cpp
void convert_add(ImportContext& c, const NodeView& n);
void convert_sub(ImportContext& c, const NodeView& n);
void convert_mul(ImportContext& c, const NodeView& n);
void convert_div(ImportContext& c, const NodeView& n);
void convert_pow(ImportContext& c, const NodeView& n);
void convert_max(ImportContext& c, const NodeView& n);
void convert_min(ImportContext& c, const NodeView& n);
void convert_sqrt(ImportContext& c, const NodeView& n);
void convert_exp(ImportContext& c, const NodeView& n);
void convert_log(ImportContext& c, const NodeView& n);
void convert_abs(ImportContext& c, const NodeView& n);
void convert_neg(ImportContext& c, const NodeView& n);
void convert_reciprocal(ImportContext& c, const NodeView& n);
// activation.cpp
void convert_relu(ImportContext& c, const NodeView& n);
void convert_leaky_relu(ImportContext& c, const NodeView& n);
void convert_prelu(ImportContext& c, const NodeView& n);
void convert_clip(ImportContext& c, const NodeView& n);
void convert_sigmoid(ImportContext& c, const NodeView& n);
void convert_hard_sigmoid(ImportContext& c, const NodeView& n);
void convert_hard_swish(ImportContext& c, const NodeView& n);
void convert_tanh(ImportContext& c, const NodeView& n);
void convert_softmax(ImportContext& c, const NodeView& n);
void convert_log_softmax(ImportContext& c, const NodeView& n);
void convert_gelu_erf(ImportContext& c, const NodeView& n);
// normalization.cpp
void convert_batch_norm(ImportContext& c, const NodeView& n);
std::optional<std::string> check_batch_norm(const NodeView& n);
void convert_layer_norm(ImportContext& c, const NodeView& n);
// shape_ops.cpp
void convert_identity(ImportContext& c, const NodeView& n);
std::optional<std::string> check_dropout(const NodeView& n);
void convert_constant(ImportContext& c, const NodeView& n);
std::optional<std::string> check_constant(const NodeView& n);
void convert_shape(ImportContext& c, const NodeView& n);
void convert_flatten(ImportContext& c, const NodeView& n);
void convert_reshape(ImportContext& c, const NodeView& n);
void convert_transpose(ImportContext& c, const NodeView& n);
void convert_squeeze(ImportContext& c, const NodeView& n);
void convert_unsqueeze(ImportContext& c, const NodeView& n);
void convert_concat(ImportContext& c, const NodeView& n);
void convert_split(ImportContext& c, const NodeView& n);
void convert_slice(ImportContext& c, const NodeView& n);
void convert_gather(ImportContext& c, const NodeView& n);
void convert_pad(ImportContext& c, const NodeView& n);
std::optional<std::string> check_pad(const NodeView& n);
void convert_cast(ImportContext& c, const NodeView& n);
void convert_constant_of_shape(ImportContext& c, const NodeView& n);
// constant_logic.cpp
std::optional<std::string> check_constant_logic(const NodeView& n);
void convert_equal(ImportContext& c, const NodeView& n);
void convert_where(ImportContext& c, const NodeView& n);
void convert_expand(ImportContext& c, const NodeView& n);
// reduce.cpp
void convert_reduce_mean(ImportContext& c, const NodeView& n);
void convert_reduce_max(ImportContext& c, const NodeView& n);
void convert_reduce_min(ImportContext& c, const NodeView& n);
void convert_reduce_sum(ImportContext& c, const NodeView& n);
void convert_arg_max(ImportContext& c, const NodeView& n);
void convert_arg_min(ImportContext& c, const NodeView& n);
// resize.cpp
void convert_resize(ImportContext& c, const NodeView& n);
std::optional<std::string> check_resize(const NodeView& n);

}  // namespace octet::onnx_import
