// Tests of octet's TFLite schema subset (src/tflite/schema/tflite.fbs) and the
// C++ flatc generates from it (cmake/TfliteSchema.cmake).
//
// The expected numbers below are not taken from our .fbs: they are facts of the
// official TensorFlow Lite schema, tensorflow/tensorflow @
// b6971fc8f4c9b60aa9a49366a0113505fa82a761,
// tensorflow/compiler/mlir/lite/schema/schema.fbs:
//   * enum values as written there;
//   * union member numbers = position in the official union (NONE = 0);
//   * a field's vtable slot = 4 + 2 * field id, its id = its position among the
//     table's fields, counting deprecated fields, and counting a union field
//     twice (<name>_type, then <name>).
// The raw-byte checks read the finished buffer with a small reader of our own
// that knows only the FlatBuffers wire format and those official field ids.
//
// Set OCTET_TFLITE_SCHEMA_TEST_OUT=<path> to have the test write the model it
// builds there, for tests/unit/check_schema_against_official.sh.

#include "tflite/schema/tflite_generated.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace octet {
namespace {

using Bytes = std::vector<std::uint8_t>;

template <class E>
constexpr std::int64_t num(E e) {
  if constexpr (std::is_enum_v<E>) {
    return static_cast<std::int64_t>(static_cast<std::underlying_type_t<E>>(e));
  } else {
    return static_cast<std::int64_t>(e);
  }
}

struct Fact {
  const char* what;
  std::int64_t ours;      // from the generated code
  std::int64_t official;  // from the official schema (see the top of this file)
};

#define OCTET_FACT(expr, official) Fact{#expr, num(expr), official}

// clang-format off
const Fact kFacts[] = {
  // enum TensorType : byte
  OCTET_FACT(tflite::TensorType::FLOAT32, 0),
  OCTET_FACT(tflite::TensorType::FLOAT16, 1),
  OCTET_FACT(tflite::TensorType::INT32, 2),
  OCTET_FACT(tflite::TensorType::UINT8, 3),
  OCTET_FACT(tflite::TensorType::INT64, 4),
  OCTET_FACT(tflite::TensorType::STRING, 5),
  OCTET_FACT(tflite::TensorType::BOOL, 6),
  OCTET_FACT(tflite::TensorType::INT16, 7),
  OCTET_FACT(tflite::TensorType::COMPLEX64, 8),
  OCTET_FACT(tflite::TensorType::INT8, 9),
  OCTET_FACT(tflite::TensorType::FLOAT64, 10),
  OCTET_FACT(tflite::TensorType::UINT32, 15),
  OCTET_FACT(tflite::TensorType::UINT16, 16),
  OCTET_FACT(tflite::TensorType::INT4, 17),
  OCTET_FACT(tflite::TensorType::BFLOAT16, 18),
  // enum BuiltinOperator : int32
  OCTET_FACT(tflite::BuiltinOperator::ADD, 0),
  OCTET_FACT(tflite::BuiltinOperator::AVERAGE_POOL_2D, 1),
  OCTET_FACT(tflite::BuiltinOperator::CONCATENATION, 2),
  OCTET_FACT(tflite::BuiltinOperator::CONV_2D, 3),
  OCTET_FACT(tflite::BuiltinOperator::DEPTHWISE_CONV_2D, 4),
  OCTET_FACT(tflite::BuiltinOperator::DEQUANTIZE, 6),
  OCTET_FACT(tflite::BuiltinOperator::FULLY_CONNECTED, 9),
  OCTET_FACT(tflite::BuiltinOperator::L2_NORMALIZATION, 11),
  OCTET_FACT(tflite::BuiltinOperator::LOGISTIC, 14),
  OCTET_FACT(tflite::BuiltinOperator::MAX_POOL_2D, 17),
  OCTET_FACT(tflite::BuiltinOperator::MUL, 18),
  OCTET_FACT(tflite::BuiltinOperator::RELU, 19),
  OCTET_FACT(tflite::BuiltinOperator::RELU_N1_TO_1, 20),
  OCTET_FACT(tflite::BuiltinOperator::RELU6, 21),
  OCTET_FACT(tflite::BuiltinOperator::RESHAPE, 22),
  OCTET_FACT(tflite::BuiltinOperator::RESIZE_BILINEAR, 23),
  OCTET_FACT(tflite::BuiltinOperator::SOFTMAX, 25),
  OCTET_FACT(tflite::BuiltinOperator::TANH, 28),
  OCTET_FACT(tflite::BuiltinOperator::CUSTOM, 32),
  OCTET_FACT(tflite::BuiltinOperator::PAD, 34),
  OCTET_FACT(tflite::BuiltinOperator::GATHER, 36),
  OCTET_FACT(tflite::BuiltinOperator::TRANSPOSE, 39),
  OCTET_FACT(tflite::BuiltinOperator::MEAN, 40),
  OCTET_FACT(tflite::BuiltinOperator::SUB, 41),
  OCTET_FACT(tflite::BuiltinOperator::DIV, 42),
  OCTET_FACT(tflite::BuiltinOperator::SQUEEZE, 43),
  OCTET_FACT(tflite::BuiltinOperator::STRIDED_SLICE, 45),
  OCTET_FACT(tflite::BuiltinOperator::EXP, 47),
  OCTET_FACT(tflite::BuiltinOperator::SPLIT, 49),
  OCTET_FACT(tflite::BuiltinOperator::LOG_SOFTMAX, 50),
  OCTET_FACT(tflite::BuiltinOperator::CAST, 53),
  OCTET_FACT(tflite::BuiltinOperator::PRELU, 54),
  OCTET_FACT(tflite::BuiltinOperator::MAXIMUM, 55),
  OCTET_FACT(tflite::BuiltinOperator::ARG_MAX, 56),
  OCTET_FACT(tflite::BuiltinOperator::MINIMUM, 57),
  OCTET_FACT(tflite::BuiltinOperator::NEG, 59),
  OCTET_FACT(tflite::BuiltinOperator::PADV2, 60),
  OCTET_FACT(tflite::BuiltinOperator::SLICE, 65),
  OCTET_FACT(tflite::BuiltinOperator::TRANSPOSE_CONV, 67),
  OCTET_FACT(tflite::BuiltinOperator::TILE, 69),
  OCTET_FACT(tflite::BuiltinOperator::EXPAND_DIMS, 70),
  OCTET_FACT(tflite::BuiltinOperator::SUM, 74),
  OCTET_FACT(tflite::BuiltinOperator::SQRT, 75),
  OCTET_FACT(tflite::BuiltinOperator::RSQRT, 76),
  OCTET_FACT(tflite::BuiltinOperator::SHAPE, 77),
  OCTET_FACT(tflite::BuiltinOperator::POW, 78),
  OCTET_FACT(tflite::BuiltinOperator::ARG_MIN, 79),
  OCTET_FACT(tflite::BuiltinOperator::REDUCE_MAX, 82),
  OCTET_FACT(tflite::BuiltinOperator::PACK, 83),
  OCTET_FACT(tflite::BuiltinOperator::UNPACK, 88),
  OCTET_FACT(tflite::BuiltinOperator::REDUCE_MIN, 89),
  OCTET_FACT(tflite::BuiltinOperator::FILL, 94),
  OCTET_FACT(tflite::BuiltinOperator::RESIZE_NEAREST_NEIGHBOR, 97),
  OCTET_FACT(tflite::BuiltinOperator::LEAKY_RELU, 98),
  OCTET_FACT(tflite::BuiltinOperator::SQUARED_DIFFERENCE, 99),
  OCTET_FACT(tflite::BuiltinOperator::MIRROR_PAD, 100),
  OCTET_FACT(tflite::BuiltinOperator::ABS, 101),
  OCTET_FACT(tflite::BuiltinOperator::SPLIT_V, 102),
  OCTET_FACT(tflite::BuiltinOperator::QUANTIZE, 114),
  OCTET_FACT(tflite::BuiltinOperator::HARD_SWISH, 117),
  OCTET_FACT(tflite::BuiltinOperator::BATCH_MATMUL, 126),
  OCTET_FACT(tflite::BuiltinOperator::PLACEHOLDER_FOR_GREATER_OP_CODES, 127),
  OCTET_FACT(tflite::BuiltinOperator::BROADCAST_TO, 130),
  OCTET_FACT(tflite::BuiltinOperator::GELU, 150),
  OCTET_FACT(tflite::BuiltinOperator::STABLEHLO_CASE, 209),
  // union BuiltinOptions (member numbers)
  OCTET_FACT(tflite::BuiltinOptions::NONE, 0),
  OCTET_FACT(tflite::BuiltinOptions::Conv2DOptions, 1),
  OCTET_FACT(tflite::BuiltinOptions::DepthwiseConv2DOptions, 2),
  OCTET_FACT(tflite::BuiltinOptions::Pool2DOptions, 5),
  OCTET_FACT(tflite::BuiltinOptions::FullyConnectedOptions, 8),
  OCTET_FACT(tflite::BuiltinOptions::SoftmaxOptions, 9),
  OCTET_FACT(tflite::BuiltinOptions::ConcatenationOptions, 10),
  OCTET_FACT(tflite::BuiltinOptions::AddOptions, 11),
  OCTET_FACT(tflite::BuiltinOptions::L2NormOptions, 12),
  OCTET_FACT(tflite::BuiltinOptions::ResizeBilinearOptions, 15),
  OCTET_FACT(tflite::BuiltinOptions::ReshapeOptions, 17),
  OCTET_FACT(tflite::BuiltinOptions::MulOptions, 21),
  OCTET_FACT(tflite::BuiltinOptions::PadOptions, 22),
  OCTET_FACT(tflite::BuiltinOptions::GatherOptions, 23),
  OCTET_FACT(tflite::BuiltinOptions::TransposeOptions, 26),
  OCTET_FACT(tflite::BuiltinOptions::ReducerOptions, 27),
  OCTET_FACT(tflite::BuiltinOptions::SubOptions, 28),
  OCTET_FACT(tflite::BuiltinOptions::DivOptions, 29),
  OCTET_FACT(tflite::BuiltinOptions::SqueezeOptions, 30),
  OCTET_FACT(tflite::BuiltinOptions::StridedSliceOptions, 32),
  OCTET_FACT(tflite::BuiltinOptions::ExpOptions, 33),
  OCTET_FACT(tflite::BuiltinOptions::SplitOptions, 35),
  OCTET_FACT(tflite::BuiltinOptions::LogSoftmaxOptions, 36),
  OCTET_FACT(tflite::BuiltinOptions::CastOptions, 37),
  OCTET_FACT(tflite::BuiltinOptions::DequantizeOptions, 38),
  OCTET_FACT(tflite::BuiltinOptions::MaximumMinimumOptions, 39),
  OCTET_FACT(tflite::BuiltinOptions::ArgMaxOptions, 40),
  OCTET_FACT(tflite::BuiltinOptions::NegOptions, 42),
  OCTET_FACT(tflite::BuiltinOptions::PadV2Options, 43),
  OCTET_FACT(tflite::BuiltinOptions::SliceOptions, 48),
  OCTET_FACT(tflite::BuiltinOptions::TransposeConvOptions, 49),
  OCTET_FACT(tflite::BuiltinOptions::TileOptions, 51),
  OCTET_FACT(tflite::BuiltinOptions::ExpandDimsOptions, 52),
  OCTET_FACT(tflite::BuiltinOptions::ShapeOptions, 55),
  OCTET_FACT(tflite::BuiltinOptions::PowOptions, 56),
  OCTET_FACT(tflite::BuiltinOptions::ArgMinOptions, 57),
  OCTET_FACT(tflite::BuiltinOptions::PackOptions, 59),
  OCTET_FACT(tflite::BuiltinOptions::UnpackOptions, 64),
  OCTET_FACT(tflite::BuiltinOptions::FillOptions, 68),
  OCTET_FACT(tflite::BuiltinOptions::ResizeNearestNeighborOptions, 74),
  OCTET_FACT(tflite::BuiltinOptions::LeakyReluOptions, 75),
  OCTET_FACT(tflite::BuiltinOptions::SquaredDifferenceOptions, 76),
  OCTET_FACT(tflite::BuiltinOptions::MirrorPadOptions, 77),
  OCTET_FACT(tflite::BuiltinOptions::AbsOptions, 78),
  OCTET_FACT(tflite::BuiltinOptions::SplitVOptions, 79),
  OCTET_FACT(tflite::BuiltinOptions::QuantizeOptions, 89),
  OCTET_FACT(tflite::BuiltinOptions::HardSwishOptions, 91),
  OCTET_FACT(tflite::BuiltinOptions::BatchMatMulOptions, 101),
  OCTET_FACT(tflite::BuiltinOptions::BroadcastToOptions, 104),
  OCTET_FACT(tflite::BuiltinOptions::GeluOptions, 116),
  // union BuiltinOptions2
  OCTET_FACT(tflite::BuiltinOptions2::DilateOptions, 18),
  // union QuantizationDetails
  OCTET_FACT(tflite::QuantizationDetails::CustomQuantization, 1),
  OCTET_FACT(tflite::QuantizationDetails::BlockwiseQuantization, 2),
  // small enums
  OCTET_FACT(tflite::Padding::SAME, 0),
  OCTET_FACT(tflite::Padding::VALID, 1),
  OCTET_FACT(tflite::ActivationFunctionType::NONE, 0),
  OCTET_FACT(tflite::ActivationFunctionType::RELU, 1),
  OCTET_FACT(tflite::ActivationFunctionType::RELU_N1_TO_1, 2),
  OCTET_FACT(tflite::ActivationFunctionType::RELU6, 3),
  OCTET_FACT(tflite::ActivationFunctionType::TANH, 4),
  OCTET_FACT(tflite::ActivationFunctionType::SIGN_BIT, 5),
  OCTET_FACT(tflite::FullyConnectedOptionsWeightsFormat::DEFAULT, 0),
  OCTET_FACT(tflite::FullyConnectedOptionsWeightsFormat::SHUFFLED4x16INT8, 1),
  OCTET_FACT(tflite::MirrorPadMode::REFLECT, 0),
  OCTET_FACT(tflite::MirrorPadMode::SYMMETRIC, 1),
  OCTET_FACT(tflite::DimensionType::DENSE, 0),
  OCTET_FACT(tflite::DimensionType::SPARSE_CSR, 1),
  OCTET_FACT(tflite::CustomOptionsFormat::FLEXBUFFERS, 0),
  // field slots: 4 + 2 * official field id
  OCTET_FACT(tflite::Model::VT_VERSION, 4),
  OCTET_FACT(tflite::Model::VT_OPERATOR_CODES, 6),
  OCTET_FACT(tflite::Model::VT_SUBGRAPHS, 8),
  OCTET_FACT(tflite::Model::VT_DESCRIPTION, 10),
  OCTET_FACT(tflite::Model::VT_BUFFERS, 12),
  OCTET_FACT(tflite::Model::VT_METADATA_BUFFER, 14),
  OCTET_FACT(tflite::Model::VT_METADATA, 16),
  OCTET_FACT(tflite::Model::VT_SIGNATURE_DEFS, 18),
  OCTET_FACT(tflite::SubGraph::VT_TENSORS, 4),
  OCTET_FACT(tflite::SubGraph::VT_OPERATORS, 10),
  OCTET_FACT(tflite::SubGraph::VT_NAME, 12),
  OCTET_FACT(tflite::SubGraph::VT_DEBUG_METADATA_INDEX, 14),
  OCTET_FACT(tflite::Tensor::VT_SHAPE, 4),
  OCTET_FACT(tflite::Tensor::VT_TYPE, 6),
  OCTET_FACT(tflite::Tensor::VT_BUFFER, 8),
  OCTET_FACT(tflite::Tensor::VT_NAME, 10),
  OCTET_FACT(tflite::Tensor::VT_QUANTIZATION, 12),
  OCTET_FACT(tflite::Tensor::VT_IS_VARIABLE, 14),
  OCTET_FACT(tflite::Tensor::VT_SPARSITY, 16),
  OCTET_FACT(tflite::Tensor::VT_SHAPE_SIGNATURE, 18),
  OCTET_FACT(tflite::Tensor::VT_HAS_RANK, 20),
  OCTET_FACT(tflite::Tensor::VT_VARIANT_TENSORS, 22),
  OCTET_FACT(tflite::QuantizationParameters::VT_SCALE, 8),
  OCTET_FACT(tflite::QuantizationParameters::VT_ZERO_POINT, 10),
  OCTET_FACT(tflite::QuantizationParameters::VT_DETAILS_TYPE, 12),
  OCTET_FACT(tflite::QuantizationParameters::VT_QUANTIZED_DIMENSION, 16),
  OCTET_FACT(tflite::OperatorCode::VT_DEPRECATED_BUILTIN_CODE, 4),
  OCTET_FACT(tflite::OperatorCode::VT_CUSTOM_CODE, 6),
  OCTET_FACT(tflite::OperatorCode::VT_VERSION, 8),
  OCTET_FACT(tflite::OperatorCode::VT_BUILTIN_CODE, 10),
  OCTET_FACT(tflite::Operator::VT_OPCODE_INDEX, 4),
  OCTET_FACT(tflite::Operator::VT_BUILTIN_OPTIONS_TYPE, 10),
  OCTET_FACT(tflite::Operator::VT_BUILTIN_OPTIONS, 12),
  OCTET_FACT(tflite::Operator::VT_CUSTOM_OPTIONS, 14),
  OCTET_FACT(tflite::Operator::VT_INTERMEDIATES, 20),
  OCTET_FACT(tflite::Operator::VT_LARGE_CUSTOM_OPTIONS_SIZE, 24),
  OCTET_FACT(tflite::Operator::VT_BUILTIN_OPTIONS_2_TYPE, 26),
  OCTET_FACT(tflite::Operator::VT_DEBUG_METADATA_INDEX, 30),
  OCTET_FACT(tflite::Buffer::VT_DATA, 4),
  OCTET_FACT(tflite::Buffer::VT_OFFSET, 6),
  OCTET_FACT(tflite::Buffer::VT_SIZE, 8),
  OCTET_FACT(tflite::Metadata::VT_BUFFER, 6),
  OCTET_FACT(tflite::TensorMap::VT_TENSOR_INDEX, 6),
  OCTET_FACT(tflite::SignatureDef::VT_SIGNATURE_KEY, 8),
  OCTET_FACT(tflite::SignatureDef::VT_SUBGRAPH_INDEX, 12),  // after deprecated_tag (id 3)
  OCTET_FACT(tflite::Conv2DOptions::VT_FUSED_ACTIVATION_FUNCTION, 10),
  OCTET_FACT(tflite::Conv2DOptions::VT_QUANTIZED_BIAS_TYPE, 16),
  OCTET_FACT(tflite::DepthwiseConv2DOptions::VT_DEPTH_MULTIPLIER, 10),
  OCTET_FACT(tflite::FullyConnectedOptions::VT_KEEP_NUM_DIMS, 8),
  OCTET_FACT(tflite::ResizeBilinearOptions::VT_ALIGN_CORNERS, 8),  // after two deprecated fields
  OCTET_FACT(tflite::ResizeBilinearOptions::VT_HALF_PIXEL_CENTERS, 10),
  OCTET_FACT(tflite::StridedSliceOptions::VT_OFFSET, 14),
  OCTET_FACT(tflite::TransposeConvOptions::VT_FUSED_ACTIVATION_FUNCTION, 10),
};
// clang-format on
#undef OCTET_FACT

TEST(TfliteSchema, ValuesAndFieldSlotsMatchTheOfficialSchema) {
  for (const Fact& fact : kFacts) {
    EXPECT_EQ(fact.ours, fact.official) << fact.what;
  }
}

TEST(TfliteSchema, IdentifierExtensionAndEnumNames) {
  EXPECT_STREQ(tflite::ModelIdentifier(), "TFL3");
  EXPECT_STREQ(tflite::ModelExtension(), "tflite");
  EXPECT_STREQ(tflite::EnumNameBuiltinOperator(tflite::BuiltinOperator::DEPTHWISE_CONV_2D),
               "DEPTHWISE_CONV_2D");
  EXPECT_STREQ(tflite::EnumNameTensorType(tflite::TensorType::INT8), "INT8");
  EXPECT_STREQ(tflite::EnumNameBuiltinOptions(tflite::BuiltinOptions::GeluOptions), "GeluOptions");
}

// The defaults a reader sees for absent fields (official schema defaults).
TEST(TfliteSchema, DefaultsOfAbsentFields) {
  flatbuffers::FlatBufferBuilder fbb;
  tflite::Conv2DOptionsBuilder conv(fbb);
  fbb.Finish(conv.Finish());
  const auto* c = flatbuffers::GetRoot<tflite::Conv2DOptions>(fbb.GetBufferPointer());
  EXPECT_EQ(c->padding(), tflite::Padding::SAME);
  EXPECT_EQ(c->dilation_w_factor(), 1);
  EXPECT_EQ(c->dilation_h_factor(), 1);
  EXPECT_EQ(c->quantized_bias_type(), tflite::TensorType::FLOAT32);

  fbb.Clear();
  tflite::AddOptionsBuilder add(fbb);
  fbb.Finish(add.Finish());
  EXPECT_TRUE(flatbuffers::GetRoot<tflite::AddOptions>(fbb.GetBufferPointer())->pot_scale_int16());

  fbb.Clear();
  tflite::OperatorCodeBuilder code(fbb);
  fbb.Finish(code.Finish());
  const auto* oc = flatbuffers::GetRoot<tflite::OperatorCode>(fbb.GetBufferPointer());
  EXPECT_EQ(oc->version(), 1);
  EXPECT_EQ(oc->builtin_code(), tflite::BuiltinOperator::ADD);

  fbb.Clear();
  tflite::OperatorBuilder op(fbb);
  fbb.Finish(op.Finish());
  EXPECT_EQ(flatbuffers::GetRoot<tflite::Operator>(fbb.GetBufferPointer())->debug_metadata_index(), -1);

  fbb.Clear();
  tflite::FullyConnectedOptionsBuilder fc(fbb);
  fbb.Finish(fc.Finish());
  EXPECT_EQ(flatbuffers::GetRoot<tflite::FullyConnectedOptions>(fbb.GetBufferPointer())->weights_format(),
            tflite::FullyConnectedOptionsWeightsFormat::DEFAULT);
}

// ---------------------------------------------------------------------------
// Writing an OperatorCode (the scheme documented in tflite.fbs) and reading it.

flatbuffers::Offset<tflite::OperatorCode> write_operator_code(flatbuffers::FlatBufferBuilder& fbb,
                                                             tflite::BuiltinOperator op,
                                                             std::int32_t version) {
  const auto code = static_cast<std::int32_t>(op);
  const auto placeholder =
      static_cast<std::int32_t>(tflite::BuiltinOperator::PLACEHOLDER_FOR_GREATER_OP_CODES);
  const auto deprecated = static_cast<std::int8_t>(std::min(code, placeholder));
  return tflite::CreateOperatorCode(fbb, deprecated, 0, version, op);
}

std::int32_t read_builtin_code(const tflite::OperatorCode& code) {
  return std::max(static_cast<std::int32_t>(code.builtin_code()),
                  static_cast<std::int32_t>(code.deprecated_builtin_code()));
}

TEST(TfliteSchema, OperatorCodeOldAndNewFields) {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<flatbuffers::Offset<tflite::OperatorCode>> codes = {
      write_operator_code(fbb, tflite::BuiltinOperator::ADD, 1),
      write_operator_code(fbb, tflite::BuiltinOperator::CONV_2D, 3),
      write_operator_code(fbb, tflite::BuiltinOperator::GELU, 1),
      // A file from before schema 3a: only the int8 field.
      tflite::CreateOperatorCode(fbb, 9, 0, 1),
  };
  auto vec = fbb.CreateVector(codes);
  fbb.Finish(vec);
  const auto* read =
      flatbuffers::GetRoot<flatbuffers::Vector<flatbuffers::Offset<tflite::OperatorCode>>>(
          fbb.GetBufferPointer());
  ASSERT_EQ(read->size(), 4U);
  EXPECT_EQ(read->Get(0)->deprecated_builtin_code(), 0);
  EXPECT_EQ(read_builtin_code(*read->Get(0)), 0);
  EXPECT_EQ(read->Get(1)->deprecated_builtin_code(), 3);
  EXPECT_EQ(read_builtin_code(*read->Get(1)), 3);
  EXPECT_EQ(read->Get(2)->deprecated_builtin_code(), 127);
  EXPECT_EQ(read->Get(2)->builtin_code(), tflite::BuiltinOperator::GELU);
  EXPECT_EQ(read_builtin_code(*read->Get(2)), 150);
  EXPECT_EQ(read->Get(3)->builtin_code(), tflite::BuiltinOperator::ADD);  // absent
  EXPECT_EQ(read_builtin_code(*read->Get(3)), 9);
}

// ---------------------------------------------------------------------------
// A small model: one CONV_2D with per-channel quantized weights.

constexpr int kOutChannels = 4;

Bytes weight_bytes() {
  Bytes w(kOutChannels * 3 * 3 * 3);
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = static_cast<std::uint8_t>(i * 7U);
  return w;
}

Bytes build_model() {
  flatbuffers::FlatBufferBuilder fbb;

  // Buffers: [0] the empty sentinel, [1] weights, [2] bias, [3] metadata.
  const Bytes weights = weight_bytes();
  const std::vector<std::int32_t> bias_values = {100, -200, 300, -400};
  Bytes bias(bias_values.size() * sizeof(std::int32_t));
  std::memcpy(bias.data(), bias_values.data(), bias.size());
  Bytes runtime_version(16, 0);
  std::memcpy(runtime_version.data(), "1.14.0", 6);
  const std::vector<flatbuffers::Offset<tflite::Buffer>> buffers = {
      tflite::CreateBuffer(fbb),
      tflite::CreateBufferDirect(fbb, &weights),
      tflite::CreateBufferDirect(fbb, &bias),
      tflite::CreateBufferDirect(fbb, &runtime_version),
  };

  const std::vector<float> in_scale = {0.5F};
  const std::vector<std::int64_t> in_zp = {-3};
  const std::vector<float> w_scale = {0.1F, 0.2F, 0.3F, 0.4F};
  const std::vector<std::int64_t> zeros(kOutChannels, 0);
  const std::vector<float> b_scale = {0.05F, 0.1F, 0.15F, 0.2F};
  const std::vector<float> out_scale = {0.25F};
  const std::vector<std::int64_t> out_zp = {5};
  const std::vector<std::int32_t> in_shape = {1, 8, 8, 3};
  const std::vector<std::int32_t> in_signature = {-1, 8, 8, 3};
  const std::vector<std::int32_t> w_shape = {kOutChannels, 3, 3, 3};
  const std::vector<std::int32_t> b_shape = {kOutChannels};
  const std::vector<std::int32_t> out_shape = {1, 6, 3, kOutChannels};  // VALID 3x3, strides h 1, w 2

  const std::vector<flatbuffers::Offset<tflite::Tensor>> tensors = {
      tflite::CreateTensorDirect(
          fbb, &in_shape, tflite::TensorType::INT8, 0, "input",
          tflite::CreateQuantizationParametersDirect(fbb, nullptr, nullptr, &in_scale, &in_zp),
          false, 0, &in_signature, true),
      tflite::CreateTensorDirect(
          fbb, &w_shape, tflite::TensorType::INT8, 1, "conv/weights",
          tflite::CreateQuantizationParametersDirect(fbb, nullptr, nullptr, &w_scale, &zeros,
                                                     tflite::QuantizationDetails::NONE, 0,
                                                     /*quantized_dimension=*/0)),
      tflite::CreateTensorDirect(
          fbb, &b_shape, tflite::TensorType::INT32, 2, "conv/bias",
          tflite::CreateQuantizationParametersDirect(fbb, nullptr, nullptr, &b_scale, &zeros)),
      tflite::CreateTensorDirect(
          fbb, &out_shape, tflite::TensorType::INT8, 0, "output",
          tflite::CreateQuantizationParametersDirect(fbb, nullptr, nullptr, &out_scale, &out_zp)),
  };

  const auto conv_options = tflite::CreateConv2DOptions(
      fbb, tflite::Padding::VALID, /*stride_w=*/2, /*stride_h=*/1, tflite::ActivationFunctionType::RELU6);
  const std::vector<std::int32_t> op_inputs = {0, 1, 2};
  const std::vector<std::int32_t> op_outputs = {3};
  const std::vector<flatbuffers::Offset<tflite::Operator>> operators = {
      tflite::CreateOperatorDirect(fbb, 0, &op_inputs, &op_outputs,
                                   tflite::BuiltinOptions::Conv2DOptions, conv_options.Union()),
  };
  const std::vector<std::int32_t> graph_inputs = {0};
  const std::vector<std::int32_t> graph_outputs = {3};
  const std::vector<flatbuffers::Offset<tflite::SubGraph>> subgraphs = {
      tflite::CreateSubGraphDirect(fbb, &tensors, &graph_inputs, &graph_outputs, &operators, "main"),
  };
  const std::vector<flatbuffers::Offset<tflite::OperatorCode>> codes = {
      write_operator_code(fbb, tflite::BuiltinOperator::CONV_2D, 3),
  };
  const std::vector<flatbuffers::Offset<tflite::Metadata>> metadata = {
      tflite::CreateMetadataDirect(fbb, "min_runtime_version", 3),
  };
  const std::vector<flatbuffers::Offset<tflite::TensorMap>> sig_in = {
      tflite::CreateTensorMapDirect(fbb, "input", 0)};
  const std::vector<flatbuffers::Offset<tflite::TensorMap>> sig_out = {
      tflite::CreateTensorMapDirect(fbb, "output", 3)};
  const std::vector<flatbuffers::Offset<tflite::SignatureDef>> signatures = {
      tflite::CreateSignatureDefDirect(fbb, &sig_in, &sig_out, "serving_default", 0),
  };

  const auto model = tflite::CreateModelDirect(fbb, 3, &codes, &subgraphs, "octet tflite schema test",
                                               &buffers, nullptr, &metadata, &signatures);
  tflite::FinishModelBuffer(fbb, model);
  return Bytes(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

bool verifies(const Bytes& bytes) {
  flatbuffers::Verifier verifier(bytes.data(), bytes.size());
  return tflite::VerifyModelBuffer(verifier);
}

TEST(TfliteSchema, BuiltModelVerifiesAndReadsBack) {
  const Bytes bytes = build_model();
  if (const char* out = std::getenv("OCTET_TFLITE_SCHEMA_TEST_OUT")) {
    std::ofstream(out, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
  ASSERT_TRUE(verifies(bytes));
  ASSERT_TRUE(tflite::ModelBufferHasIdentifier(bytes.data()));

  // Every pointer an accessor returns may be null (absent field); octet builds
  // with -Wnull-dereference, so each one is checked before use.
  const tflite::Model* model = tflite::GetModel(bytes.data());
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->version(), 3U);
  const auto* description = model->description();
  ASSERT_NE(description, nullptr);
  EXPECT_EQ(description->string_view(), "octet tflite schema test");

  const auto* codes = model->operator_codes();
  ASSERT_NE(codes, nullptr);
  ASSERT_EQ(codes->size(), 1U);
  const tflite::OperatorCode* code = codes->Get(0);
  ASSERT_NE(code, nullptr);
  EXPECT_EQ(code->builtin_code(), tflite::BuiltinOperator::CONV_2D);
  EXPECT_EQ(code->deprecated_builtin_code(), 3);
  EXPECT_EQ(code->version(), 3);

  const auto* subgraphs = model->subgraphs();
  ASSERT_NE(subgraphs, nullptr);
  ASSERT_EQ(subgraphs->size(), 1U);
  const tflite::SubGraph* graph = subgraphs->Get(0);
  ASSERT_NE(graph, nullptr);
  const auto* graph_name = graph->name();
  ASSERT_NE(graph_name, nullptr);
  EXPECT_EQ(graph_name->string_view(), "main");
  const auto* tensors = graph->tensors();
  ASSERT_NE(tensors, nullptr);
  ASSERT_EQ(tensors->size(), 4U);

  const tflite::Tensor* input = tensors->Get(0);
  ASSERT_NE(input, nullptr);
  EXPECT_EQ(input->type(), tflite::TensorType::INT8);
  EXPECT_TRUE(input->has_rank());
  const auto* signature = input->shape_signature();
  ASSERT_NE(signature, nullptr);
  ASSERT_EQ(signature->size(), 4U);
  EXPECT_EQ(signature->Get(0), -1);

  const tflite::Tensor* w = tensors->Get(1);
  ASSERT_NE(w, nullptr);
  const auto* w_name = w->name();
  ASSERT_NE(w_name, nullptr);
  EXPECT_EQ(w_name->string_view(), "conv/weights");
  EXPECT_EQ(w->buffer(), 1U);
  const tflite::QuantizationParameters* q = w->quantization();
  ASSERT_NE(q, nullptr);
  const auto* scale = q->scale();
  const auto* zero_point = q->zero_point();
  ASSERT_NE(scale, nullptr);
  ASSERT_NE(zero_point, nullptr);
  ASSERT_EQ(scale->size(), 4U);
  ASSERT_EQ(zero_point->size(), 4U);
  EXPECT_FLOAT_EQ(scale->Get(3), 0.4F);
  EXPECT_EQ(zero_point->Get(2), 0);
  EXPECT_EQ(q->quantized_dimension(), 0);
  EXPECT_EQ(q->details_type(), tflite::QuantizationDetails::NONE);
  EXPECT_EQ(w->sparsity(), nullptr);

  const auto* operators = graph->operators();
  ASSERT_NE(operators, nullptr);
  ASSERT_EQ(operators->size(), 1U);
  const tflite::Operator* op = operators->Get(0);
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->opcode_index(), 0U);
  EXPECT_EQ(op->builtin_options_type(), tflite::BuiltinOptions::Conv2DOptions);
  const tflite::Conv2DOptions* conv = op->builtin_options_as_Conv2DOptions();
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->padding(), tflite::Padding::VALID);
  EXPECT_EQ(conv->stride_w(), 2);
  EXPECT_EQ(conv->stride_h(), 1);
  EXPECT_EQ(conv->fused_activation_function(), tflite::ActivationFunctionType::RELU6);
  EXPECT_EQ(conv->dilation_w_factor(), 1);
  EXPECT_EQ(op->builtin_options_as_DepthwiseConv2DOptions(), nullptr);
  EXPECT_EQ(op->debug_metadata_index(), -1);

  const auto* buffers = model->buffers();
  ASSERT_NE(buffers, nullptr);
  ASSERT_EQ(buffers->size(), 4U);
  ASSERT_NE(buffers->Get(0), nullptr);
  EXPECT_EQ(buffers->Get(0)->data(), nullptr);
  const Bytes weights = weight_bytes();
  ASSERT_NE(buffers->Get(1), nullptr);
  const auto* wdata = buffers->Get(1)->data();
  ASSERT_NE(wdata, nullptr);
  EXPECT_EQ(Bytes(wdata->begin(), wdata->end()), weights);
  // Buffer.data is force_align: 16 (relative to the start of the file).
  EXPECT_EQ(static_cast<std::size_t>(wdata->data() - bytes.data()) % 16, 0U);

  const auto* metadata = model->metadata();
  ASSERT_NE(metadata, nullptr);
  ASSERT_EQ(metadata->size(), 1U);
  const tflite::Metadata* meta = metadata->Get(0);
  ASSERT_NE(meta, nullptr);
  const auto* meta_name = meta->name();
  ASSERT_NE(meta_name, nullptr);
  EXPECT_EQ(meta_name->string_view(), "min_runtime_version");
  EXPECT_EQ(meta->buffer(), 3U);

  const auto* signature_defs = model->signature_defs();
  ASSERT_NE(signature_defs, nullptr);
  ASSERT_EQ(signature_defs->size(), 1U);
  const tflite::SignatureDef* sig = signature_defs->Get(0);
  ASSERT_NE(sig, nullptr);
  const auto* key = sig->signature_key();
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->string_view(), "serving_default");
  EXPECT_EQ(sig->subgraph_index(), 0U);
  const auto* sig_inputs = sig->inputs();
  const auto* sig_outputs = sig->outputs();
  ASSERT_NE(sig_inputs, nullptr);
  ASSERT_NE(sig_outputs, nullptr);
  ASSERT_EQ(sig_inputs->size(), 1U);
  ASSERT_EQ(sig_outputs->size(), 1U);
  const tflite::TensorMap* in_map = sig_inputs->Get(0);
  const tflite::TensorMap* out_map = sig_outputs->Get(0);
  ASSERT_NE(in_map, nullptr);
  ASSERT_NE(out_map, nullptr);
  const auto* in_name = in_map->name();
  ASSERT_NE(in_name, nullptr);
  EXPECT_EQ(in_name->string_view(), "input");
  EXPECT_EQ(out_map->tensor_index(), 3U);
}

// ---------------------------------------------------------------------------
// The same model read with nothing but the FlatBuffers wire format and the
// official field ids: root uoffset at 0, file identifier at 4; a table starts
// with an soffset to its vtable (vtable = table - soffset); the vtable holds its
// size, the table size, then one uint16 offset per field id (0 = absent);
// offsets to tables, vectors and strings are uoffsets relative to where they
// are stored; vectors and strings start with a uint32 length.

static_assert(std::endian::native == std::endian::little, "the raw reader assumes a little-endian host");

class RawTable {
 public:
  RawTable(const Bytes& bytes, std::size_t pos) : b_(&bytes), pos_(pos) {}
  static RawTable root(const Bytes& bytes) { return RawTable(bytes, read<std::uint32_t>(bytes, 0)); }

