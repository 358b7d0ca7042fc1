// Activations and softmax.

#include <algorithm>
#include <limits>

#include "core/error.h"
#include "onnx/ops/ops.h"

namespace octet::onnx_import {

namespace {

void unary(ImportContext& c, const NodeView& n, OpType type) {
  c.bind_output(n, 0, c.emit1(type, n.name(), {c.input(n, 0)}));
}

TensorId clamp(ImportContext& c, const NodeView& n, TensorId x, float low, float high) {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  if (low == 0.0F && high == 6.0F) return c.emit1(OpType::kRelu6, n.name(), {x});
  if (low == -1.0F && high == 1.0F) return c.emit1(OpType::kReluN1To1, n.name(), {x});
  if (low == 0.0F && high == kInf) return c.emit1(OpType::kRelu, n.name(), {x});
  TensorId y = x;
  if (low != -kInf) {
    y = c.emit1(OpType::kMaximum, high == kInf ? n.name() : n.name() + "/low",
                {y, c.constant_f32(n.name() + "/min", {low}, {})});
  }
  if (high != kInf) y = c.emit1(OpType::kMinimum, n.name(), {y, c.constant_f32(n.name() + "/max", {high}, {})});
  return y;
}

// Softmax-like op over one axis, with the opset's axis semantics.
void softmax_like(ImportContext& c, const NodeView& n, OpType type) {
  const TensorId x = c.input(n, 0);
  const std::size_t rank = c.rank(x);
  const Shape xs = c.shape(x);
  const bool coerced = n.opset() < 13;  // older opsets flatten to 2-D at `axis`
  const std::int64_t axis = normalize_axis(n.get_int("axis", coerced ? 1 : -1), rank, n);
  const auto last = static_cast<std::int64_t>(rank) - 1;
  const OpOptions options = default_options(type);
  if (axis == last) {
    c.bind_output(n, 0, c.emit1(type, n.name(), {x}, options));
    return;
  }
  if (coerced) {
    std::int64_t outer = 1;
    for (std::int64_t d = 0; d < axis; ++d) outer *= xs[static_cast<std::size_t>(d)];
    const TensorId flat = c.reshape(x, {outer, element_count(xs) / outer}, n.name() + "/as_2d");
    const TensorId y = c.emit1(type, n.name() + "/op", {flat}, options);
    c.bind_output(n, 0, c.reshape(y, xs, n.name()));
    return;
  }
  std::vector<std::int32_t> perm;
  for (std::int64_t d = 0; d < static_cast<std::int64_t>(rank); ++d) {
    if (d != axis) perm.push_back(static_cast<std::int32_t>(d));
  }
  perm.push_back(static_cast<std::int32_t>(axis));
  std::vector<std::int32_t> inverse(rank);
  for (std::size_t i = 0; i < rank; ++i) inverse[static_cast<std::size_t>(perm[i])] = static_cast<std::int32_t>(i);
  const TensorId moved = c.transpose(x, perm, n.name() + "/axis_last");
  const TensorId y = c.emit1(type, n.name() + "/op", {moved}, options);
  c.bind_output(n, 0, c.transpose(y, inverse, n.name()));
}

}  // namespace

void convert_relu(ImportContext& c, const NodeView& n) { unary(c, n, OpType::kRelu); }
void convert_sigmoid(ImportContext& c, const NodeView& n) { unary(c, n, OpType::kLogistic); }
void convert_tanh(ImportContext& c, const NodeView& n) { unary(c, n, OpType::kTanh); }
void convert_hard_swish(ImportContext& c, const NodeView& n) { unary(c, n, OpType::kHardSwish); }

void convert_leaky_relu(ImportContext& c, const NodeView& n) {
  LeakyReluOptions o;
  o.alpha = n.get_float("alpha", 0.01F);
  c.bind_output(n, 0, c.emit1(OpType::kLeakyRelu, n.name(), {c.input(n, 0)}, o));
}

void convert_prelu(ImportContext& c, const NodeView& n) {
  const TensorId x = c.input(n, 0);
  const TensorId slope = c.input(n, 1);
  if (c.is_constant(slope) && c.tensor(slope).dtype == DType::kFloat32 && c.tensor(x).dtype == DType::kFloat32) {
    // One slope for every element (PyTorch's nn.PReLU() default) is LEAKY_RELU:
    // XNNPACK would apply a [1,1,1,1] PRELU slope to channel 0 only.
    const std::vector<float> values = c.tensor(slope).values<float>();
    if (!values.empty() && std::all_of(values.begin(), values.end(), [&](float v) { return v == values.front(); })) {
      LeakyReluOptions o;
      o.alpha = values.front();
      c.bind_output(n, 0, c.emit1(OpType::kLeakyRelu, n.name(), {x}, o));
      return;
    }
  }
  c.bind_output(n, 0, c.emit1(OpType::kPrelu, n.name(), {x, slope}));
}

void convert_clip(ImportContext& c, const NodeView& n) {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  float low = -kInf;
  float high = kInf;
  if (n.opset() < 11) {
    low = n.get_float("min", -kInf);
    high = n.get_float("max", kInf);
  } else {
    if (n.has_input(1)) low = c.constant_floats(n, 1).at(0);
    if (n.has_input(2)) high = c.constant_floats(n, 2).at(0);
  }
  c.bind_output(n, 0, clamp(c, n, c.input(n, 0), low, high));
}

void convert_hard_sigmoid(ImportContext& c, const NodeView& n) {
  const float alpha = n.get_float("alpha", 0.2F);
  const float beta = n.get_float("beta", 0.5F);
  const TensorId x = c.input(n, 0);
  const TensorId scaled =
      c.emit1(OpType::kMul, n.name() + "/alpha", {x, c.constant_f32(n.name() + "/alpha_value", {alpha}, {})},
              BinaryOptions{});
  const TensorId shifted =
      c.emit1(OpType::kAdd, n.name() + "/beta", {scaled, c.constant_f32(n.name() + "/beta_value", {beta}, {})},
              BinaryOptions{});
  c.bind_output(n, 0, clamp(c, n, shifted, 0.0F, 1.0F));
}

void convert_softmax(ImportContext& c, const NodeView& n) { softmax_like(c, n, OpType::kSoftmax); }
void convert_log_softmax(ImportContext& c, const NodeView& n) { softmax_like(c, n, OpType::kLogSoftmax); }

void convert_gelu_erf(ImportContext& c, const NodeView& n) {
  GeluOptions o;
  o.approximate = n.get_string("approximate", "none") == "tanh";
  c.bind_output(n, 0, c.emit1(OpType::kGelu, n.name(), {c.input(n, 0)}, o));
}

}  // namespace octet::onnx_import
