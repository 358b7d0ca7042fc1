// ModelFactory::from_graph (src/api/model_from_graph.h): an octet::Model over
// an IR graph, as `octet run MODEL.onnx` uses it; values by hand.

#include "api/model_from_graph.h"

#include <gtest/gtest.h>

#include "../tflite/tflite_sample_graphs.h"
#include "api/model_support.h"

namespace octet {
namespace {

using tflite_samples::GraphBuilder;

// x [1,2,2,3] -> HARD_SWISH -> y.
Graph hard_swish_graph() {
  GraphBuilder b(1);
  const TensorId x = b.input("x", {1, 2, 2, 3});
  b.output(b.op(OpType::kHardSwish, "y", {x}, NoOptions{}));
  return b.take();
}

TEST(ModelFromGraph, RunsTheGraphWithLayoutsFromTheNotes) {
  const std::string notes = R"json({"notes":["input 'x' is NHWC 1x2x2x3 (the model's NCHW 1x3x2x2)"]})json";
  Result<Model> model = ModelFactory::from_graph(hard_swish_graph(), "m.onnx", notes);
  ASSERT_TRUE(model.ok()) << model.status().message();
  ASSERT_EQ(model->inputs().size(), 1U);
  EXPECT_EQ(model->inputs()[0].layout, TensorLayout::kNhwc);
  EXPECT_EQ(model->inputs()[0].layout_source, "octet metadata");
  EXPECT_EQ(model->source(), "m.onnx");
  EXPECT_EQ(model->metadata(kConversionMetadataName), notes);
  // HardSwish x * relu6(x + 3) / 6 by hand: -4 -> 0, -1.5 -> -0.375, 3 -> 3, 0.5 -> 0.5 * 3.5 / 6.
  const std::vector<float> x{-4, -1.5F, 3, 0.5F, 0, 0, 0, 0, 0, 0, 0, 6};
  ASSERT_TRUE(model->set_input_float(0, x).ok());
  ASSERT_TRUE(model->invoke().ok());
  const Result<std::vector<float>> y = model->output_float(0);
  ASSERT_TRUE(y.ok());
  EXPECT_FLOAT_EQ((*y)[0], 0.0F);
  EXPECT_FLOAT_EQ((*y)[1], -0.375F);
  EXPECT_FLOAT_EQ((*y)[2], 3.0F);
  EXPECT_FLOAT_EQ((*y)[3], 0.5F * 3.5F / 6.0F);
  EXPECT_FLOAT_EQ((*y)[11], 6.0F);
}

TEST(ModelFromGraph, InvalidGraphIsAStatus) {
  Graph graph = hard_swish_graph();
  graph.outputs().push_back(static_cast<TensorId>(graph.tensor_count() + 5));  // out of range
  const Result<Model> model = ModelFactory::from_graph(std::move(graph), "bad.onnx", "{}");
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace octet