  bool has(int id) const { return slot(id) != 0; }
  template <class T>
  T scalar(int id) const {
    return read<T>(*b_, field(id));
  }
  RawTable table(int id) const { return RawTable(*b_, deref(id)); }
  std::size_t vector_size(int id) const { return read<std::uint32_t>(*b_, deref(id)); }
  std::size_t vector_data(int id) const { return deref(id) + 4; }
  RawTable vector_table(int id, std::size_t i) const {
    const std::size_t element = vector_data(id) + 4 * i;
    return RawTable(*b_, element + read<std::uint32_t>(*b_, element));
  }
  template <class T>
  T vector_scalar(int id, std::size_t i) const {
    return read<T>(*b_, vector_data(id) + sizeof(T) * i);
  }
  std::string string(int id) const {
    const std::size_t at = deref(id);
    const std::size_t n = read<std::uint32_t>(*b_, at);
    check(at + 4, n);
    return std::string(reinterpret_cast<const char*>(b_->data() + at + 4), n);
  }

 private:
  static void check(std::size_t pos, std::size_t n, const Bytes& b) {
    if (pos + n > b.size()) throw std::out_of_range("raw read past the end of the buffer");
  }
  void check(std::size_t pos, std::size_t n) const { check(pos, n, *b_); }
  template <class T>
  static T read(const Bytes& b, std::size_t pos) {
    check(pos, sizeof(T), b);
    T value;
    std::memcpy(&value, b.data() + pos, sizeof(T));
    return value;
  }
  std::size_t vtable() const {
    const auto soffset = read<std::int32_t>(*b_, pos_);
    return static_cast<std::size_t>(static_cast<std::int64_t>(pos_) - soffset);
  }
  std::uint16_t slot(int id) const {
    const std::size_t vt = vtable();
    const std::size_t entry = 4 + 2 * static_cast<std::size_t>(id);
    return entry < read<std::uint16_t>(*b_, vt) ? read<std::uint16_t>(*b_, vt + entry) : std::uint16_t{0};
  }
  std::size_t field(int id) const {
    const std::uint16_t s = slot(id);
    if (s == 0) throw std::out_of_range("field " + std::to_string(id) + " is absent");
    return pos_ + s;
  }
  std::size_t deref(int id) const {
    const std::size_t at = field(id);
    return at + read<std::uint32_t>(*b_, at);
  }

