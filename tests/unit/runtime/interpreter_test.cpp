// The kernel registry and the Interpreter: every op of the table has a
// reference kernel; a small CNN graph runs op by op with an observer (golden
// from tests/unit/runtime/make_goldens.py, numpy); declared outputs that
// differ from Prepare's are rejected naming the op and the tensor.

#include <numeric>

#include "runtime_test_util.h"

namespace octet::test {
namespace {

Tensor activation(const std::string& name, Shape shape, DType dtype = DType::kFloat32) {
  Tensor t;
  t.name = name;
  t.dtype = dtype;
  t.shape = std::move(shape);
  return t;
}

TEST(RuntimeKernelRegistry, EveryOpOfTheTableHasAReferenceKernel) {
  for (const OpInfo& info : all_ops()) {
    EXPECT_TRUE(has_reference_kernel(info.type)) << info.name;
    EXPECT_NE(reference_kernel(info.type).prepare, nullptr) << info.name;
    EXPECT_NE(reference_kernel(info.type).eval, nullptr) << info.name;
  }
}

TEST(RuntimeKernelRegistry, UnknownOpTypeIsAnError) {
  const auto bogus = static_cast<OpType>(9999);
  EXPECT_FALSE(has_reference_kernel(bogus));
  EXPECT_THROW(reference_kernel(bogus), Error);
}

TEST(RuntimeKernelRegistry, InferOutputsChecksTheOpTableFirst) {
  Graph g;
  const TensorId x = g.add_tensor(activation("x", {2}));
  const TensorId y = g.add_tensor(activation("y", {2}));
  Op& op = g.add_op(OpType::kRelu, "r", {x, x}, {y});
  try {
    infer_outputs(g, op);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "op 'r' (RELU): has 2 inputs, expected 1..1");
  }
  op.inputs = {x};
  op.options = SoftmaxOptions{};
  EXPECT_THROW(infer_outputs(g, op), Error);
  op.options = NoOptions{};
  EXPECT_EQ(infer_outputs(g, op).at(0).shape, (Shape{2}));
}

// input 1x4x4x2 -> CONV_2D 3x3 SAME + RELU -> MAX_POOL 2x2/2 -> MEAN(1,2)
// -> FULLY_CONNECTED 3->2 -> SOFTMAX
struct Cnn {
  Graph graph;
  TensorId conv_out = 0;
  TensorId mean_out = 0;
};

Cnn small_cnn() {
  Cnn c;
  Graph& g = c.graph;
  const std::vector<float> w = {0.5F, 0.0F, -0.25F, 0.0F, 0.5F, 0.5F, -0.25F, -0.25F, 0.0F, 0.0F, -0.25F, -0.25F, 0.5F, 0.25F,
    0.5F, 0.0F, -0.25F, -0.25F, 0.25F, 0.0F, 0.0F, -0.25F, 0.0F, -0.5F, -0.5F, -0.5F, 0.5F, -0.25F,
    -0.5F, -0.5F, 0.5F, 0.25F, -0.5F, 0.5F, 0.0F, -0.5F, -0.5F, 0.0F, 0.25F, 0.0F, -0.5F, 0.0F, 0.5F,
    -0.5F, 0.25F, 0.5F, 0.25F, -0.25F, -0.25F, 0.5F, 0.25F, 0.0F, -0.5F, -0.25F};
  const std::vector<float> b{0.25F, -0.5F, 0.75F};
  const std::vector<float> fc_w = {-1.0F, -1.0F, -1.0F, 1.0F, -1.0F, -0.5F};
  const std::vector<float> fc_b{0.5F, -0.5F};
  const std::vector<std::int32_t> axes{1, 2};
  const TensorId x = g.add_tensor(activation("x", {1, 4, 4, 2}));
  const TensorId cw = g.add_constant<float>("conv/w", DType::kFloat32, {3, 3, 3, 2}, w);
  const TensorId cb = g.add_constant<float>("conv/b", DType::kFloat32, {3}, b);
  c.conv_out = g.add_tensor(activation("conv", {1, 4, 4, 3}));
  const TensorId pool = g.add_tensor(activation("pool", {1, 2, 2, 3}));
  const TensorId ax = g.add_constant<std::int32_t>("axes", DType::kInt32, {2}, axes);
  c.mean_out = g.add_tensor(activation("mean", {1, 3}));
  const TensorId fw = g.add_constant<float>("fc/w", DType::kFloat32, {2, 3}, fc_w);
  const TensorId fb = g.add_constant<float>("fc/b", DType::kFloat32, {2}, fc_b);
  const TensorId logits = g.add_tensor(activation("logits", {1, 2}));
  const TensorId probs = g.add_tensor(activation("probs", {1, 2}));
  g.inputs() = {x};
  g.outputs() = {probs};
  Conv2DOptions conv;
  conv.padding = Padding::kSame;
  conv.activation = Activation::kRelu;
  g.add_op(OpType::kConv2D, "conv", {x, cw, cb}, {c.conv_out}, conv);
  Pool2DOptions p;
  p.filter_h = p.filter_w = p.stride_h = p.stride_w = 2;
  g.add_op(OpType::kMaxPool2D, "pool", {c.conv_out}, {pool}, p);
  g.add_op(OpType::kMean, "mean", {pool, ax}, {c.mean_out}, ReducerOptions{});
  g.add_op(OpType::kFullyConnected, "fc", {c.mean_out, fw, fb}, {logits}, FullyConnectedOptions{});
  g.add_op(OpType::kSoftmax, "softmax", {logits}, {probs}, SoftmaxOptions{});
  return c;
}

const std::vector<float> kCnnX = {1.5F, -1.5F, 1.5F, 0.5F, -0.5F, -0.5F, -1.0F, -1.0F, 0.5F, 1.0F, -0.5F, 2.0F, 1.5F, 2.0F, 1.0F,
    1.0F, 0.5F, 1.5F, 2.0F, 0.0F, 0.5F, -1.0F, 1.5F, 0.0F, 0.0F, 0.5F, -1.0F, 2.0F, -0.5F, -0.5F,
    -2.0F, 0.0F};

TEST(RuntimeInterpreter, RunsASmallCnnAndCallsTheObserverAfterEachOp) {
  const Cnn cnn = small_cnn();
  Interpreter interpreter(cnn.graph);
  ASSERT_EQ(interpreter.input_count(), 1U);
  ASSERT_EQ(interpreter.output_count(), 1U);
  const TensorView x = interpreter.input(0);
  ASSERT_EQ(x.count(), kCnnX.size());
  std::copy(kCnnX.begin(), kCnnX.end(), x.as<float>());

  std::vector<std::size_t> seen;
  std::vector<float> conv_values;
  interpreter.set_observer([&](std::size_t op_index) {
    seen.push_back(op_index);
    if (op_index == 0) {  // the conv's output is readable right after it runs
      const TensorView conv = interpreter.tensor(cnn.conv_out);
      conv_values.assign(conv.as<const float>(), conv.as<const float>() + conv.count());
    }
  });
  interpreter.invoke();
  EXPECT_EQ(seen, (std::vector<std::size_t>{0, 1, 2, 3, 4}));
  expect_close(conv_values, {0.0F, 0.0F, 0.5F, 0.0F, 1.375F, 1.875F, 0.75F, 0.0F, 1.625F, 2.25F, 1.0F, 0.875F, 0.25F, 0.0F,
    0.0F, 0.625F, 0.0F, 2.25F, 0.125F, 0.0F, 0.0F, 0.125F, 0.0F, 1.0F, 0.125F, 0.0F, 2.5F, 1.875F,
    0.25F, 0.375F, 0.0F, 0.0F, 4.0F, 0.0F, 1.25F, 0.75F, 0.875F, 0.0F, 0.0F, 0.0F, 0.0F, 1.25F,
    2.125F, 0.625F, 0.0F, 0.375F, 0.0F, 0.375F});
  const TensorView out = interpreter.output(0);
  EXPECT_EQ(out.shape, (Shape{1, 2}));
  expect_close({out.as<const float>()[0], out.as<const float>()[1]}, {0.0233307688F, 0.976669231F});

  // A second run gives the same result (no state kept between invokes).
  interpreter.set_observer(nullptr);
  interpreter.invoke();
  expect_close({out.as<const float>()[0], out.as<const float>()[1]}, {0.0233307688F, 0.976669231F});
}

TEST(RuntimeInterpreter, ReadsConstantsInPlace) {
  const Cnn cnn = small_cnn();
  const Interpreter interpreter(cnn.graph);
  const TensorId w = cnn.graph.ops()[0].inputs[1];
  EXPECT_EQ(interpreter.tensor(w).data, cnn.graph.tensor(w).data->data());
  EXPECT_THROW(interpreter.tensor(999), Error);
  EXPECT_THROW(interpreter.output(1), Error);
}

TEST(RuntimeInterpreter, RejectsADeclaredShapeThatPrepareDoesNotCompute) {
  Cnn cnn = small_cnn();
  cnn.graph.tensor(cnn.mean_out).shape = {1, 1, 1, 3};  // MEAN without keep_dims gives 1x3
  try {
    const Interpreter interpreter(cnn.graph);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "op 'mean' (MEAN): output 'mean' is declared float32 1x1x1x3 but the op computes "
                           "float32 1x3");
  }
}

