// Calibration data: binding --calib specs to graph inputs and every
// validation rule (dtype, shape, NCHW detection and transposition, size limit,
// recipe value range, sample counts), with small .npy files written here.

#include "quant/calibration_data.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "../test_util.h"
#include "core/error.h"
#include "dataset/recipe.h"
#include "quant_test_util.h"
#include "runtime/interpreter.h"

namespace octet::quant::test {
namespace {

Tensor activation(const std::string& name, Shape shape) {
  Tensor t;
  t.name = name;
  t.shape = std::move(shape);
  return t;
}

// One input per shape, named a, b, ... (x for a single input), each through a RELU.
Graph relu_graph(const std::vector<Shape>& shapes) {
  Graph g;
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    const std::string name = shapes.size() == 1 ? "x" : std::string(1, static_cast<char>('a' + i));
    const TensorId in = g.add_tensor(activation(name, shapes[i]));
    const TensorId out = g.add_tensor(activation(name + "_relu", shapes[i]));
    g.add_op(OpType::kRelu, name + "_op", {in}, {out});
    g.inputs().push_back(in);
    g.outputs().push_back(out);
  }
  return g;
}

std::vector<float> iota(std::size_t count, float scale = 1.0F) {
  std::vector<float> v(count);
  for (std::size_t i = 0; i < count; ++i) v[i] = static_cast<float>(i) * scale;
  return v;
}

std::string error_of(const Graph& graph, const std::vector<CalibrationSpec>& specs,
                     const CalibrationLimits& limits = {}) {
  try {
    open_calibration_data(graph, specs, limits);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

void write_recipe(const std::filesystem::path& npy, bool normalize, Layout layout, int side) {
  CalibrationRecipe recipe;
  recipe.producer = "test";
  recipe.preprocess.width = side;
  recipe.preprocess.height = side;
  recipe.preprocess.normalize = normalize;
  recipe.preprocess.layout = layout;
  recipe.array_file = npy.filename().string();
  write_file(recipe_path_for(npy), recipe_to_json(recipe));
}

std::vector<float> input_values(Interpreter& interpreter, std::size_t i) {
  const TensorView view = interpreter.input(i);
  return {view.as<float>(), view.as<float>() + view.count()};
}

TEST(CalibrationSpecText, NameIsOptional) {
  const CalibrationSpec named = parse_calibration_spec("images=data/set.npy");
  EXPECT_EQ(named.input_name, "images");
  EXPECT_EQ(named.file, "data/set.npy");
  const CalibrationSpec unnamed = parse_calibration_spec("data/set.npy");
  EXPECT_EQ(unnamed.input_name, "");
  EXPECT_THROW(parse_calibration_spec("=set.npy"), UsageError);
  EXPECT_THROW(parse_calibration_spec("x="), UsageError);
  TempDir dir;
  const auto odd = dir.path() / "a=b.npy";  // an existing file is taken whole
  write_file(odd, "");
  EXPECT_EQ(parse_calibration_spec(odd.string()).input_name, "");
}

TEST(CalibrationData, SingleUnnamedArrayFeedsTheSingleInput) {
  TempDir dir;
  const Graph graph = relu_graph({{1, 2, 2, 3}});
  const auto file = dir.path() / "calib.npy";
  write_npy(file, {3, 2, 2, 3}, iota(36, 0.01F));
  const std::vector<CalibrationSpec> specs{{"", file}};
  const CalibrationData data = open_calibration_data(graph, specs, {});
  EXPECT_EQ(data.sample_count(), 3U);
  ASSERT_EQ(data.bindings().size(), 1U);
  EXPECT_EQ(data.bindings()[0].layout, SampleLayout::kAsInput);
  EXPECT_EQ(data.bindings()[0].describe(),
            fmt::format("{} -> input 'x' (1x2x2x3): 3 samples, array 3x2x2x3 in the input's layout, no recipe",
                        file.string()));
  Interpreter interpreter(graph);
  data.write_sample(2, interpreter);
  const std::vector<float> all = iota(36, 0.01F);
  EXPECT_EQ(input_values(interpreter, 0), std::vector<float>(all.begin() + 24, all.end()));
  EXPECT_THROW(data.write_sample(3, interpreter), Error);
}

TEST(CalibrationData, NonFiniteSampleIsAnErrorNamingFileAndSample) {
  TempDir dir;
  const Graph graph = relu_graph({{1, 2, 2, 3}});
  const auto file = dir.path() / "calib.npy";
  std::vector<float> values = iota(36, 0.01F);
  values[12 + 5] = std::numeric_limits<float>::quiet_NaN();  // sample 1
  write_npy(file, {3, 2, 2, 3}, values);
  const std::vector<CalibrationSpec> specs{{"", file}};
  const CalibrationData data = open_calibration_data(graph, specs, {});
  Interpreter interpreter(graph);
  EXPECT_NO_THROW(data.write_sample(0, interpreter));
  try {
    data.write_sample(1, interpreter);
    FAIL() << "a NaN sample was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              fmt::format("{}: sample 1 holds NaN or infinite values (calibration data must be finite)", file.string()));
  }
}

TEST(CalibrationData, NchwArrayIsDetectedAndTransposed) {
  TempDir dir;
  const Graph graph = relu_graph({{1, 2, 5, 3}});  // NHWC: H 2, W 5, C 3
  const auto file = dir.path() / "nchw.npy";
  const std::vector<float> values = iota(2 * 3 * 2 * 5);
  write_npy(file, {2, 3, 2, 5}, values);
  const std::vector<CalibrationSpec> specs{{"", file}};
  const CalibrationData data = open_calibration_data(graph, specs, {});
  EXPECT_EQ(data.bindings()[0].layout, SampleLayout::kNchwToNhwc);
  EXPECT_NE(data.describe().find("array 2x3x2x5 NCHW, transposed to the input's NHWC 1x2x5x3"), std::string::npos);
  Interpreter interpreter(graph);
  data.write_sample(1, interpreter);
  const std::vector<float> got = input_values(interpreter, 0);
  for (std::size_t h = 0; h < 2; ++h) {
    for (std::size_t w = 0; w < 5; ++w) {
      for (std::size_t c = 0; c < 3; ++c) {
        const float expected = values[30 + (c * 2 + h) * 5 + w];  // sample 1 of N x C x H x W
        EXPECT_EQ(got[(h * 5 + w) * 3 + c], expected) << h << " " << w << " " << c;
      }
    }
  }
}

TEST(CalibrationData, AmbiguousShapePrefersTheInputsLayoutUnlessTheRecipeSaysNchw) {
  TempDir dir;
  const Graph graph = relu_graph({{1, 3, 3, 3}});
  const auto file = dir.path() / "cube.npy";
  write_npy(file, {2, 3, 3, 3}, iota(54, 0.01F));
  const std::vector<CalibrationSpec> specs{{"", file}};
  EXPECT_EQ(open_calibration_data(graph, specs, {}).bindings()[0].layout, SampleLayout::kAsInput);
  write_recipe(file, true, Layout::kNchw, 3);
  const CalibrationData data = open_calibration_data(graph, specs, {});
  EXPECT_EQ(data.bindings()[0].layout, SampleLayout::kNchwToNhwc);
  EXPECT_EQ(data.bindings()[0].recipe, recipe_path_for(file));
}

TEST(CalibrationData, KeptNchwInputsTakeNoTransposedArray) {
  TempDir dir;
  const Graph graph = relu_graph({{1, 3, 2, 5}});  // imported keeping NCHW
  const auto file = dir.path() / "nhwc.npy";
  write_npy(file, {1, 2, 5, 3}, iota(30));
  CalibrationLimits limits;
  limits.nhwc_inputs = false;
  EXPECT_EQ(error_of(graph, {{"", file}}, limits),
            fmt::format("{}: shape 1x2x5x3 does not fit input 'x' (1x3x2x5): expected Nx3x2x5", file.string()));
}

TEST(CalibrationData, WrongElementTypeIsAnError) {
  TempDir dir;
  const Graph graph = relu_graph({{1, 4, 4, 3}});
  const auto file = dir.path() / "ints.npy";
  write_raw_npy(file, "<i4", "(2, 4, 4, 3)", 2 * 48 * 4);
  EXPECT_EQ(error_of(graph, {{"", file}}),
            fmt::format("{}: element type is int32, calibration arrays must be float32 (expected Nx4x4x3 float32 "
                        "for input 'x')",
                        file.string()));
}

TEST(CalibrationData, WrongShapeNamesBothAcceptedLayouts) {
  TempDir dir;
  const Graph graph = relu_graph({{1, 4, 4, 3}});
  const auto file = dir.path() / "bad.npy";
  write_npy(file, {2, 4, 4, 4}, iota(128));
  EXPECT_EQ(error_of(graph, {{"", file}}),
            fmt::format("{}: shape 2x4x4x4 does not fit input 'x' (1x4x4x3, NHWC): expected Nx4x4x3 (NHWC) or "
                        "Nx3x4x4 (NCHW)",
                        file.string()));
  write_npy(file, {4, 4, 3}, iota(48));  // the batch axis is missing
  EXPECT_NE(error_of(graph, {{"", file}}).find("shape 4x4x3 does not fit input 'x'"), std::string::npos);
  write_npy(file, {0, 4, 4, 3}, {});
  EXPECT_EQ(error_of(graph, {{"", file}}), fmt::format("{}: holds no samples (first dimension is 0)", file.string()));
}

TEST(CalibrationData, SizeLimitIsCheckedBeforeReadingTheFile) {
  TempDir dir;
  const Graph graph = relu_graph({{1, 4, 4, 3}});
  const auto file = dir.path() / "big.npy";
  write_file(file, std::string(2000, 'z'));  // not even a .npy: the size check comes first
  CalibrationLimits limits;
  limits.limit_bytes = 1000;
  EXPECT_EQ(error_of(graph, {{"", file}}, limits),
            fmt::format("{}: 2.0 KB is over the calibration size limit of 1.0 KB; pass fewer samples (octet "
                        "prepare --limit)",
                        file.string()));
}

TEST(CalibrationData, RecipeValueRangeIsChecked) {
  TempDir dir;
  const Graph graph = relu_graph({{1, 2, 2, 3}});
  const auto file = dir.path() / "4x2x2.npy";
  write_npy(file, {4, 2, 2, 3}, iota(48, 5.0F));  // 0..235: raw pixels
  write_recipe(file, true, Layout::kNhwc, 2);
  EXPECT_EQ(error_of(graph, {{"", file}}),
            fmt::format("{}: values reach 235 but recipe 4x2x2.json normalises pixels (/255): expected at most 1.5 "
                        "(was the array made without normalisation?)",
                        file.string()));
  write_recipe(file, false, Layout::kNhwc, 2);
  EXPECT_NO_THROW(open_calibration_data(graph, std::vector<CalibrationSpec>{{"", file}}, {}));
  write_npy(file, {4, 2, 2, 3}, iota(48, 0.02F));  // 0..0.94: already divided
  EXPECT_EQ(error_of(graph, {{"", file}}),
            fmt::format("{}: values are at most 0.94 in 4 samples checked but recipe 4x2x2.json keeps pixels in "
                        "0..255 (no /255): expected a maximum above 1 (was the array normalised?)",
                        file.string()));
  write_recipe(file, true, Layout::kNhwc, 2);
  EXPECT_NO_THROW(open_calibration_data(graph, std::vector<CalibrationSpec>{{"", file}}, {}));
}

TEST(CalibrationData, SeveralInputsNeedNamesAndTheSameSampleCount) {
  TempDir dir;
  const Graph graph = relu_graph({{1, 2}, {1, 3}});
  const auto a = dir.path() / "a.npy";
  const auto b = dir.path() / "b.npy";
  const auto b5 = dir.path() / "b5.npy";
  write_npy(a, {4, 2}, iota(8));
  write_npy(b, {4, 3}, iota(12, -1.0F));
  write_npy(b5, {5, 3}, iota(15));
  EXPECT_EQ(error_of(graph, {{"", a}}),
            fmt::format("{}: the model has 2 inputs ('a', 'b'); name the input of each array: --calib NAME=FILE.npy",
                        a.string()));
  EXPECT_EQ(error_of(graph, {{"a", a}, {"c", b}}),
            fmt::format("{}: the model has no input 'c' (inputs: 'a', 'b')", b.string()));
  EXPECT_EQ(error_of(graph, {{"a", a}}), "input 'b' has no calibration data: pass --calib b=FILE.npy");
  EXPECT_EQ(error_of(graph, {{"a", a}, {"a", b}}),
            fmt::format("{}: input 'a' already has calibration data; give one array per input", b.string()));
  EXPECT_EQ(error_of(graph, {{"a", a}, {"", b}}),
            fmt::format("{}: several --calib arrays are given; name the input of each: --calib NAME=FILE.npy",
                        b.string()));
  EXPECT_EQ(error_of(graph, {{"a", a}, {"b", b5}}),
            fmt::format("{}: holds 5 samples but {} holds 4; every input needs the same number", b5.string(),
                        a.string()));
  // Bound by name, in any order.
  const std::vector<CalibrationSpec> specs{{"b", b}, {"a", a}};
  const CalibrationData data = open_calibration_data(graph, specs, {});
  Interpreter interpreter(graph);
  data.write_sample(3, interpreter);
  EXPECT_EQ(input_values(interpreter, 0), (std::vector<float>{6.0F, 7.0F}));
  EXPECT_EQ(input_values(interpreter, 1), (std::vector<float>{-9.0F, -10.0F, -11.0F}));
}

TEST(CalibrationData, BatchedInputTakesWholeTensorsPerSample) {
  TempDir dir;
  const Graph graph = relu_graph({{2, 3}});  // batch 2: a sample is the whole 2x3 tensor
  const auto file = dir.path() / "batched.npy";
  write_npy(file, {3, 2, 3}, iota(18));
  const CalibrationData data = open_calibration_data(graph, std::vector<CalibrationSpec>{{"", file}}, {});
  EXPECT_EQ(data.sample_count(), 3U);
  Interpreter interpreter(graph);
  data.write_sample(1, interpreter);
  EXPECT_EQ(input_values(interpreter, 0), (std::vector<float>{6, 7, 8, 9, 10, 11}));
  write_npy(file, {3, 3}, iota(9));
  EXPECT_EQ(error_of(graph, {{"", file}}),
            fmt::format("{}: shape 3x3 does not fit input 'x' (2x3): expected Nx2x3", file.string()));
}

}  // namespace
}  // namespace octet::quant::test
