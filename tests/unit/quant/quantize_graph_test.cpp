// The int8 quantizer on small hand-built float graphs. Every expected scale,
// zero point and integer value is worked out by hand in the comments from the
// TFLite 8-bit specification (see quant_math.h).

#include "quant/quantize_graph.h"

#include <gtest/gtest.h>

#include "../graph_builder.h"
#include "core/error.h"

namespace octet::quant {
namespace {

const Op* find_op(const Graph& g, OpType type, const std::string& output_name) {
  for (const Op& op : g.ops()) {
    if (op.type == type && g.tensor(op.outputs[0]).name == output_name) return &op;
  }
  return nullptr;
}

TensorId find_tensor(const Graph& g, const std::string& name) {
  for (std::size_t i = 0; i < g.tensor_count(); ++i) {
    if (g.tensor(static_cast<TensorId>(i)).name == name) return static_cast<TensorId>(i);
  }
  return kNoTensor;
}

// x -> CONV(w1, b1) = c, x -> CONV(w2) = d; CONCAT(c, d) = e -> MAX_POOL = f
// -> RESHAPE = r -> FC = g -> SOFTMAX = s (output 0); d -> LOGISTIC = l (output 1).
struct TwoBranchModel {
  TwoBranchModel() {
    const TensorId x = b.input("x", {1, 2, 2, 2});
    const TensorId w1 = b.constant("w1", {3, 1, 1, 2}, {1.0F, -0.5F, 0.25F, 0.25F, -2.0F, 1.0F});
    const TensorId b1 = b.constant("b1", {3}, {0.5F, -0.3F, 1.0F});
    Conv2DOptions relu6;
    relu6.activation = Activation::kRelu6;
    c = b.op(OpType::kConv2D, {x, w1, b1}, relu6);
    const TensorId w2 = b.constant("w2", {3, 1, 1, 2}, {0.5F, 0.5F, -0.5F, 0.5F, 1.0F, 0.0F});
    d = b.op(OpType::kConv2D, {x, w2, kNoTensor}, Conv2DOptions{});
    ConcatenationOptions concat;
    concat.axis = 3;
    e = b.op(OpType::kConcatenation, {c, d}, concat);
    Pool2DOptions pool;
    pool.filter_h = pool.filter_w = pool.stride_h = pool.stride_w = 2;
    f = b.op(OpType::kMaxPool2D, {e}, pool);
    r = b.op(OpType::kReshape, {f, b.ints("shape", {1, 6})});
    std::vector<float> wfc(2 * 6, 0.25F);
    wfc[3] = -4.0F;
    const TensorId fc_w = b.constant("wfc", {2, 6}, wfc);
    g = b.op(OpType::kFullyConnected, {r, fc_w, kNoTensor}, FullyConnectedOptions{});
    s = b.op(OpType::kSoftmax, {g});
    l = b.op(OpType::kLogistic, {d});
    b.g.outputs() = {s, l};
    ranges = {{"x", {-1.0F, 1.0F}},   {b.g.tensor(c).name, {0.0F, 6.0F}},  {b.g.tensor(d).name, {-2.0F, 2.0F}},
              {b.g.tensor(e).name, {-2.0F, 6.0F}}, {b.g.tensor(f).name, {-1.0F, 5.0F}},
              {b.g.tensor(r).name, {-1.0F, 5.0F}}, {b.g.tensor(g).name, {-10.0F, 10.0F}},
              {b.g.tensor(s).name, {0.0F, 1.0F}},  {b.g.tensor(l).name, {0.1F, 0.9F}}};
  }
  std::string name(TensorId id) const { return b.g.tensor(id).name; }
  Builder b;
  TensorId c, d, e, f, r, g, s, l;
  TensorRanges ranges;
};

TEST(QuantizeGraph, TfliteSpecParameters) {
  const TwoBranchModel m;
  const QuantizeResult q = quantize_graph(m.b.g, m.ranges, QuantizeOptions{});
  const Graph& g = q.graph;
  // The input is int8 with its calibrated range [-1, 1]: scale 2/255, zero point -1 (-0.5 rounded away).
  const Tensor& x = g.tensor(g.inputs()[0]);
  EXPECT_EQ(x.name, "x");
  EXPECT_EQ(x.dtype, DType::kInt8);
  EXPECT_FLOAT_EQ(x.quant->scale[0], 2.0F / 255.0F);
  EXPECT_EQ(x.quant->zero_point[0], -1);

  // e: [-2, 6] -> scale 8/255; zero point from min: -128 + 2 / (8/255) = -64.25 -> -64.
  const Tensor& e = g.tensor(find_tensor(g, m.name(m.e)));
  EXPECT_EQ(e.dtype, DType::kInt8);
  EXPECT_FLOAT_EQ(e.quant->scale[0], 8.0F / 255.0F);
  EXPECT_EQ(e.quant->zero_point[0], -64);
  // c is read only by the concatenation: it adopts e's parameters.
  const Tensor& c = g.tensor(find_tensor(g, m.name(m.c)));
  EXPECT_EQ(c.quant->scale, e.quant->scale);
  EXPECT_EQ(c.quant->zero_point, e.quant->zero_point);
  // d also feeds LOGISTIC: keeps its own [-2, 2] (scale 4/255, zero point -1) and is requantized for the join.
  const Tensor& d = g.tensor(find_tensor(g, m.name(m.d)));
  EXPECT_FLOAT_EQ(d.quant->scale[0], 4.0F / 255.0F);
  EXPECT_EQ(d.quant->zero_point[0], -1);
  const Op* requantize = find_op(g, OpType::kQuantize, m.name(m.d) + "/requantized");
  ASSERT_NE(requantize, nullptr);
  EXPECT_EQ(g.tensor(requantize->outputs[0]).quant->scale, e.quant->scale);
  // Pooling and reshape keep e's parameters (TFLite requires it), whatever was calibrated.
  for (const TensorId id : {m.f, m.r}) {
    const Tensor& t = g.tensor(find_tensor(g, m.name(id)));
    EXPECT_EQ(t.quant->scale, e.quant->scale) << t.name;
    EXPECT_EQ(t.quant->zero_point, e.quant->zero_point) << t.name;
  }
  // Fixed outputs.
  const Tensor& s = g.tensor(g.outputs()[0]);
  EXPECT_FLOAT_EQ(s.quant->scale[0], 1.0F / 256.0F);
  EXPECT_EQ(s.quant->zero_point[0], -128);
  EXPECT_EQ(g.tensor(g.outputs()[1]).quant->zero_point[0], -128);

  // Conv weights per channel: max |w| = 1, 0.25, 2 -> scales /127; values rounded half away from zero.
  const Op* conv = find_op(g, OpType::kConv2D, m.name(m.c));
  ASSERT_NE(conv, nullptr);
  const Tensor& w = g.tensor(conv->inputs[1]);
  EXPECT_EQ(w.dtype, DType::kInt8);
  ASSERT_EQ(w.quant->scale.size(), 3U);
  EXPECT_FLOAT_EQ(w.quant->scale[0], 1.0F / 127.0F);
  EXPECT_FLOAT_EQ(w.quant->scale[1], 0.25F / 127.0F);
  EXPECT_FLOAT_EQ(w.quant->scale[2], 2.0F / 127.0F);
  EXPECT_EQ(w.values<std::int8_t>(), (std::vector<std::int8_t>{127, -64, 127, 127, -127, 64}));
  // Bias int32 at input scale x weight scale: 0.5 / (2/255 * 1/127) = 8096.25 -> 8096;
  // -0.3 / (2/255 * 0.25/127) = -19431; 1 / (2/255 * 2/127) = 8096.25 -> 8096.
  const Tensor& bias = g.tensor(conv->inputs[2]);
  EXPECT_EQ(bias.dtype, DType::kInt32);
  EXPECT_EQ(bias.values<std::int32_t>(), (std::vector<std::int32_t>{8096, -19431, 8096}));
  EXPECT_FLOAT_EQ(bias.quant->scale[1], (2.0F / 255.0F) * (0.25F / 127.0F));

  // FULLY_CONNECTED weights per tensor by default: max |w| = 4 -> 4/127; 0.25 -> 7.9375 -> 8.
  const Op* fc = find_op(g, OpType::kFullyConnected, m.name(m.g));
  ASSERT_NE(fc, nullptr);
  const Tensor& wfc = g.tensor(fc->inputs[1]);
  ASSERT_EQ(wfc.quant->scale.size(), 1U);
  EXPECT_FLOAT_EQ(wfc.quant->scale[0], 4.0F / 127.0F);
  EXPECT_EQ(wfc.values<std::int8_t>()[0], 8);
  EXPECT_EQ(wfc.values<std::int8_t>()[3], -127);

  // Every op is int8; the report lists them and the tensors.
  for (const QuantizedOpRecord& op : q.ops) EXPECT_EQ(op.dtype, "int8") << op.name;
  EXPECT_FALSE(q.tensors.empty());
}

TEST(QuantizeGraph, PerChannelFcAndPerTensorOptions) {
  const TwoBranchModel m;
  QuantizeOptions options;
  options.per_channel_fc = true;
  QuantizeResult q = quantize_graph(m.b.g, m.ranges, options);
  EXPECT_EQ(q.graph.tensor(find_op(q.graph, OpType::kFullyConnected, m.name(m.g))->inputs[1]).quant->scale.size(), 2U);
  options = {};
  options.per_tensor = true;
  q = quantize_graph(m.b.g, m.ranges, options);
  // Per tensor: max |w1| = 2 -> 2/127 for all three channels.
  const Tensor& w = q.graph.tensor(find_op(q.graph, OpType::kConv2D, m.name(m.c))->inputs[1]);
  ASSERT_EQ(w.quant->scale.size(), 1U);
  EXPECT_FLOAT_EQ(w.quant->scale[0], 2.0F / 127.0F);
}

TEST(QuantizeGraph, FloatAndUint8Interfaces) {
  const TwoBranchModel m;
  QuantizeOptions options;
  options.input_type = DType::kFloat32;
  options.output_type = DType::kUint8;
  const QuantizeResult q = quantize_graph(m.b.g, m.ranges, options);
  const Graph& g = q.graph;
  const Tensor& x = g.tensor(g.inputs()[0]);
  EXPECT_EQ(x.name, "x");
  EXPECT_EQ(x.dtype, DType::kFloat32);
  EXPECT_EQ(g.ops().front().type, OpType::kQuantize);
  const Tensor& s = g.tensor(g.outputs()[0]);
  EXPECT_EQ(s.name, m.name(m.s));
  EXPECT_EQ(s.dtype, DType::kUint8);
  // uint8 at the same scale: zero point -128 + 128 = 0.
  EXPECT_EQ(s.quant->zero_point[0], 0);
  options.output_type = DType::kFloat32;
  const QuantizeResult f = quantize_graph(m.b.g, m.ranges, options);
  EXPECT_EQ(f.graph.tensor(f.graph.outputs()[0]).dtype, DType::kFloat32);
  EXPECT_EQ(f.graph.ops().back().type, OpType::kDequantize);
}

TEST(QuantizeGraph, OpsWithoutInt8FormAreListedOrKeptInFloat) {
  Builder b;
  const TensorId x = b.input("x", {1, 4});
  const TensorId y = b.op(OpType::kDiv, {x, b.constant("two", {1}, {2.0F})}, BinaryOptions{});
  const TensorId z = b.op(OpType::kExp, {y});
  const TensorId r = b.op(OpType::kRelu, {z});
  b.g.outputs() = {r};
  const TensorRanges ranges = {{"x", {-1.0F, 1.0F}},
                               {b.g.tensor(y).name, {-0.5F, 0.5F}},
                               {b.g.tensor(z).name, {0.5F, 2.0F}},
                               {b.g.tensor(r).name, {0.5F, 2.0F}}};
  try {
    quantize_graph(b.g, ranges, QuantizeOptions{});
    FAIL() << "expected an error";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("2 op(s)"), std::string::npos) << message;
    EXPECT_NE(message.find("(DIV)"), std::string::npos) << message;
    EXPECT_NE(message.find("(EXP)"), std::string::npos) << message;
    EXPECT_NE(message.find("--allow-float-fallback"), std::string::npos) << message;
  }
  QuantizeOptions options;
  options.allow_float_fallback = true;
  const QuantizeResult q = quantize_graph(b.g, ranges, options);
  // x (int8) -> DEQUANTIZE -> DIV -> EXP (float) -> QUANTIZE -> RELU (int8).
  std::vector<OpType> types;
  for (const Op& op : q.graph.ops()) types.push_back(op.type);
  EXPECT_EQ(types, (std::vector<OpType>{OpType::kDequantize, OpType::kDiv, OpType::kExp, OpType::kQuantize,
                                        OpType::kRelu}));
  EXPECT_EQ(q.notes.size(), 2U);
  EXPECT_EQ(q.ops[0].dtype, "float32");
  EXPECT_EQ(q.ops[2].dtype, "int8");
}

TEST(QuantizeGraph, MissingRangeIsAnError) {
  const TwoBranchModel m;
  TensorRanges ranges = m.ranges;
  ranges.erase(m.name(m.e));
  EXPECT_THROW(quantize_graph(m.b.g, ranges, QuantizeOptions{}), Error);
}

}  // namespace
}  // namespace octet::quant
