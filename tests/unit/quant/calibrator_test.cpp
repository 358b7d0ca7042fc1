// calibrate() on a tiny hand-built graph (input -> ADD constant -> RELU):
// ranges of the input and of every op output checked by hand, constants left
// out, sample selection, cancellation and bad sample lists.

#include "quant/calibrator.h"

#include <gtest/gtest.h>

#include <vector>

#include "../test_util.h"
#include "core/error.h"
#include "quant_test_util.h"
#include "util/cancel.h"

namespace octet::quant::test {
namespace {

Tensor activation(const std::string& name, Shape shape) {
  Tensor t;
  t.name = name;
  t.shape = std::move(shape);
  return t;
}

// x (1x2x2x1) -> ADD bias (constant 1) -> sum -> RELU -> y
Graph add_relu_graph() {
  Graph g;
  const std::vector<float> one{1.0F};
  const TensorId x = g.add_tensor(activation("x", {1, 2, 2, 1}));
  const TensorId bias = g.add_constant<float>("bias", DType::kFloat32, {1}, one);
  const TensorId sum = g.add_tensor(activation("sum", {1, 2, 2, 1}));
  const TensorId y = g.add_tensor(activation("y", {1, 2, 2, 1}));
  g.add_op(OpType::kAdd, "add", {x, bias}, {sum}, BinaryOptions{});
  g.add_op(OpType::kRelu, "relu", {sum}, {y});
  g.inputs().push_back(x);
  g.outputs().push_back(y);
  return g;
}

// Per sample: x min, x max
//   0: {-1, 2, 0.5, 3}   -1, 3   sum {0, 3, 1.5, 4}   y = sum
//   1: {-4, 1, 1, 1}     -4, 1   sum {-3, 2, 2, 2}    y {0, 2, 2, 2}
//   2: {0, 0.25, 5, -2}  -2, 5   sum {1, 1.25, 6, -1} y {1, 1.25, 6, 0}
const std::vector<float> kSamples{-1, 2, 0.5F, 3, -4, 1, 1, 1, 0, 0.25F, 5, -2};

struct Fixture {
  TempDir dir;
  Graph graph = add_relu_graph();
  CalibrationData data;
  Fixture() {
    const auto file = dir.path() / "calib.npy";
    write_npy(file, {3, 2, 2, 1}, kSamples);
    data = open_calibration_data(graph, std::vector<CalibrationSpec>{{"", file}}, {});
  }
};

CalibrationOptions quiet(CalibrationMethod method) {
  CalibrationOptions options;
  options.method = method;
  options.progress = false;
  return options;
}

TEST(Calibrate, MinMaxRangesOfTheInputAndEveryOpOutput) {
  Fixture f;
  const std::vector<std::size_t> all{0, 1, 2};
  const CalibrationResult result = calibrate(f.graph, f.data, all, quiet(CalibrationMethod::kMinMax));
  EXPECT_EQ(result.samples, 3U);
  EXPECT_EQ(result.tensors.size(), 3U);  // x, sum, y; the constant is not observed
  EXPECT_EQ(result.tensors.count("bias"), 0U);
  const CalibratedRange& x = result.at("x").range;
  EXPECT_EQ(x.min, -4.0F);
  EXPECT_EQ(x.max, 5.0F);
  EXPECT_EQ(x.samples, 3U);
  EXPECT_EQ(x.values, 12U);
  const CalibratedRange& sum = result.at("sum").range;
  EXPECT_EQ(sum.min, -3.0F);
  EXPECT_EQ(sum.max, 6.0F);
  const CalibratedRange& y = result.at("y").range;
  EXPECT_EQ(y.method, CalibrationMethod::kMinMax);
  EXPECT_EQ(y.min, 0.0F);
  EXPECT_EQ(y.max, 6.0F);
  EXPECT_EQ(y.observed_min, 0.0F);
  EXPECT_EQ(result.at("y").id, f.graph.outputs()[0]);
  EXPECT_THROW(result.at("bias"), Error);
}

TEST(Calibrate, EmaFollowsTheSampleOrderGiven) {
  Fixture f;
  CalibrationOptions options = quiet(CalibrationMethod::kEma);
  options.observer.ema_decay = 0.5F;
  const std::vector<std::size_t> order{2, 0, 1};
  const CalibrationResult result = calibrate(f.graph, f.data, order, options);
  // x mins -2, -1, -4: -2 -> -1.5 -> -2.75; maxes 5, 3, 1: 5 -> 4 -> 2.5
  EXPECT_FLOAT_EQ(result.at("x").range.min, -2.75F);
  EXPECT_FLOAT_EQ(result.at("x").range.max, 2.5F);
  // y maxes 6, 4, 2: 6 -> 5 -> 3.5; mins 0: the range starts at 0
  EXPECT_FLOAT_EQ(result.at("y").range.max, 3.5F);
  EXPECT_EQ(result.at("y").range.min, 0.0F);
}

TEST(Calibrate, SelectedSamplesOnly) {
  Fixture f;
  const std::vector<std::size_t> one{1};
  const CalibrationResult result = calibrate(f.graph, f.data, one, quiet(CalibrationMethod::kMinMax));
  EXPECT_EQ(result.at("x").range.min, -4.0F);
  EXPECT_EQ(result.at("x").range.max, 1.0F);
  EXPECT_EQ(result.at("y").range.max, 2.0F);
  EXPECT_EQ(result.at("x").range.samples, 1U);
}

TEST(Calibrate, HistogramMethodsRecordTheMethod) {
  Fixture f;
  const std::vector<std::size_t> all{0, 1, 2};
  const CalibrationResult result = calibrate(f.graph, f.data, all, quiet(CalibrationMethod::kAuto));
  EXPECT_EQ(result.requested, CalibrationMethod::kAuto);
  for (const auto& [name, tensor] : result.tensors) {
    EXPECT_NE(tensor.range.method, CalibrationMethod::kAuto) << name;  // the candidate chosen
    EXPECT_LE(tensor.range.min, 0.0F) << name;
    EXPECT_GT(tensor.range.max, tensor.range.min) << name;
  }
}

TEST(Calibrate, CancelAndBadSampleListsAreErrors) {
  Fixture f;
  CancelToken token;
  token.request();
  CalibrationOptions options = quiet(CalibrationMethod::kMinMax);
  options.cancel = &token;
  const std::vector<std::size_t> all{0, 1, 2};
  EXPECT_THROW(calibrate(f.graph, f.data, all, options), Cancelled);
  EXPECT_THROW(calibrate(f.graph, f.data, std::vector<std::size_t>{}, quiet(CalibrationMethod::kMinMax)), Error);
  try {
    calibrate(f.graph, f.data, std::vector<std::size_t>{0, 3}, quiet(CalibrationMethod::kMinMax));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "calibration sample 3 is out of range (the arrays hold 3)");
  }
}

}  // namespace
}  // namespace octet::quant::test