TEST(RuntimeInterpreter, RejectsADeclaredDtypeThatPrepareDoesNotCompute) {
  Cnn cnn = small_cnn();
  cnn.graph.tensor(cnn.conv_out).dtype = DType::kInt8;
  try {
    const Interpreter interpreter(cnn.graph);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("op 'conv' (CONV_2D): output 'conv' is declared int8 1x4x4x3"),
              std::string::npos)
        << e.what();
  }
}

TEST(RuntimeInterpreter, PrepareErrorsNameTheOp) {
  Cnn cnn = small_cnn();
  cnn.graph.ops()[0].opts<Conv2DOptions>().stride_h = 0;
  try {
    const Interpreter interpreter(cnn.graph);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "op 'conv' (CONV_2D): stride_h must be >= 1, got 0");
  }
}

TEST(RuntimeInterpreter, RejectsAConstantGraphInput) {
  Graph g;
  const std::vector<float> one{1.0F};
  const TensorId c = g.add_constant<float>("c", DType::kFloat32, {1}, one);
  const TensorId y = g.add_tensor(activation("y", {1}));
  g.inputs() = {c};
  g.outputs() = {y};
  g.add_op(OpType::kRelu, "relu", {c}, {y});
  EXPECT_THROW(Interpreter{g}, Error);
}

