// Elementwise arithmetic with numpy broadcasting (the IR ops broadcast too).

#include "core/error.h"
#include "onnx/ops/ops.h"

namespace octet::onnx_import {

namespace {

void binary(ImportContext& c, const NodeView& n, OpType type) {
  if (n.has("broadcast") && n.get_int("broadcast", 0) != 0 && n.has("axis")) {
    throw fail("node '{}' ({}): legacy broadcast with an axis (opset < 7) is not supported", n.name(), n.op_type());
  }
  const TensorId a = c.input(n, 0);
  const TensorId b = c.input(n, 1);
  const OpOptions options = default_options(type);
  c.bind_output(n, 0, c.emit1(type, n.name(), {a, b}, options));
}

void unary(ImportContext& c, const NodeView& n, OpType type) {
  c.bind_output(n, 0, c.emit1(type, n.name(), {c.input(n, 0)}));
}

// Max/Min take any number of inputs: a chain of binary ops.
void variadic(ImportContext& c, const NodeView& n, OpType type) {
  TensorId acc = c.input(n, 0);
  for (std::size_t i = 1; i < n.input_count(); ++i) {
    acc = c.emit1(type, i + 1 == n.input_count() ? n.name() : fmt::format("{}/{}", n.name(), i), {acc, c.input(n, i)});
  }
  c.bind_output(n, 0, acc);
}

}  // namespace

void convert_add(ImportContext& c, const NodeView& n) { binary(c, n, OpType::kAdd); }
void convert_sub(ImportContext& c, const NodeView& n) { binary(c, n, OpType::kSub); }
void convert_mul(ImportContext& c, const NodeView& n) { binary(c, n, OpType::kMul); }
void convert_div(ImportContext& c, const NodeView& n) { binary(c, n, OpType::kDiv); }

void convert_pow(ImportContext& c, const NodeView& n) {
  const TensorId base = c.input(n, 0);
  const TensorId exponent = c.input(n, 1);
  // x^2 and x^0.5 are common in decomposed normalisations: exact cheaper ops.
  if (c.is_constant(exponent) && element_count(c.shape(exponent)) == 1 && !c.is_constant(base)) {
    const float e = c.constant_floats(n, 1).front();
    if (e == 2.0F) {
      c.bind_output(n, 0, c.emit1(OpType::kMul, n.name(), {base, base}, BinaryOptions{}));
      return;
    }
    if (e == 0.5F) {
      c.bind_output(n, 0, c.emit1(OpType::kSqrt, n.name(), {base}));
      return;
    }
  }
  binary(c, n, OpType::kPow);
}

void convert_max(ImportContext& c, const NodeView& n) { variadic(c, n, OpType::kMaximum); }
void convert_min(ImportContext& c, const NodeView& n) { variadic(c, n, OpType::kMinimum); }
void convert_sqrt(ImportContext& c, const NodeView& n) { unary(c, n, OpType::kSqrt); }
void convert_exp(ImportContext& c, const NodeView& n) { unary(c, n, OpType::kExp); }
void convert_log(ImportContext& c, const NodeView& n) { unary(c, n, OpType::kLog); }
void convert_abs(ImportContext& c, const NodeView& n) { unary(c, n, OpType::kAbs); }
void convert_neg(ImportContext& c, const NodeView& n) { unary(c, n, OpType::kNeg); }

void convert_reciprocal(ImportContext& c, const NodeView& n) {
  const TensorId one = c.constant_f32(n.name() + "/one", {1.0F}, {});
  c.bind_output(n, 0, c.emit1(OpType::kDiv, n.name(), {one, c.input(n, 0)}, BinaryOptions{}));
}

}  // namespace octet::onnx_import