  const Bytes* b_;
  std::size_t pos_;
};

// Official field ids used below (position in the official table):
//   Model: version 0, operator_codes 1, subgraphs 2, description 3, buffers 4,
//          metadata 6, signature_defs 7
//   OperatorCode: deprecated_builtin_code 0, version 2, builtin_code 3
//   SubGraph: tensors 0, operators 3, name 4
//   Tensor: shape 0, type 1, buffer 2, name 3, quantization 4,
//           shape_signature 7, has_rank 8
//   QuantizationParameters: scale 2, zero_point 3
//   Operator: opcode_index 0, inputs 1, builtin_options_type 3, builtin_options 4
//   Conv2DOptions: padding 0, stride_w 1, stride_h 2, fused_activation_function 3
//   Buffer: data 0;  Metadata: name 0, buffer 1
//   SignatureDef: inputs 0, outputs 1, signature_key 2;  TensorMap: name 0, tensor_index 1
TEST(TfliteSchema, RawBytesFollowTheOfficialLayout) {
  const Bytes bytes = build_model();
  ASSERT_GE(bytes.size(), 8U);
  EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(bytes.data()) + 4, 4), "TFL3");

  const RawTable model = RawTable::root(bytes);
  EXPECT_EQ(model.scalar<std::uint32_t>(0), 3U);
  EXPECT_EQ(model.string(3), "octet tflite schema test");

  ASSERT_EQ(model.vector_size(1), 1U);
  const RawTable code = model.vector_table(1, 0);
  EXPECT_EQ(code.scalar<std::int8_t>(0), 3);    // CONV_2D, int8 field
  EXPECT_EQ(code.scalar<std::int32_t>(2), 3);   // version
  EXPECT_EQ(code.scalar<std::int32_t>(3), 3);   // CONV_2D, int32 field

  ASSERT_EQ(model.vector_size(2), 1U);
  const RawTable graph = model.vector_table(2, 0);
  EXPECT_EQ(graph.string(4), "main");
  ASSERT_EQ(graph.vector_size(0), 4U);

  const RawTable input = graph.vector_table(0, 0);
  EXPECT_EQ(input.string(3), "input");
  EXPECT_EQ(input.scalar<std::int8_t>(1), 9);  // INT8
  EXPECT_EQ(input.vector_scalar<std::int32_t>(7, 0), -1);
  EXPECT_EQ(input.scalar<std::uint8_t>(8), 1);  // has_rank

  const RawTable w = graph.vector_table(0, 1);
  EXPECT_EQ(w.string(3), "conv/weights");
  EXPECT_EQ(w.scalar<std::uint32_t>(2), 1U);
  ASSERT_EQ(w.vector_size(0), 4U);
  EXPECT_EQ(w.vector_scalar<std::int32_t>(0, 0), kOutChannels);
  const RawTable q = w.table(4);
  ASSERT_EQ(q.vector_size(2), 4U);
  EXPECT_EQ(q.vector_scalar<float>(2, 1), 0.2F);
  ASSERT_EQ(q.vector_size(3), 4U);
  EXPECT_EQ(q.vector_scalar<std::int64_t>(3, 1), 0);

  const RawTable bias = graph.vector_table(0, 2);
  EXPECT_EQ(bias.scalar<std::int8_t>(1), 2);  // INT32

  ASSERT_EQ(graph.vector_size(3), 1U);
  const RawTable op = graph.vector_table(3, 0);
  EXPECT_FALSE(op.has(0));  // opcode_index 0 is the default, so not stored
  ASSERT_EQ(op.vector_size(1), 3U);
  EXPECT_EQ(op.vector_scalar<std::int32_t>(1, 2), 2);
  EXPECT_EQ(op.scalar<std::uint8_t>(3), 1);  // BuiltinOptions Conv2DOptions
  const RawTable conv = op.table(4);
  EXPECT_EQ(conv.scalar<std::int8_t>(0), 1);  // VALID
  EXPECT_EQ(conv.scalar<std::int32_t>(1), 2);  // stride_w
  EXPECT_EQ(conv.scalar<std::int32_t>(2), 1);  // stride_h
  EXPECT_EQ(conv.scalar<std::int8_t>(3), 3);  // RELU6
  EXPECT_FALSE(conv.has(4));                  // dilation_w_factor: default 1

  ASSERT_EQ(model.vector_size(4), 4U);
  const RawTable wbuf = model.vector_table(4, 1);
  ASSERT_EQ(wbuf.vector_size(0), weight_bytes().size());
  EXPECT_EQ(wbuf.vector_data(0) % 16, 0U);
  EXPECT_EQ(wbuf.vector_scalar<std::uint8_t>(0, 1), 7);

  const RawTable meta = model.vector_table(6, 0);
  EXPECT_EQ(meta.string(0), "min_runtime_version");
  EXPECT_EQ(meta.scalar<std::uint32_t>(1), 3U);

  const RawTable sig = model.vector_table(7, 0);
  EXPECT_EQ(sig.string(2), "serving_default");
  EXPECT_EQ(sig.vector_table(0, 0).string(0), "input");
  EXPECT_EQ(sig.vector_table(1, 0).string(0), "output");
  EXPECT_EQ(sig.vector_table(1, 0).scalar<std::uint32_t>(1), 3U);
}