TEST(RuntimeInterpreter, VerifiesTheGraph) {
  Cnn cnn = small_cnn();
  cnn.graph.ops()[1].inputs[0] = 42;  // out of range
  EXPECT_THROW(Interpreter{cnn.graph}, Error);
}

TEST(RuntimeInterpreter, MultipleOutputsAndDataMovementOnInt64) {
  // SPLIT of an int64 tensor into two graph outputs (constant folding runs
  // data-movement ops on int64 shape tensors).
  Graph g;
  const std::vector<std::int32_t> axis{0};
  const TensorId a = g.add_constant<std::int32_t>("axis", DType::kInt32, {}, axis);
  const TensorId x = g.add_tensor(activation("x", {4}, DType::kInt64));
  const TensorId y0 = g.add_tensor(activation("y0", {2}, DType::kInt64));
  const TensorId y1 = g.add_tensor(activation("y1", {2}, DType::kInt64));
  g.inputs() = {x};
  g.outputs() = {y0, y1};
  SplitOptions o;
  o.num_splits = 2;
  g.add_op(OpType::kSplit, "split", {a, x}, {y0, y1}, o);
  Interpreter interpreter(g);
  auto* in = interpreter.input(0).as<std::int64_t>();
  std::iota(in, in + 4, std::int64_t{1} << 40);
  interpreter.invoke();
  EXPECT_EQ(interpreter.output(0).as<std::int64_t>()[1], (std::int64_t{1} << 40) + 1);
  EXPECT_EQ(interpreter.output(1).as<std::int64_t>()[0], (std::int64_t{1} << 40) + 2);
}

}  // namespace
}  // namespace octet::test
