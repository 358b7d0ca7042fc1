// octet's public API (include/octet/model.h) and the inspector behind
// `octet inspect`: values, quantization, the error contract (a Status, never
// an exception or a crash) on damaged files, wrong inputs and missing files.

#include "octet/model.h"

#include <gtest/gtest.h>

#include <cstring>

#include "../test_util.h"
#include "../tflite/tflite_sample_graphs.h"
#include "api/model_support.h"
#include "api/tflite_inspect.h"
#include "core/error.h"
#include "tflite/tflite_writer.h"

namespace octet {
namespace {

using tflite_samples::GraphBuilder;

// x [1,4] float -> FULLY_CONNECTED (w [3,4], b [3]) -> SOFTMAX -> probs [1,3].
std::vector<std::uint8_t> float_model() {
  GraphBuilder b(3);
  const TensorId x = b.input("x", {1, 4});
  const TensorId w = b.floats("w", {3, 4}, {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1});
  const TensorId bias = b.floats("b", {3}, {0.5F, 0, -1});
  const TensorId fc = b.op(OpType::kFullyConnected, "fc", {x, w, bias}, FullyConnectedOptions{});
  b.output(b.op(OpType::kSoftmax, "probs", {fc}, SoftmaxOptions{}));
  TfliteWriteOptions options;
  const std::string meta = R"({"producer":"octet test","notes":[],"calibration":{"preprocess":{"width":2,"height":2,)"
                           R"("resize":"stretch","color":"rgb","normalize":true,"layout":"nhwc"}}})";
  options.metadata.emplace_back(kConversionMetadataName, std::vector<std::uint8_t>(meta.begin(), meta.end()));
  return write_tflite(b.take(), options);
}

// q [1,2,2,3] int8 (scale 0.5, zero point 1) -> DEQUANTIZE -> QUANTIZE int8
// (scale 0.25, zero point -2) -> y: an int8-in, int8-out model.
std::vector<std::uint8_t> int8_model() {
  GraphBuilder b(4);
  Graph& g = b.graph();
  const TensorId q = b.input("image", {1, 2, 2, 3}, DType::kInt8);
  g.tensor(q).quant = QuantParams{{0.5F}, {1}, 0};
  const TensorId f = b.op(OpType::kDequantize, "f", {q});
  b.output(b.quantize("y", f, DType::kInt8, QuantParams{{0.25F}, {-2}, 0}));
  return write_tflite(b.take());
}

Model load(const std::vector<std::uint8_t>& bytes) {
  Result<Model> m = Model::load_from_bytes(bytes, "m.tflite");
  EXPECT_TRUE(m.ok()) << m.status().message();
  return std::move(m).value();
}

TEST(QuantizeValue, RoundsHalfAwayFromZeroAndSaturates) {
  EXPECT_EQ(quantize_value(1.25F, 0.5F, 0, ElementType::kInt8), 3);    // 2.5 -> 3
  EXPECT_EQ(quantize_value(-1.25F, 0.5F, 0, ElementType::kInt8), -3);  // -2.5 -> -3
  EXPECT_EQ(quantize_value(0.74F, 0.5F, 1, ElementType::kInt8), 2);    // 1.48 -> 1, + 1
  EXPECT_EQ(quantize_value(1000.0F, 0.5F, 1, ElementType::kInt8), 127);
  EXPECT_EQ(quantize_value(-1000.0F, 0.5F, 1, ElementType::kInt8), -128);
  EXPECT_EQ(quantize_value(-1.0F, 1.0F, 0, ElementType::kUint8), 0);
  EXPECT_EQ(quantize_value(300.0F, 1.0F, 0, ElementType::kUint8), 255);
  EXPECT_EQ(quantize_value(0.5F, 1.0F, 128, ElementType::kUint8), 129);
  EXPECT_EQ(quantize_value(1e30F, 1e-30F, 0, ElementType::kInt8), 127);
  EXPECT_EQ(quantize_value(std::nanf(""), 0.5F, 3, ElementType::kInt8), 3);
}

TEST(ModelApi, FloatModelRuns) {
  Model model = load(float_model());
  ASSERT_EQ(model.inputs().size(), 1U);
  ASSERT_EQ(model.outputs().size(), 1U);
  const TensorInfo& in = model.inputs()[0];
  EXPECT_EQ(in.name, "x");
  EXPECT_EQ(in.shape, (std::vector<std::int64_t>{1, 4}));
  EXPECT_EQ(in.dtype, ElementType::kFloat32);
  EXPECT_FALSE(in.quantization.quantized());
  EXPECT_EQ(in.layout, TensorLayout::kUnknown);
  EXPECT_EQ(model.outputs()[0].name, "probs");
  EXPECT_EQ(model.op_count(), 2U);

  const std::vector<float> x{1, 2, 3, 4};
  ASSERT_TRUE(model.set_input_float(0, x).ok());
  ASSERT_TRUE(model.invoke().ok());
  Result<std::vector<float>> y = model.output_float(0);
  ASSERT_TRUE(y.ok()) << y.status().message();
  const double logits[3] = {1.5, 2.0, 6.0};
  double sum = 0;
  for (const double l : logits) sum += std::exp(l);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_NEAR(y.value()[i], std::exp(logits[i]) / sum, 1e-6);

  ASSERT_TRUE(model.metadata(kConversionMetadataName).has_value());
  EXPECT_FALSE(model.metadata("nope").has_value());
}

TEST(ModelApi, Int8ModelQuantizesInputsAndDequantizesOutputs) {
  Model model = load(int8_model());
  const TensorInfo& in = model.inputs()[0];
  EXPECT_EQ(in.dtype, ElementType::kInt8);
  ASSERT_EQ(in.quantization.scales, std::vector<float>{0.5F});
  ASSERT_EQ(in.quantization.zero_points, std::vector<std::int64_t>{1});
  EXPECT_EQ(in.layout, TensorLayout::kNhwc);  // heuristic: shape[1] != 3
  EXPECT_EQ(in.layout_source, "heuristic");

  std::vector<float> x(12);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = -3.0F + 0.55F * static_cast<float>(i);
  x[11] = 500.0F;  // saturates
  ASSERT_TRUE(model.set_input_float(0, x).ok());
  ASSERT_TRUE(model.invoke().ok());
  Result<std::span<const std::byte>> raw = model.output_raw(0);
  Result<std::vector<float>> deq = model.output_float(0);
  ASSERT_TRUE(raw.ok() && deq.ok());
  ASSERT_EQ(raw->size(), 12U);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const int q_in = quantize_value(x[i], 0.5F, 1, ElementType::kInt8);
    const float real = 0.5F * static_cast<float>(q_in - 1);
    const int q_out = quantize_value(real, 0.25F, -2, ElementType::kInt8);
    EXPECT_EQ(static_cast<int>(static_cast<std::int8_t>(raw.value()[i])), q_out) << i;
    EXPECT_FLOAT_EQ(deq.value()[i], 0.25F * static_cast<float>(q_out + 2)) << i;
  }

