#include "core/graph.h"

#include <gtest/gtest.h>

#include <set>

#include "core/error.h"

namespace octet {
namespace {

Tensor activation(const std::string& name, Shape shape) {
  Tensor t;
  t.name = name;
  t.shape = std::move(shape);
  return t;
}

// input -> RELU -> ADD(bias const) -> output, plus a dead LOGISTIC branch.
Graph small_graph() {
  Graph g;
  const TensorId in = g.add_tensor(activation("in", {1, 4}));
  const TensorId relu = g.add_tensor(activation("relu", {1, 4}));
  const std::vector<float> bias{1, 2, 3, 4};
  const TensorId b = g.add_constant<float>("bias", DType::kFloat32, {4}, bias);
  const TensorId out = g.add_tensor(activation("out", {1, 4}));
  const TensorId dead = g.add_tensor(activation("dead", {1, 4}));
  g.inputs() = {in};
  g.outputs() = {out};
  g.add_op(OpType::kRelu, "relu", {in}, {relu});
  g.add_op(OpType::kLogistic, "unused", {in}, {dead});
  g.add_op(OpType::kAdd, "add", {relu, b}, {out});
  return g;
}

TEST(OpTable, RowsAreInEnumOrderWithUniqueNames) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < all_ops().size(); ++i) {
    const OpInfo& info = all_ops()[i];
    EXPECT_EQ(static_cast<std::size_t>(info.type), i);
    EXPECT_TRUE(names.insert(info.name).second) << info.name;
    EXPECT_LT(info.options_index, std::variant_size_v<OpOptions>) << info.name;
    EXPECT_LE(info.min_inputs, info.max_inputs) << info.name;
    EXPECT_EQ(default_options(info.type).index(), info.options_index) << info.name;
  }
  EXPECT_EQ(op_name(OpType::kConv2D), "CONV_2D");
  EXPECT_TRUE(std::holds_alternative<Conv2DOptions>(default_options(OpType::kConv2D)));
}

TEST(Graph, VerifiesAWellFormedGraph) { EXPECT_NO_THROW(verify_graph(small_graph())); }

TEST(Graph, ProducerAndConsumers) {
  const Graph g = small_graph();
  EXPECT_EQ(g.producer(1), 0);
  EXPECT_EQ(g.producer(0), -1);
  EXPECT_EQ(g.consumers(0), (std::vector<std::size_t>{0, 1}));
}

TEST(Graph, RemoveUnusedDropsDeadOpsAndRenumbers) {
  Graph g = small_graph();
  g.remove_unused();
  ASSERT_EQ(g.ops().size(), 2U);
  EXPECT_EQ(g.ops()[1].name, "add");
  EXPECT_EQ(g.tensor_count(), 4U);
  EXPECT_EQ(g.tensor(g.outputs()[0]).name, "out");
  EXPECT_EQ(g.tensor(g.ops()[1].inputs[1]).name, "bias");
  EXPECT_NO_THROW(verify_graph(g));
}

TEST(Graph, ReplaceUsesRewiresOpsAndOutputs) {
  Graph g = small_graph();
  g.replace_uses(1, 0);  // skip the relu
  EXPECT_EQ(g.ops()[2].inputs[0], 0);
  g.remove_unused();
  EXPECT_EQ(g.ops().size(), 1U);
}

void expect_invalid(const Graph& g, const std::string& needle) {
  try {
    verify_graph(g);
    FAIL() << "expected verification to fail with " << needle;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(Graph, VerifierCatchesBrokenInvariants) {
  {
    Graph g = small_graph();
    std::swap(g.ops()[0], g.ops()[2]);
    expect_invalid(g, "before it is produced");
  }
  {
    Graph g = small_graph();
    g.ops()[1].outputs = {1};
    expect_invalid(g, "produced twice");
  }
  {
    Graph g = small_graph();
    g.ops()[2].inputs.push_back(0);
    expect_invalid(g, "3 inputs");
  }
  {
    Graph g = small_graph();
    g.ops()[0].options = Conv2DOptions{};
    expect_invalid(g, "wrong options");
  }
  {
    Graph g = small_graph();
    g.tensor(2).shape = {5};
    expect_invalid(g, "holds 16 bytes");
  }
  {
    Graph g = small_graph();
    g.tensor(0).shape = {-1, 4};
    expect_invalid(g, "unresolved dimension");
  }
}

}  // namespace
}  // namespace octet
