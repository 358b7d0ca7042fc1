// Gemm and MatMul: FULLY_CONNECTED when the weights are constant, BATCH_MATMUL otherwise.

#include "core/error.h"
#include "onnx/ops/ops.h"

namespace octet::onnx_import {

namespace {

std::vector<float> transpose_2d(const std::vector<float>& m, std::int64_t rows, std::int64_t cols) {
  std::vector<float> t(m.size());
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t col = 0; col < cols; ++col) {
      t[static_cast<std::size_t>(col * rows + r)] = m[static_cast<std::size_t>(r * cols + col)];
    }
  }
  return t;
}

}  // namespace

void convert_gemm(ImportContext& c, const NodeView& n) {
  TensorId a = c.input(n, 0);
  const TensorId b = c.input(n, 1);
  const TensorId bias_in = c.input(n, 2);
  const float alpha = n.get_float("alpha", 1.0F);
  const float beta = n.get_float("beta", 1.0F);
  const bool trans_a = n.get_int("transA", 0) != 0;
  const bool trans_b = n.get_int("transB", 0) != 0;
  if (c.rank(a) != 2 || c.rank(b) != 2) throw fail("node '{}' (Gemm): A and B must be 2-D", n.name());
  if (trans_a) a = c.transpose(a, {1, 0}, n.name() + "/a_t");

  if (c.is_constant(b) && c.tensor(b).dtype == DType::kFloat32) {
    const Shape bs = c.shape(b);
    // FULLY_CONNECTED weights are [out, in] = B^T (or B when transB).
    std::vector<float> weights = c.tensor(b).values<float>();
    if (!trans_b) weights = transpose_2d(weights, bs[0], bs[1]);
    const std::int64_t out = trans_b ? bs[0] : bs[1];
    const std::int64_t in = trans_b ? bs[1] : bs[0];
    if (alpha != 1.0F) {
      for (float& v : weights) v *= alpha;
    }
    const TensorId w = c.constant_f32(n.name() + "/weights", weights, {out, in});
    TensorId bias = kNoTensor;
    TensorId bias_after = kNoTensor;
    if (bias_in != kNoTensor) {
      const Shape cs = c.shape(bias_in);
      const bool vector_bias = element_count(cs) == out && (cs.size() == 1 || (cs.size() == 2 && cs[0] == 1));
      if (c.is_constant(bias_in) && vector_bias) {
        std::vector<float> values = c.constant_floats(n, 2);
        for (float& v : values) v *= beta;
        bias = c.constant_f32(n.name() + "/bias", values, {out});
      } else {
        bias_after = bias_in;
      }
    }
    TensorId y = c.emit1(OpType::kFullyConnected, n.name(), {a, w, bias}, FullyConnectedOptions{});
    if (bias_after != kNoTensor) {
      TensorId scaled = bias_after;
      if (beta != 1.0F) {
        scaled = c.emit1(OpType::kMul, n.name() + "/beta", {bias_after, c.constant_f32(n.name() + "/beta_value", {beta}, {})},
                         BinaryOptions{});
      }
      y = c.emit1(OpType::kAdd, n.name() + "/add_c", {y, scaled}, BinaryOptions{});
    }
    c.bind_output(n, 0, y);
    return;
  }
  BatchMatMulOptions o;
  o.adj_y = trans_b;
  TensorId y = c.emit1(OpType::kBatchMatMul, n.name(), {a, b}, o);
  if (alpha != 1.0F) {
    y = c.emit1(OpType::kMul, n.name() + "/alpha", {y, c.constant_f32(n.name() + "/alpha_value", {alpha}, {})},
                BinaryOptions{});
  }
  if (bias_in != kNoTensor) {
    TensorId scaled = bias_in;
    if (beta != 1.0F) {
      scaled = c.emit1(OpType::kMul, n.name() + "/beta", {bias_in, c.constant_f32(n.name() + "/beta_value", {beta}, {})},
                       BinaryOptions{});
    }
    y = c.emit1(OpType::kAdd, n.name() + "/add_c", {y, scaled}, BinaryOptions{});
  }
  c.bind_output(n, 0, y);
}

void convert_matmul(ImportContext& c, const NodeView& n) {
  const TensorId a = c.input(n, 0);
  const TensorId b = c.input(n, 1);
  if (c.is_constant(b) && c.rank(b) == 2 && c.rank(a) >= 2 && c.tensor(b).dtype == DType::kFloat32) {
    const Shape bs = c.shape(b);  // [K, N]
    const TensorId w = c.constant_f32(n.name() + "/weights", transpose_2d(c.tensor(b).values<float>(), bs[0], bs[1]),
                                      {bs[1], bs[0]});
    FullyConnectedOptions o;
    o.keep_num_dims = c.rank(a) > 2;
    c.bind_output(n, 0, c.emit1(OpType::kFullyConnected, n.name(), {a, w, kNoTensor}, o));
    return;
  }
  c.bind_output(n, 0, c.emit1(OpType::kBatchMatMul, n.name(), {a, b}, BatchMatMulOptions{}));
}

}  // namespace octet::onnx_import