  // Raw int8 values are fed as they are.
  std::vector<std::byte> bytes(12, std::byte{5});
  ASSERT_TRUE(model.set_input_raw(0, bytes).ok());
  ASSERT_TRUE(model.invoke().ok());
  EXPECT_FLOAT_EQ(model.output_float(0).value()[0], 0.5F * 4);  // 2.0 = (q + 2) * 0.25 with q = 6
}

TEST(ModelApi, WrongInputsAreStatuses) {
  Model model = load(float_model());
  Status s = model.set_input_float(0, std::vector<float>(5));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("5 values given"), std::string::npos) << s.message();
  EXPECT_EQ(model.set_input_float(1, std::vector<float>(4)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(model.set_input_raw(0, std::vector<std::byte>(3)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(model.output_float(0).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(model.output_raw(7).status().code(), StatusCode::kInvalidArgument);
}

TEST(ModelApi, FilesAndDamagedBytesAreStatuses) {
  Result<Model> missing = Model::load("/nonexistent/m.tflite");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "/nonexistent/m.tflite: no such file");
  TempDir dir;
  EXPECT_EQ(Model::load(dir.path().string()).status().code(), StatusCode::kNotFound);
  const std::filesystem::path empty = dir.path() / "empty.tflite";
  write_file(empty, "");
  EXPECT_EQ(Model::load(empty.string()).status().code(), StatusCode::kInvalidModel);

  std::vector<std::uint8_t> bytes = float_model();
  std::vector<std::uint8_t> wrong = bytes;
  std::memcpy(wrong.data() + 4, "ABCD", 4);
  Result<Model> w = Model::load_from_bytes(wrong, "w.tflite");
  EXPECT_EQ(w.status().code(), StatusCode::kInvalidModel);
  EXPECT_NE(w.status().message().find("expected 'TFL3'"), std::string::npos) << w.status().message();

  for (std::size_t length = 0; length < bytes.size(); length += (length < 200 ? 1 : 13)) {
    const std::vector<std::uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(length));
    Result<Model> m = Model::load_from_bytes(cut, "cut.tflite");
    EXPECT_FALSE(m.ok()) << length;
    EXPECT_EQ(m.status().message().rfind("cut.tflite: ", 0), 0U) << m.status().message();
  }
  // Bit flips: load, or a Status; if it loads, it runs or fails cleanly.
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::vector<std::uint8_t> flipped = bytes;
    flipped[i] ^= static_cast<std::uint8_t>(1U << (i % 8));
    Result<Model> m = Model::load_from_bytes(flipped, "flip.tflite");
    if (!m.ok()) {
      EXPECT_FALSE(m.status().message().empty());
      continue;
    }
    for (const TensorInfo& in : m->inputs()) (void)m->set_input_raw(in.index, std::vector<std::byte>(in.byte_size()));
    if (m->invoke().ok()) {
      for (const TensorInfo& out : m->outputs()) (void)m->output_float(out.index);
    }
  }
}

TEST(ModelApi, HugeClaimedShapesAreRefused) {
  GraphBuilder b(5);
  const TensorId x = b.input("x", {4096, 4096, 4096});  // 256 GiB of float32
  b.output(b.op(OpType::kRelu, "y", {x}));
  const std::vector<std::uint8_t> bytes = write_tflite(b.take());
  Result<Model> m = Model::load_from_bytes(bytes, "huge.tflite");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(m.status().message().find("memory"), std::string::npos) << m.status().message();
  // inspect still describes it
  const nlohmann::ordered_json report = inspect_tflite(bytes, "huge.tflite");
  EXPECT_EQ(report["inputs"][0]["shape"], nlohmann::ordered_json({4096, 4096, 4096}));
}

TEST(Inspect, DescribesModel) {
  const std::vector<std::uint8_t> bytes = int8_model();
  const nlohmann::ordered_json r = inspect_tflite(bytes, "m.tflite");
  EXPECT_EQ(r["bytes"], bytes.size());
  EXPECT_EQ(r["subgraphs"], 1);
  EXPECT_EQ(r["operators"], 2);
  EXPECT_EQ(r["full_integer"], false);  // the float tensor between the two ops
  EXPECT_EQ(r["integer_io"], true);
  const auto& in = r["inputs"][0];
  EXPECT_EQ(in["name"], "image");
  EXPECT_EQ(in["dtype"], "int8");
  EXPECT_EQ(in["quantization"][0], 0.5);
  EXPECT_EQ(in["quantization"][1], 1);
  EXPECT_EQ(in["format"], "nhwc");
  EXPECT_EQ(r["ops"][0]["op"], "DEQUANTIZE");
  EXPECT_EQ(r["ops"][1]["op"], "QUANTIZE");
  EXPECT_TRUE(r["octet"].is_null());

  const nlohmann::ordered_json f = inspect_tflite(float_model(), "f.tflite");
  EXPECT_EQ(f["octet"]["producer"], "octet test");
  EXPECT_EQ(f["inputs"][0]["quantization_parameters"], nullptr);
}

TEST(Inspect, DamagedFilesAreErrors) {
  const std::vector<std::uint8_t> bytes = float_model();
  for (std::size_t length = 0; length < bytes.size(); length += (length < 200 ? 1 : 13)) {
    const std::vector<std::uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(length));
    EXPECT_THROW(inspect_tflite(cut, "cut.tflite"), Error) << length;
  }
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::vector<std::uint8_t> flipped = bytes;
    flipped[i] ^= static_cast<std::uint8_t>(1U << (i % 8));
    try {
      inspect_tflite(flipped, "flip.tflite");
    } catch (const Error&) {
    }
  }
}

