// The .tflite reader on files octet's writer never produces: damaged files
// (truncated, bit flips, wrong identifier, empty, huge length claims) give an
// octet::Error and never a crash; well-formed files with features octet does
// not support give one error naming the file and what is at fault.

#include "tflite/tflite_reader.h"

#include <gtest/gtest.h>

#include <cstring>

#include "core/error.h"
#include "tflite/op_codec.h"
#include "tflite/tflite_writer.h"
#include "tflite_sample_graphs.h"
#include "tflite_test_util.h"

namespace octet {
namespace {

using tflite::BuiltinOperator;
using tflite::BuiltinOptions;
using tflite::TensorType;
using tflite_test::build;
using tflite_test::le_bytes;
using tflite_test::raw_op;
using tflite_test::raw_tensor;
using tflite_test::RawModel;
using tflite_test::RawOp;
using tflite_test::RawTensor;

RawOp custom_op(const std::string& code, std::vector<std::int32_t> inputs, std::vector<std::int32_t> outputs) {
  RawOp op = raw_op(BuiltinOperator::CUSTOM, std::move(inputs), std::move(outputs));
  op.custom_code = code;
  return op;
}

std::string read_error(const std::vector<std::uint8_t>& bytes, const std::string& name = "m.tflite") {
  try {
    read_tflite_model(bytes, name);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

std::vector<std::uint8_t> sample_bytes() {
  TfliteWriteOptions options;
  options.metadata.emplace_back("meta", std::vector<std::uint8_t>{1, 2, 3});
  return write_tflite(tflite_samples::depthwise(), options);
}

// Reads `bytes`; passes when that succeeds or throws octet::Error.
::testing::AssertionResult reads_or_errors(const std::vector<std::uint8_t>& bytes) {
  try {
    read_tflite_model(bytes, "damaged.tflite");
  } catch (const Error&) {
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "non-octet exception: " << e.what();
  }
  return ::testing::AssertionSuccess();
}

// ---------------------------------------------------------------------------
// Damaged files.

TEST(TfliteReaderDamaged, EmptyFile) { EXPECT_EQ(read_error({}), "m.tflite: empty file, not a TFLite model"); }

TEST(TfliteReaderDamaged, EveryTruncationIsAnError) {
  const std::vector<std::uint8_t> bytes = sample_bytes();
  int checked = 0;
  for (std::size_t length = 1; length < bytes.size(); length += (length < 256 ? 1 : 37)) {
    const std::vector<std::uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(length));
    const std::string message = read_error(cut, "cut.tflite");
    EXPECT_EQ(message.rfind("cut.tflite: ", 0), 0U) << "length " << length << ": " << message;
    ++checked;
  }
  EXPECT_GT(checked, 300);
  EXPECT_EQ(read_error(std::vector<std::uint8_t>(bytes.begin(), bytes.end() - 1), "cut.tflite"),
            "cut.tflite: not a valid TFLite model (flatbuffer verification failed)");
}

TEST(TfliteReaderDamaged, BitFlipsNeverCrash) {
  const std::vector<std::uint8_t> bytes = sample_bytes();
  int errors = 0;
  int flips = 0;
  for (std::size_t pos = 0; pos < bytes.size(); pos += (pos < 512 ? 1 : 13)) {
    for (int bit = 0; bit < 8; bit += (pos < 512 ? 1 : 3)) {
      std::vector<std::uint8_t> flipped = bytes;
      flipped[pos] = static_cast<std::uint8_t>(flipped[pos] ^ (1U << bit));
      EXPECT_TRUE(reads_or_errors(flipped)) << "byte " << pos << " bit " << bit;
      ++flips;
      try {
        read_tflite_model(flipped, "f");
      } catch (const Error&) {
        ++errors;
      }
    }
  }
  EXPECT_GT(flips, 4000);
  EXPECT_GT(errors, flips / 10);  // most flips outside weight data are caught
}

TEST(TfliteReaderDamaged, RandomByteOverwritesNeverCrash) {
  const std::vector<std::uint8_t> bytes = sample_bytes();
  std::uint32_t state = 12345;
  const auto next = [&] {
    state = state * 1664525U + 1013904223U;
    return state;
  };
  for (int trial = 0; trial < 1500; ++trial) {
    std::vector<std::uint8_t> damaged = bytes;
    const int writes = 1 + static_cast<int>(next() % 4);
    for (int w = 0; w < writes; ++w) {
      damaged[next() % damaged.size()] = static_cast<std::uint8_t>(next() >> 24);
    }
    EXPECT_TRUE(reads_or_errors(damaged)) << "trial " << trial;
  }
}

TEST(TfliteReaderDamaged, WrongIdentifier) {
  std::vector<std::uint8_t> bytes = sample_bytes();
  std::memcpy(bytes.data() + 4, "TFL2", 4);
  EXPECT_EQ(read_error(bytes), "m.tflite: not a TFLite model (file identifier 'TFL2', expected 'TFL3')");
  bytes[5] = 0x01;
  EXPECT_EQ(read_error(bytes), "m.tflite: not a TFLite model (file identifier 'T\\x01L2', expected 'TFL3')");
  // Not a flatbuffer at all.
  const std::string text = "this is plainly not a model, just text";
  EXPECT_NE(read_error(std::vector<std::uint8_t>(text.begin(), text.end())).find("not a TFLite model"),
            std::string::npos);
  // Shorter than an identifier.
  EXPECT_EQ(read_error({0x10, 0, 0, 0, 'T'}), "m.tflite: not a valid TFLite model (flatbuffer verification failed)");
}

// The offset of the length prefix of the first vector holding `needle`.
std::size_t find_vector_length(const std::vector<std::uint8_t>& bytes, const std::vector<std::uint8_t>& needle) {
  for (std::size_t i = 4; i + needle.size() <= bytes.size(); ++i) {
    if (std::memcmp(bytes.data() + i, needle.data(), needle.size()) != 0) continue;
    std::uint32_t length = 0;
    std::memcpy(&length, bytes.data() + i - 4, 4);
    if (length == needle.size()) return i - 4;
  }
  return 0;
}

TEST(TfliteReaderDamaged, HugeVectorLengthClaims) {
  // A constant of 64 known bytes; its buffer's length prefix claims more.
  tflite_samples::GraphBuilder b;
  const TensorId x = b.input("x", {16});
  std::vector<float> values(16);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = 1000.0F + static_cast<float>(i);
  b.output(b.op(OpType::kAdd, "add", {x, b.floats("c", {16}, values)}, BinaryOptions{}));
  const std::vector<std::uint8_t> bytes = write_tflite(b.take());
  const std::size_t at = find_vector_length(bytes, le_bytes(values));
  ASSERT_NE(at, 0U);
  for (const std::uint32_t claim : {4096U, 0x7fffffffU, 0x80000000U, 0xfffffff0U, 0xffffffffU}) {
    std::vector<std::uint8_t> damaged = bytes;
    std::memcpy(damaged.data() + at, &claim, 4);
    EXPECT_EQ(read_error(damaged), "m.tflite: not a valid TFLite model (flatbuffer verification failed)") << claim;
  }
  // A claim that still fits in the file is caught by the size check.
  std::vector<std::uint8_t> longer = bytes;
  const std::uint32_t one_more = 65;
  std::memcpy(longer.data() + at, &one_more, 4);
  EXPECT_EQ(read_error(longer), "m.tflite: tensor 'c' (#1) holds 65 bytes of data, its float32 shape [16] needs 64");
  // Every 4-byte word set to a huge value, one at a time.
  for (std::size_t pos = 0; pos + 4 <= bytes.size(); pos += 4) {
    std::vector<std::uint8_t> damaged = bytes;
    const std::uint32_t claim = 0x7ffffff0U;
    std::memcpy(damaged.data() + pos, &claim, 4);
    EXPECT_TRUE(reads_or_errors(damaged)) << "word at " << pos;
  }
}

// ---------------------------------------------------------------------------
// Well-formed files octet does not support.

TEST(TfliteReaderUnsupported, AllUnsupportedOperatorsInOneError) {
  RawModel m = tflite_test::relu_model();
  m.tensors.push_back(raw_tensor({1, 4}, TensorType::FLOAT32, 0, "z"));
  m.tensors.push_back(raw_tensor({1, 4}, TensorType::FLOAT32, 0, "w"));
  m.ops.push_back(raw_op(BuiltinOperator::LSTM, {1}, {2}));
  m.ops.push_back(custom_op("Convolution2DTransposeBias", {2}, {3}));
  m.ops.push_back(raw_op(BuiltinOperator::STABLEHLO_ADD, {3, 3}, {3}));
  m.outputs = {3};
  EXPECT_EQ(read_error(build(m)),
            "m.tflite: 3 unsupported operators (octet has no IR operator for them): #1 LSTM, "
            "#2 CUSTOM 'Convolution2DTransposeBias', #3 STABLEHLO_ADD");
  // An operator code the schema does not know.
  RawModel unknown = tflite_test::relu_model();
  unknown.ops[0].builtin = static_cast<BuiltinOperator>(1000);
  unknown.ops[0].deprecated_builtin_code = 127;
  EXPECT_EQ(read_error(build(unknown)),
            "m.tflite: 1 unsupported operator (octet has no IR operator for it): #0 BUILTIN_OPERATOR_1000");
}

TEST(TfliteReaderUnsupported, OldFilesWithOnlyTheDeprecatedCode) {
  // Schema < 3a: builtin_code absent (0 = ADD), the code is in the int8 field.
  RawModel m = tflite_test::relu_model();
  m.ops[0].builtin = BuiltinOperator::ADD;
  m.ops[0].deprecated_builtin_code = static_cast<std::int8_t>(BuiltinOperator::RELU);
  const Graph g = read_tflite(build(m), "old.tflite");
  ASSERT_EQ(g.ops().size(), 1U);
  EXPECT_EQ(g.ops()[0].type, OpType::kRelu);
  EXPECT_EQ(g.ops()[0].name, "y");
}

TEST(TfliteReaderUnsupported, DynamicShapesNameTheTensor) {
  RawModel m = tflite_test::relu_model();
  m.tensors[0].shape_signature = {-1, 4};
  EXPECT_EQ(read_error(build(m)),
            "m.tflite: tensor 'x' (#0) has a dynamic shape (shape_signature [-1,4]); octet needs static shapes: "
            "re-export the model with fixed input sizes");
  m.tensors[0].shape_signature = {1, 4};  // a static signature is fine
  EXPECT_NO_THROW(read_tflite(build(m), "m.tflite"));
  m.tensors[1].shape = {1, -4};
  EXPECT_EQ(read_error(build(m)), "m.tflite: tensor 'y' (#1) has a negative dimension in its shape [1,-4]");
}

TEST(TfliteReaderUnsupported, TensorFeatures) {
  RawModel m = tflite_test::relu_model();
  m.tensors[0].type = TensorType::STRING;
  EXPECT_EQ(read_error(build(m)), "m.tflite: tensor 'x' (#0) has type STRING, which octet does not support");
  m = tflite_test::relu_model();
  m.tensors[0].sparse = true;
  EXPECT_EQ(read_error(build(m)), "m.tflite: tensor 'x' (#0) is sparse; octet reads dense tensors only");
  m = tflite_test::relu_model();
  m.tensors[1].is_variable = true;
  EXPECT_NE(read_error(build(m)).find("variable"), std::string::npos);
  m = tflite_test::relu_model();
  m.tensors[0].shape = {1 << 20, 1 << 20, 1 << 20};
  EXPECT_NE(read_error(build(m)).find("implausible shape"), std::string::npos);
}

TEST(TfliteReaderUnsupported, QuantizationChecks) {
  RawModel m = tflite_test::relu_model();
  m.tensors[0].type = TensorType::INT8;
  m.tensors[1].type = TensorType::INT8;
  m.tensors[0].scale = {0.1F, 0.2F};
  m.tensors[0].zero_point = {0};
  EXPECT_EQ(read_error(build(m)), "m.tflite: tensor 'x' (#0) has 2 quantization scales but 1 zero points");
  m.tensors[0].zero_point = {0, 0};
  EXPECT_EQ(
      read_error(build(m)),
      "m.tflite: tensor 'x' (#0) has 2 per-channel scales along dimension 0, which does not match its shape [1,4]");
  m.tensors[0].scale = {0.1F, 0.2F, 0.3F, 0.4F};
  m.tensors[0].zero_point = {0, 1, 2, 3};
  m.tensors[0].quantized_dimension = 1;
  const Graph g = read_tflite(build(m), "m.tflite");
  ASSERT_TRUE(g.tensor(0).quant.has_value());
  EXPECT_EQ(g.tensor(0).quant->axis, 1);
  EXPECT_EQ(g.tensor(0).quant->zero_point, (std::vector<std::int64_t>{0, 1, 2, 3}));
  m.tensors[0].quantized_dimension = 5;
  EXPECT_NE(read_error(build(m)).find("along dimension 5"), std::string::npos);
}

TEST(TfliteReaderUnsupported, BufferChecks) {
  RawModel m = tflite_test::relu_model();
  m.tensors.push_back(raw_tensor({4}, TensorType::FLOAT32, 1, "c"));
  m.ops[0] = raw_op(BuiltinOperator::ADD, {0, 2}, {1}, BuiltinOptions::AddOptions,
                    [](flatbuffers::FlatBufferBuilder& b) { return tflite::CreateAddOptions(b).Union(); });
  m.buffers.push_back({le_bytes(std::vector<float>{1, 2, 3})});  // 12 bytes for 4 floats
  EXPECT_EQ(read_error(build(m)), "m.tflite: tensor 'c' (#2) holds 12 bytes of data, its float32 shape [4] needs 16");
  m.buffers[1] = {le_bytes(std::vector<float>{1, 2, 3, 4})};
  const Graph g = read_tflite(build(m), "m.tflite");
  EXPECT_EQ(g.tensor(2).values<float>(), (std::vector<float>{1, 2, 3, 4}));
  m.tensors[2].buffer = 7;
  EXPECT_EQ(read_error(build(m)), "m.tflite: tensor 'c' (#2) refers to buffer 7, but the model has 2 buffers");
  m.tensors[2].buffer = 1;
  m.buffers[1] = {{}, 4096, 16};
  EXPECT_NE(read_error(build(m)).find("outside the flatbuffer"), std::string::npos);
}

TEST(TfliteReaderUnsupported, StructuralChecks) {
  RawModel m = tflite_test::relu_model();
  m.subgraphs = 2;
  EXPECT_EQ(read_error(build(m)), "m.tflite: has 2 subgraphs; octet reads models with exactly one (no control flow)");
  m = tflite_test::relu_model();
  m.version = 2;
  EXPECT_EQ(read_error(build(m)), "m.tflite: schema version 2 is not supported (TFLite models are version 3)");
  m = tflite_test::relu_model();
  m.ops[0].inputs = {5};
  EXPECT_EQ(read_error(build(m)), "m.tflite: operator #0 (RELU) refers to tensor 5, but the subgraph has 2 tensors");
  m = tflite_test::relu_model();
  m.ops[0].inputs = {0, 0};
  EXPECT_EQ(read_error(build(m)), "m.tflite: operator #0 (RELU) has 2 inputs, expected 1");
  m = tflite_test::relu_model();
  m.outputs = {9};
  EXPECT_EQ(read_error(build(m)),
            "m.tflite: the subgraph's outputs refers to tensor 9, but the subgraph has 2 tensors");
  m = tflite_test::relu_model();
  m.ops[0].outputs = {0};  // overwrites the graph input
  EXPECT_EQ(read_error(build(m)).rfind("m.tflite: graph: ", 0), 0U) << read_error(build(m));
  m = tflite_test::relu_model();
  m.metadata = {{"x", 3}};
  EXPECT_EQ(read_error(build(m)), "m.tflite: metadata 'x' refers to buffer 3, but the model has 1 buffers");
}

TEST(TfliteReaderUnsupported, OptionsTypeMustMatchTheOperator) {
  RawModel m = tflite_test::relu_model();
  m.tensors = {raw_tensor({1, 4, 4, 2}, TensorType::FLOAT32, 0, "x"),
               raw_tensor({1, 2, 2, 2}, TensorType::FLOAT32, 0, "y")};
  m.ops[0] = raw_op(BuiltinOperator::MAX_POOL_2D, {0}, {1}, BuiltinOptions::SoftmaxOptions,
                    [](flatbuffers::FlatBufferBuilder& b) { return tflite::CreateSoftmaxOptions(b, 1.0F).Union(); });
  EXPECT_EQ(read_error(build(m)),
            "m.tflite: operator #0 (MAX_POOL_2D): builtin options are SoftmaxOptions, expected Pool2DOptions");
  m.ops[0].options_type = BuiltinOptions::NONE;
  m.ops[0].options = nullptr;
  EXPECT_EQ(read_error(build(m)),
            "m.tflite: operator #0 (MAX_POOL_2D): builtin options missing (expected Pool2DOptions)");
  m.ops[0].options_type = BuiltinOptions::Pool2DOptions;
  m.ops[0].options = [](flatbuffers::FlatBufferBuilder& b) {
    return tflite::CreatePool2DOptions(b, tflite::Padding::VALID, 2, 2, 2, 2, tflite::ActivationFunctionType::SIGN_BIT)
        .Union();
  };
  EXPECT_EQ(read_error(build(m)), "m.tflite: operator #0 (MAX_POOL_2D): fused activation SIGN_BIT is not supported");
  m.ops[0].options = [](flatbuffers::FlatBufferBuilder& b) {
    return tflite::CreatePool2DOptions(b, tflite::Padding::VALID, 2, 2, 2, 2, tflite::ActivationFunctionType::RELU)
        .Union();
  };
  const Graph g = read_tflite(build(m), "m.tflite");
  EXPECT_EQ(g.ops()[0].opts<Pool2DOptions>(), (Pool2DOptions{Padding::kValid, 2, 2, 2, 2, Activation::kRelu}));
  // An options type the schema does not know (verifies, but is not readable).
  m.ops[0].options_type = static_cast<BuiltinOptions>(200);
  EXPECT_EQ(read_error(build(m)),
            "m.tflite: operator #0 (MAX_POOL_2D): builtin options are BuiltinOptions #200, expected Pool2DOptions");
  // Ops without IR options accept no options table, or theirs.
  RawModel relu = tflite_test::relu_model();
  relu.ops[0].options_type = BuiltinOptions::AddOptions;
  relu.ops[0].options = [](flatbuffers::FlatBufferBuilder& b) { return tflite::CreateAddOptions(b).Union(); };
  EXPECT_EQ(read_error(build(relu)), "m.tflite: operator #0 (RELU): builtin options are AddOptions, expected none");
}

TEST(TfliteReaderUnsupported, OptionValuesOctetCannotRepresent) {
  RawModel m;
  m.tensors = {raw_tensor({2, 3}, TensorType::FLOAT32, 0, "x"), raw_tensor({3}, TensorType::INT32, 1, "begin"),
               raw_tensor({1, 3}, TensorType::FLOAT32, 0, "y")};
  m.buffers.push_back({le_bytes(std::vector<std::int32_t>{0, 0, 0})});
  m.ops = {raw_op(BuiltinOperator::STRIDED_SLICE, {0, 1, 1, 1}, {2}, BuiltinOptions::StridedSliceOptions,
                  [](flatbuffers::FlatBufferBuilder& b) {
                    return tflite::CreateStridedSliceOptions(b, 0, 0, 0, 0, 0, true).Union();
                  })};
  m.inputs = {0};
  m.outputs = {2};
  EXPECT_EQ(read_error(build(m)),
            "m.tflite: operator #0 (STRIDED_SLICE): offset = true (end as sizes) is not supported");
}

TEST(TfliteReaderCompat, TocoReshapeWithOnlyNewShape) {
  RawModel m = tflite_test::relu_model();
  m.tensors[1].shape = {2, 2};
  m.ops[0] =
      raw_op(BuiltinOperator::RESHAPE, {0}, {1}, BuiltinOptions::ReshapeOptions, [](flatbuffers::FlatBufferBuilder& b) {
        return tflite::CreateReshapeOptions(b, b.CreateVector(std::vector<std::int32_t>{2, -1})).Union();
      });
  const Graph g = read_tflite(build(m), "m.tflite");
  ASSERT_EQ(g.ops()[0].inputs.size(), 2U);
  const Tensor& shape = g.tensor(g.ops()[0].inputs[1]);
  EXPECT_EQ(shape.name, "y/new_shape");
  EXPECT_EQ(shape.values<std::int32_t>(), (std::vector<std::int32_t>{2, -1}));
  // Without options there is no shape at all.
  m.ops[0].options_type = BuiltinOptions::NONE;
  m.ops[0].options = nullptr;
  EXPECT_EQ(read_error(build(m)), "m.tflite: operator #0 (RESHAPE) has no shape input and no ReshapeOptions.new_shape");
}

TEST(TfliteReaderCompat, CastWithoutOptionsTakesItsOutputType) {
  RawModel m = tflite_test::relu_model();
  m.tensors[1].type = TensorType::INT32;
  m.ops[0] = raw_op(BuiltinOperator::CAST, {0}, {1});
  const Graph g = read_tflite(build(m), "m.tflite");
  EXPECT_EQ(g.ops()[0].opts<CastOptions>().output_type, DType::kInt32);
}

}  // namespace
}  // namespace octet
