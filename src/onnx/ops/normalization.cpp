// BatchNormalization (inference form) and LayerNormalization.

#include <cmath>

#include "core/error.h"
#include "onnx/ops/ops.h"

namespace octet::onnx_import {

std::optional<std::string> check_batch_norm(const NodeView& n) {
  if (n.get_int("training_mode", 0) != 0) return "training_mode=1 is not supported (export the model in eval mode)";
  if (n.output_count() > 1) {
    for (std::size_t i = 1; i < n.output_count(); ++i) {
      if (!n.output(i).empty()) return "running mean/variance outputs (training) are not supported";
    }
  }
  return std::nullopt;
}

void convert_batch_norm(ImportContext& c, const NodeView& n) {
  const TensorId x = c.input(n, 0);
  const auto scale = c.constant_floats(n, 1);
  const auto bias = c.constant_floats(n, 2);
  const auto mean = c.constant_floats(n, 3);
  const auto var = c.constant_floats(n, 4);
  const auto epsilon = static_cast<double>(n.get_float("epsilon", 1e-5F));
  const std::size_t channels = scale.size();
  if (c.rank(x) < 2 || c.shape(x)[1] != static_cast<std::int64_t>(channels) || bias.size() != channels ||
      mean.size() != channels || var.size() != channels) {
    throw fail("node '{}' (BatchNormalization): scale, B, mean and var must have one value per channel ({})",
               n.name(), c.rank(x) >= 2 ? c.shape(x)[1] : 0);
  }
  // y = x * a + b with a = scale / sqrt(var + eps), b = B - mean * a (in double).
  std::vector<float> a(channels);
  std::vector<float> b(channels);
  for (std::size_t i = 0; i < channels; ++i) {
    const double factor = static_cast<double>(scale[i]) / std::sqrt(static_cast<double>(var[i]) + epsilon);
    a[i] = static_cast<float>(factor);
    b[i] = static_cast<float>(static_cast<double>(bias[i]) - static_cast<double>(mean[i]) * factor);
  }
  // Broadcast over [C, 1, 1, ...] against NC...
  Shape per_channel{static_cast<std::int64_t>(channels)};
  for (std::size_t d = 2; d < c.rank(x); ++d) per_channel.push_back(1);
  const TensorId mul =
      c.emit1(OpType::kMul, n.name() + "/scale", {x, c.constant_f32(n.name() + "/a", a, per_channel)}, BinaryOptions{});
  c.bind_output(n, 0,
                c.emit1(OpType::kAdd, n.name(), {mul, c.constant_f32(n.name() + "/b", b, per_channel)}, BinaryOptions{}));
}

void convert_layer_norm(ImportContext& c, const NodeView& n) {
  const TensorId x = c.input(n, 0);
  const std::size_t rank = c.rank(x);
  const std::int64_t axis = normalize_axis(n.get_int("axis", -1), rank, n);
  const float epsilon = n.get_float("epsilon", 1e-5F);
  std::vector<std::int32_t> axes;
  for (auto d = static_cast<std::size_t>(axis); d < rank; ++d) axes.push_back(static_cast<std::int32_t>(d));
  ReducerOptions keep;
  keep.keep_dims = true;
  const TensorId axes_id = c.constant_i32(n.name() + "/axes", axes);
  const TensorId mean = c.emit1(OpType::kMean, n.name() + "/mean", {x, axes_id}, keep);
  const TensorId centered = c.emit1(OpType::kSub, n.name() + "/centered", {x, mean}, BinaryOptions{});
  const TensorId squared = c.emit1(OpType::kMul, n.name() + "/squared", {centered, centered}, BinaryOptions{});
  const TensorId var = c.emit1(OpType::kMean, n.name() + "/var", {squared, axes_id}, keep);
  const TensorId var_eps = c.emit1(OpType::kAdd, n.name() + "/var_eps",
                                   {var, c.constant_f32(n.name() + "/epsilon", {epsilon}, {})}, BinaryOptions{});
  const TensorId inv = c.emit1(OpType::kRsqrt, n.name() + "/rsqrt", {var_eps});
  TensorId y = c.emit1(OpType::kMul, n.name() + "/normalized", {centered, inv}, BinaryOptions{});
  if (n.has_input(1)) y = c.emit1(OpType::kMul, n.name() + "/gamma", {y, c.input(n, 1)}, BinaryOptions{});
  if (n.has_input(2)) y = c.emit1(OpType::kAdd, n.name(), {y, c.input(n, 2)}, BinaryOptions{});
  c.bind_output(n, 0, y);
  // The optional Mean and InvStdDev outputs (reduced axes kept as 1s, as ONNX
  // defines them) are the intermediate values above.
  c.bind_output(n, 1, mean);
  c.bind_output(n, 2, inv);
}

}  // namespace octet::onnx_import