TEST(ModelSupport, LayoutRule) {
  EXPECT_EQ(guess_layout({1, 3, 224, 224}, "x", true, nullptr).layout, "nchw");
  EXPECT_EQ(guess_layout({1, 224, 224, 3}, "x", true, nullptr).layout, "nhwc");
  EXPECT_EQ(guess_layout({1, 1000}, "x", false, nullptr).layout, "unknown");
  const auto meta = nlohmann::ordered_json::parse(
      R"({"notes":["input 'x' is NHWC 1x4x4x3 (the model's NCHW 1x3x4x4); pass --keep-input-layout to keep NCHW"],
          "outputs":[{"name":"y","layout":"nchw"}]})");
  EXPECT_EQ(guess_layout({1, 4, 4, 3}, "x", true, &meta).source, "octet metadata");
  EXPECT_EQ(guess_layout({1, 8, 4, 4}, "y", false, &meta).layout, "nchw");
  EXPECT_EQ(guess_layout({1, 8, 4, 4}, "z", false, &meta).source, "heuristic");
}

TEST(ModelSupport, CalibrationRecipe) {
  const auto meta = nlohmann::ordered_json::parse(
      R"({"calibration":{"recipe":{"preprocess":{"width":32,"height":16,"resize":"letterbox","color":"bgr",
          "normalize":false,"mean":[0,0,0],"std":[1,1,1],"layout":"nchw"}}}})");
  const std::optional<PreprocessOptions> p = calibration_preprocess(meta, "x", "m");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->width, 32);
  EXPECT_EQ(p->height, 16);
  EXPECT_EQ(p->layout, Layout::kNchw);
  EXPECT_FALSE(p->normalize);
  EXPECT_FALSE(calibration_preprocess(nlohmann::ordered_json::object(), "x", "m").has_value());
  const auto bad = nlohmann::ordered_json::parse(R"({"calibration":{"preprocess":{"width":"x"}}})");
  EXPECT_THROW(calibration_preprocess(bad, "x", "m"), Error);
}