// ---------------------------------------------------------------------------
// What the verifier does and does not catch (for the reader).

TEST(TfliteSchema, VerifierRejectsDamagedBuffers) {
  const Bytes good = build_model();
  ASSERT_TRUE(verifies(good));

  Bytes wrong_id = good;
  wrong_id.at(7) = '4';  // "TFL4"
  EXPECT_FALSE(tflite::ModelBufferHasIdentifier(wrong_id.data()));
  EXPECT_FALSE(verifies(wrong_id));

  const Bytes truncated(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(good.size() / 2));
  EXPECT_FALSE(verifies(truncated));

  Bytes bad_root = good;  // root offset (little-endian uint32 at 0) past the end
  const auto huge = static_cast<std::uint32_t>(good.size() + 64);
  for (std::size_t i = 0; i < 4; ++i) bad_root.at(i) = static_cast<std::uint8_t>(huge >> (8 * i));
  EXPECT_FALSE(verifies(bad_root));
}

// An options type this subset does not declare (here LSTMOptions, official
// member 14) still verifies: the generated verifier accepts unknown union
// types. A reader must therefore refuse operators whose options it does not
// know, rather than rely on the verifier.
TEST(TfliteSchema, UnknownOptionsTypeVerifiesButIsNotReadable) {
  flatbuffers::FlatBufferBuilder fbb;
  const auto empty_options = fbb.EndTable(fbb.StartTable());
  const auto unknown = static_cast<tflite::BuiltinOptions>(14);
  const std::vector<flatbuffers::Offset<tflite::Operator>> ops_out = {
      tflite::CreateOperatorDirect(fbb, 0, nullptr, nullptr, unknown,
                                   flatbuffers::Offset<void>(empty_options)),
  };
  const std::vector<flatbuffers::Offset<tflite::SubGraph>> graphs_out = {
      tflite::CreateSubGraphDirect(fbb, nullptr, nullptr, nullptr, &ops_out)};
  const std::vector<flatbuffers::Offset<tflite::Buffer>> buffers_out = {tflite::CreateBuffer(fbb)};
  tflite::FinishModelBuffer(
      fbb, tflite::CreateModelDirect(fbb, 3, nullptr, &graphs_out, nullptr, &buffers_out));
  const Bytes bytes(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());

  EXPECT_TRUE(verifies(bytes));
  const tflite::Model* model = tflite::GetModel(bytes.data());
  ASSERT_NE(model, nullptr);
  const auto* subgraphs = model->subgraphs();
  ASSERT_NE(subgraphs, nullptr);
  const tflite::SubGraph* graph = subgraphs->Get(0);
  ASSERT_NE(graph, nullptr);
  const auto* operators = graph->operators();
  ASSERT_NE(operators, nullptr);
  const tflite::Operator* op = operators->Get(0);
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(num(op->builtin_options_type()), 14);
  EXPECT_STREQ(tflite::EnumNameBuiltinOptions(op->builtin_options_type()), "");
  EXPECT_EQ(op->builtin_options_as_Conv2DOptions(), nullptr);
}

}  // namespace
}  // namespace octet
