// calibrate() on a tiny hand-built graph (input -> ADD constant -> RELU):
// ranges of the input and of every op output checked by hand, constants left
// out, sample selection, cancellation and bad sample lists.

#include "quant/calibrator.h"

#include <fmt/format.h>
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


// A long chain, many samples: later ops reuse arena memory, so a tensor
// observed after its bytes were reused would show the wrong range.
// x -> ADD c_1 -> ... -> ADD c_k: the range of t_k is the range of x shifted
// by c_1 + ... + c_k (exact in float).
TEST(Calibrate, EveryTensorOfALongChainIsObservedIntact) {
  constexpr std::size_t kOps = 16;
  constexpr std::size_t kSampleCount = 24;
  constexpr std::int64_t kSide = 32, kChannels = 8;
  Graph g;
  TensorId previous = g.add_tensor(activation("x", {1, kSide, kSide, kChannels}));
  g.inputs().push_back(previous);
  std::vector<float> shifts;
  for (std::size_t k = 0; k < kOps; ++k) {
    shifts.push_back(static_cast<float>(k % 3) + 0.5F);
    const std::vector<float> c{shifts.back()};
    const TensorId constant = g.add_constant<float>(fmt::format("c{}", k), DType::kFloat32, {1}, c);
    const TensorId out = g.add_tensor(activation(fmt::format("t{}", k + 1), {1, kSide, kSide, kChannels}));
    g.add_op(OpType::kAdd, fmt::format("add{}", k), {previous, constant}, {out}, BinaryOptions{});
    previous = out;
  }
  g.outputs().push_back(previous);

  // Sample s holds values in [-s, s + 1] (multiples of 1/4), so each sample
  // widens the range: the final range needs every sample's every tensor.
  const auto per_sample = static_cast<std::size_t>(kSide * kSide * kChannels);
  std::vector<float> values(kSampleCount * per_sample);
  for (std::size_t s = 0; s < kSampleCount; ++s) {
    for (std::size_t i = 0; i < per_sample; ++i) {
      const auto quarter = static_cast<float>(i % (4 * (2 * s + 1) + 1)) / 4.0F;  // 0 .. 2s + 1
      values[s * per_sample + i] = quarter - static_cast<float>(s);
    }
  }
  TempDir dir;
  const auto file = dir.path() / "calib.npy";
  write_npy(file, {kSampleCount, kSide, kSide, kChannels}, values);
  const CalibrationData data = open_calibration_data(g, std::vector<CalibrationSpec>{{"", file}}, {});
  std::vector<std::size_t> all(kSampleCount);
  for (std::size_t s = 0; s < kSampleCount; ++s) all[s] = s;

  const CalibrationResult result = calibrate(g, data, all, quiet(CalibrationMethod::kMinMax));
  const float lo = -static_cast<float>(kSampleCount - 1);
  const float hi = static_cast<float>(kSampleCount);
  EXPECT_EQ(result.at("x").range.observed_min, lo);
  EXPECT_EQ(result.at("x").range.observed_max, hi);
  float shift = 0.0F;
  for (std::size_t k = 0; k < kOps; ++k) {
    shift += shifts[k];
    const CalibratedRange& r = result.at(fmt::format("t{}", k + 1)).range;
    EXPECT_EQ(r.observed_min, lo + shift) << "t" << k + 1;
    EXPECT_EQ(r.observed_max, hi + shift) << "t" << k + 1;
    EXPECT_EQ(r.samples, kSampleCount) << "t" << k + 1;
  }
}

}  // namespace
}  // namespace octet::quant::test