// The record `octet convert --int8` writes (src/convert/int8_conversion.cpp):
// one "data" entry per calibrated input, each with the recipe prepare wrote.
TEST(ModelSupport, CalibrationRecipePerInputAsConvertWritesIt) {
  const auto meta = nlohmann::ordered_json::parse(R"({"calibration":{"method":"minmax","samples":9,"held_out":1,
      "data":[{"file":"a.npy","input":"a","array_shape":[10,3,16,32],"layout":"NCHW transposed to NHWC","samples":10,
               "recipe":{"preprocess":{"width":32,"height":16,"resize":"stretch","color":"rgb","normalize":true,
                                       "layout":"nchw"}}},
              {"file":"b.npy","input":"b","array_shape":[10,28,28,3],"layout":"as input","samples":10,
               "recipe":{"preprocess":{"width":28,"height":28,"resize":"letterbox","color":"bgr","normalize":false,
                                       "layout":"nhwc"}}},
              {"file":"c.npy","input":"c","array_shape":[10,4],"layout":"as input","samples":10}]}})");
  const std::optional<PreprocessOptions> a = calibration_preprocess(meta, "a", "m");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->width, 32);
  EXPECT_EQ(a->height, 16);
  EXPECT_EQ(a->resize, ResizeMode::kStretch);
  EXPECT_EQ(a->color, ColorOrder::kRgb);
  EXPECT_EQ(a->layout, Layout::kNhwc);  // the NCHW array was transposed to the NHWC input
  const std::optional<PreprocessOptions> b = calibration_preprocess(meta, "b", "m");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->width, 28);
  EXPECT_EQ(b->resize, ResizeMode::kLetterbox);
  EXPECT_FALSE(b->normalize);
  EXPECT_EQ(b->layout, Layout::kNhwc);
  EXPECT_FALSE(calibration_preprocess(meta, "c", "m").has_value());        // a .npy without a recipe
  EXPECT_FALSE(calibration_preprocess(meta, "missing", "m").has_value());  // not calibrated
  auto bad = meta;
  bad["calibration"]["data"][1]["recipe"]["preprocess"]["resize"] = "crop";
  try {
    calibration_preprocess(bad, "b", "m");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("m: metadata octet_conversion.calibration.data[1].recipe"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace octet
