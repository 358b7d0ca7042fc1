#pragma once
// Helpers for the TFLite writer/reader tests: graph comparison and a raw
// flatbuffer model builder (for files octet's writer would never produce).

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "core/graph.h"
#include "tflite/op_codec.h"

namespace octet::tflite_test {

// Everything the writer keeps must come back: tensors (name, dtype, shape,
// quantization, constant bytes), ops (type, inputs, outputs, options), I/O.
inline void expect_same_graph(const Graph& a, const Graph& b) {
  ASSERT_EQ(a.tensor_count(), b.tensor_count());
  for (std::size_t i = 0; i < a.tensor_count(); ++i) {
    const Tensor& x = a.tensor(static_cast<TensorId>(i));
    const Tensor& y = b.tensor(static_cast<TensorId>(i));
    SCOPED_TRACE(fmt::format("tensor #{} '{}'", i, x.name));
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.dtype, y.dtype);
    EXPECT_EQ(x.shape, y.shape);
    ASSERT_EQ(x.is_constant(), y.is_constant());
    if (x.is_constant()) {
      EXPECT_TRUE(*x.data == *y.data);
    }
    const bool xq = x.quant && !x.quant->scale.empty();
    const bool yq = y.quant && !y.quant->scale.empty();
    ASSERT_EQ(xq, yq);
    if (xq) {
      EXPECT_EQ(x.quant->scale, y.quant->scale);
      EXPECT_EQ(x.quant->zero_point, y.quant->zero_point);
      EXPECT_EQ(x.quant->axis, y.quant->axis);
    }
  }
  ASSERT_EQ(a.ops().size(), b.ops().size());
  for (std::size_t i = 0; i < a.ops().size(); ++i) {
    const Op& x = a.ops()[i];
    const Op& y = b.ops()[i];
    SCOPED_TRACE(fmt::format("op #{} '{}'", i, x.name));
    EXPECT_EQ(x.type, y.type);
    EXPECT_EQ(x.inputs, y.inputs);
    EXPECT_EQ(x.outputs, y.outputs);
    EXPECT_TRUE(x.options == y.options);
  }
  EXPECT_EQ(a.inputs(), b.inputs());
  EXPECT_EQ(a.outputs(), b.outputs());
}

// A model described field by field, built with the generated builder API.
struct RawTensor {
  std::vector<std::int32_t> shape;
  tflite::TensorType type = tflite::TensorType::FLOAT32;
  std::uint32_t buffer = 0;
  std::string name;
  std::vector<std::int32_t> shape_signature;
  std::vector<float> scale;
  std::vector<std::int64_t> zero_point;
  std::int32_t quantized_dimension = 0;
  bool sparse = false;
  bool is_variable = false;
};

struct RawOp {
  tflite::BuiltinOperator builtin = tflite::BuiltinOperator::ADD;
  std::int8_t deprecated_builtin_code = -1;  // -1: min(builtin, 127)
  int version = 1;
  std::string custom_code;
  std::vector<std::int32_t> inputs;
  std::vector<std::int32_t> outputs;
  tflite::BuiltinOptions options_type = tflite::BuiltinOptions::NONE;
  std::function<flatbuffers::Offset<void>(flatbuffers::FlatBufferBuilder&)> options;
};

inline RawTensor raw_tensor(std::vector<std::int32_t> shape, tflite::TensorType type, std::uint32_t buffer,
                            std::string name) {
  RawTensor t;
  t.shape = std::move(shape);
  t.type = type;
  t.buffer = buffer;
  t.name = std::move(name);
  return t;
}

inline RawOp raw_op(tflite::BuiltinOperator builtin, std::vector<std::int32_t> inputs,
                    std::vector<std::int32_t> outputs,
                    tflite::BuiltinOptions options_type = tflite::BuiltinOptions::NONE,
                    std::function<flatbuffers::Offset<void>(flatbuffers::FlatBufferBuilder&)> options = nullptr) {
  RawOp op;
  op.builtin = builtin;
  op.inputs = std::move(inputs);
  op.outputs = std::move(outputs);
  op.options_type = options_type;
  op.options = std::move(options);
  return op;
}

struct RawBuffer {
  std::vector<std::uint8_t> data;
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};

struct RawModel {
  std::uint32_t version = 3;
  int subgraphs = 1;
  std::vector<RawTensor> tensors;
  std::vector<RawOp> ops;
  std::vector<std::int32_t> inputs;
  std::vector<std::int32_t> outputs;
  std::vector<RawBuffer> buffers{RawBuffer{}};  // buffer 0: empty
  std::vector<std::pair<std::string, std::uint32_t>> metadata;
};

inline std::vector<std::uint8_t> build(const RawModel& m) {
  flatbuffers::FlatBufferBuilder b;
  std::vector<flatbuffers::Offset<tflite::Buffer>> buffers;
  for (const RawBuffer& buf : m.buffers) {
    flatbuffers::Offset<flatbuffers::Vector<std::uint8_t>> data = 0;
    if (!buf.data.empty()) {
      b.ForceVectorAlignment(buf.data.size(), 1, 16);
      data = b.CreateVector(buf.data);
    }
    buffers.push_back(tflite::CreateBuffer(b, data, buf.offset, buf.size));
  }
  std::vector<flatbuffers::Offset<tflite::Tensor>> tensors;
  for (const RawTensor& t : m.tensors) {
    flatbuffers::Offset<tflite::QuantizationParameters> quant = 0;
    if (!t.scale.empty() || !t.zero_point.empty()) {
      quant = tflite::CreateQuantizationParameters(b, 0, 0, b.CreateVector(t.scale), b.CreateVector(t.zero_point),
                                                   tflite::QuantizationDetails::NONE, 0, t.quantized_dimension);
    }
    flatbuffers::Offset<tflite::SparsityParameters> sparsity = 0;
    if (t.sparse) sparsity = tflite::CreateSparsityParameters(b, b.CreateVector(std::vector<std::int32_t>{0}));
    tensors.push_back(tflite::CreateTensor(b, b.CreateVector(t.shape), t.type, t.buffer, b.CreateString(t.name), quant,
                                           t.is_variable, sparsity,
                                           t.shape_signature.empty() ? 0 : b.CreateVector(t.shape_signature)));
  }
  std::vector<flatbuffers::Offset<tflite::OperatorCode>> codes;
  std::vector<flatbuffers::Offset<tflite::Operator>> ops;
  for (const RawOp& op : m.ops) {
    const auto code = static_cast<std::int32_t>(op.builtin);
    const std::int8_t deprecated =
        op.deprecated_builtin_code >= 0 ? op.deprecated_builtin_code : static_cast<std::int8_t>(std::min(code, 127));
    codes.push_back(tflite::CreateOperatorCode(
        b, deprecated, op.custom_code.empty() ? 0 : b.CreateString(op.custom_code), op.version, op.builtin));
    const auto options = op.options ? op.options(b) : flatbuffers::Offset<void>(0);
    ops.push_back(tflite::CreateOperator(b, static_cast<std::uint32_t>(codes.size() - 1), b.CreateVector(op.inputs),
                                         b.CreateVector(op.outputs), op.options_type, options));
  }
  std::vector<flatbuffers::Offset<tflite::SubGraph>> subgraphs;
  for (int i = 0; i < m.subgraphs; ++i) {
    subgraphs.push_back(tflite::CreateSubGraph(b, b.CreateVector(tensors), b.CreateVector(m.inputs),
                                               b.CreateVector(m.outputs), b.CreateVector(ops)));
  }
  std::vector<flatbuffers::Offset<tflite::Metadata>> metadata;
  for (const auto& [name, index] : m.metadata)
    metadata.push_back(tflite::CreateMetadata(b, b.CreateString(name), index));
  const auto model = tflite::CreateModel(b, m.version, b.CreateVector(codes), b.CreateVector(subgraphs), 0,
                                         b.CreateVector(buffers), 0, metadata.empty() ? 0 : b.CreateVector(metadata));
  tflite::FinishModelBuffer(b, model);
  return std::vector<std::uint8_t>(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());
}

// x[1,4] -> RELU -> y (buffer-less), a starting point for the reader tests.
inline RawModel relu_model() {
  RawModel m;
  m.tensors = {raw_tensor({1, 4}, tflite::TensorType::FLOAT32, 0, "x"),
               raw_tensor({1, 4}, tflite::TensorType::FLOAT32, 0, "y")};
  m.ops = {raw_op(tflite::BuiltinOperator::RELU, {0}, {1})};
  m.inputs = {0};
  m.outputs = {1};
  return m;
}

template <typename T>
std::vector<std::uint8_t> le_bytes(const std::vector<T>& values) {
  std::vector<std::uint8_t> bytes(values.size() * sizeof(T));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

}  // namespace octet::tflite_test
