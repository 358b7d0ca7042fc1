// IR -> .tflite -> IR: every sample graph comes back equal (tensors, quant
// params, constant bytes, ops, options, I/O); the bytes are deterministic;
// the file follows the layout rules (buffer 0 empty, one aligned buffer per
// constant, deduplicated operator codes with both code fields, options tables
// always present, SignatureDef, metadata).

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "../test_util.h"
#include "core/error.h"
#include "runtime/interpreter.h"
#include "tflite/op_codec.h"
#include "tflite/tflite_reader.h"
#include "tflite/tflite_writer.h"
#include "tflite_sample_graphs.h"
#include "tflite_test_util.h"

namespace octet {
namespace {

using tflite_test::expect_same_graph;

const tflite::Model& model_of(const std::vector<std::uint8_t>& bytes) {
  flatbuffers::Verifier verifier(bytes.data(), bytes.size());
  EXPECT_TRUE(tflite::VerifyModelBuffer(verifier));
  return *tflite::GetModel(bytes.data());
}
const tflite::Model& model_of(std::vector<std::uint8_t>&&) = delete;  // would dangle

class SampleRoundTrip : public ::testing::TestWithParam<tflite_samples::Sample> {};

TEST_P(SampleRoundTrip, ComesBackEqualWithItsVersions) {
  const Graph graph = GetParam().build();
  verify_graph(graph);
  const std::vector<std::uint8_t> bytes = write_tflite(graph);
  const TfliteModel read = read_tflite_model(bytes, "sample.tflite");
  // Convolutions without a bias come back with the zero bias TFLite needs.
  expect_same_graph(with_tflite_biases(graph), read.graph);
  ASSERT_EQ(read.op_versions.size(), graph.ops().size());
  for (std::size_t i = 0; i < graph.ops().size(); ++i) {
    EXPECT_EQ(read.op_versions[i], tfl::op_version(graph, graph.ops()[i])) << graph.ops()[i].name;
    // Ops are named after their first output.
    EXPECT_EQ(read.graph.ops()[i].name, graph.tensor(graph.ops()[i].outputs[0]).name);
  }
  // Writing what was read gives the same bytes.
  EXPECT_EQ(write_tflite(read.graph), bytes);
  // The graph read back runs in octet's interpreter.
  Interpreter interpreter(read.graph);
  interpreter.invoke();
}

TEST_P(SampleRoundTrip, OutputIsDeterministic) {
  const std::vector<std::uint8_t> a = write_tflite(GetParam().build());
  const std::vector<std::uint8_t> b = write_tflite(GetParam().build());
  EXPECT_EQ(a, b);
}

TEST_P(SampleRoundTrip, FileFollowsTheLayoutRules) {
  const Graph graph = with_tflite_biases(GetParam().build());
  const std::vector<std::uint8_t> bytes = write_tflite(graph);
  const tflite::Model& model = model_of(bytes);
  EXPECT_EQ(model.version(), 3U);
  ASSERT_EQ(model.subgraphs()->size(), 1U);
  const tflite::SubGraph& sg = *model.subgraphs()->Get(0);
  EXPECT_EQ(sg.name()->str(), "main");

  // Buffer 0 is empty; each constant has a buffer of its own with its bytes
  // 16-byte aligned in the file; activations use buffer 0.
  ASSERT_GE(model.buffers()->size(), 1U);
  EXPECT_EQ(model.buffers()->Get(0)->data(), nullptr);
  std::set<std::uint32_t> used;
  for (std::size_t i = 0; i < graph.tensor_count(); ++i) {
    const Tensor& t = graph.tensor(static_cast<TensorId>(i));
    const tflite::Tensor& fb = *sg.tensors()->Get(static_cast<flatbuffers::uoffset_t>(i));
    EXPECT_EQ(fb.name()->str(), t.name);
    if (!t.is_constant()) {
      EXPECT_EQ(fb.buffer(), 0U) << t.name;
      continue;
    }
    EXPECT_NE(fb.buffer(), 0U) << t.name;
    EXPECT_TRUE(used.insert(fb.buffer()).second) << t.name << " shares a buffer";
    const auto* data = model.buffers()->Get(fb.buffer())->data();
    ASSERT_NE(data, nullptr);
    EXPECT_EQ((data->data() - bytes.data()) % 16, 0) << t.name;
  }

  // Operator codes: one per (builtin, version), both code fields written,
  // every op's options table present when TFLite defines one.
  std::set<std::pair<std::int32_t, int>> pairs;
  for (const tflite::OperatorCode* code : *model.operator_codes()) {
    const auto builtin = static_cast<std::int32_t>(code->builtin_code());
    EXPECT_EQ(code->deprecated_builtin_code(), std::min(builtin, 127));
    EXPECT_TRUE(pairs.insert({builtin, code->version()}).second) << "duplicate operator code";
  }
  ASSERT_EQ(sg.operators()->size(), graph.ops().size());
  for (std::size_t i = 0; i < graph.ops().size(); ++i) {
    const Op& op = graph.ops()[i];
    const tflite::Operator& fb = *sg.operators()->Get(static_cast<flatbuffers::uoffset_t>(i));
    EXPECT_EQ(fb.builtin_options_type(), tfl::op_codec(op.type).options) << op.name;
    if (tfl::op_codec(op.type).options != tflite::BuiltinOptions::NONE) {
      EXPECT_NE(fb.builtin_options(), nullptr);
    }
    const tflite::OperatorCode& code = *model.operator_codes()->Get(fb.opcode_index());
    EXPECT_EQ(code.builtin_code(), tfl::op_codec(op.type).builtin) << op.name;
    EXPECT_EQ(code.version(), tfl::op_version(graph, op)) << op.name;
  }

  // The default SignatureDef maps the graph's I/O names to tensor indices.
  ASSERT_NE(model.signature_defs(), nullptr);
  ASSERT_EQ(model.signature_defs()->size(), 1U);
  const tflite::SignatureDef& sig = *model.signature_defs()->Get(0);
  EXPECT_EQ(sig.signature_key()->str(), "serving_default");
  EXPECT_EQ(sig.subgraph_index(), 0U);
  ASSERT_EQ(sig.inputs()->size(), graph.inputs().size());
  for (std::size_t i = 0; i < graph.inputs().size(); ++i) {
    EXPECT_EQ(sig.inputs()->Get(static_cast<flatbuffers::uoffset_t>(i))->name()->str(),
              graph.tensor(graph.inputs()[i]).name);
    EXPECT_EQ(sig.inputs()->Get(static_cast<flatbuffers::uoffset_t>(i))->tensor_index(),
              static_cast<std::uint32_t>(graph.inputs()[i]));
  }
  ASSERT_EQ(sig.outputs()->size(), graph.outputs().size());
}

INSTANTIATE_TEST_SUITE_P(Samples, SampleRoundTrip, ::testing::ValuesIn(tflite_samples::samples()),
                         [](const ::testing::TestParamInfo<tflite_samples::Sample>& sample) {
                           return std::string(sample.param.name);
                         });

TEST(TfliteWriter, ExpectedVersionsAndSharedOperatorCodes) {
  // The CNN: two CONV_2D share one code; FULLY_CONNECTED with bias is 1.
  const Graph graph = tflite_samples::cnn();
  const std::vector<std::uint8_t> bytes1 = write_tflite(graph);
  const tflite::Model& model = model_of(bytes1);
  std::map<std::string, int> versions;
  for (const tflite::OperatorCode* code : *model.operator_codes()) {
    versions[tflite::EnumNameBuiltinOperator(code->builtin_code())] = code->version();
  }
  EXPECT_EQ(model.operator_codes()->size(), 6U);  // CONV_2D MAX_POOL_2D AVERAGE_POOL_2D RESHAPE FULLY_CONNECTED SOFTMAX
  EXPECT_EQ(versions.at("CONV_2D"), 1);
  EXPECT_EQ(versions.at("FULLY_CONNECTED"), 1);

  // depthwise: a dilated and an undilated DEPTHWISE_CONV_2D: two codes.
  const Graph dw = tflite_samples::depthwise();
  const std::vector<std::uint8_t> bytes2 = write_tflite(dw);
  const tflite::Model& dw_model = model_of(bytes2);
  std::multiset<int> dw_versions;
  for (const tflite::OperatorCode* code : *dw_model.operator_codes()) {
    if (code->builtin_code() == tflite::BuiltinOperator::DEPTHWISE_CONV_2D) dw_versions.insert(code->version());
  }
  EXPECT_EQ(dw_versions, (std::multiset<int>{1, 2}));
}

TEST(TfliteWriter, ConvolutionsWithoutBiasGetAZeroBias) {
  // TFLite's CONV_2D kernel requires a bias; an omitted one (-1) also fails
  // DEPTHWISE_CONV_2D's Prepare.
  tflite_samples::GraphBuilder b;
  const TensorId x = b.input("x", {1, 4, 4, 2});
  const TensorId c = b.op(OpType::kConv2D, "conv", {x, b.weights("w", {3, 1, 1, 2})}, Conv2DOptions{});
  DepthwiseConv2DOptions dw;
  dw.depth_multiplier = 2;
  b.output(b.op(OpType::kDepthwiseConv2D, "dw", {c, b.weights("dw/w", {1, 1, 1, 6}), kNoTensor}, dw));
  const Graph graph = b.take();
  const Graph read = read_tflite(write_tflite(graph), "b.tflite");
  ASSERT_EQ(read.tensor_count(), graph.tensor_count() + 2);
  const Tensor& conv_bias = read.tensor(read.ops()[0].inputs.at(2));
  EXPECT_EQ(conv_bias.name, "conv/zero_bias");
  EXPECT_EQ(conv_bias.dtype, DType::kFloat32);
  EXPECT_EQ(conv_bias.values<float>(), std::vector<float>(3, 0.0F));
  const Tensor& dw_bias = read.tensor(read.ops()[1].inputs.at(2));
  EXPECT_EQ(dw_bias.name, "dw/zero_bias");
  EXPECT_EQ(dw_bias.values<float>(), std::vector<float>(6, 0.0F));
  expect_same_graph(with_tflite_biases(graph), read);

  // Quantized: int32 zeros with scale input_scale * filter_scale per channel.
  Graph q;
  Tensor in;
  in.name = "q";
  in.dtype = DType::kInt8;
  in.shape = {1, 2, 2, 2};
  in.quant = QuantParams{{0.5F}, {1}, 0};
  const TensorId qx = q.add_tensor(in);
  q.inputs().push_back(qx);
  const std::vector<std::int8_t> w(6, 1);
  const TensorId qw = q.add_constant<std::int8_t>("qw", DType::kInt8, {3, 1, 1, 2}, w);
  q.tensor(qw).quant = QuantParams{{0.1F, 0.2F, 0.4F}, {0, 0, 0}, 0};
  Tensor out = in;
  out.name = "qy";
  out.shape = {1, 2, 2, 3};
  const TensorId qy = q.add_tensor(out);
  q.add_op(OpType::kConv2D, "qconv", {qx, qw}, {qy}, Conv2DOptions{});
  q.outputs().push_back(qy);
  const Graph legal = with_tflite_biases(q);
  const Tensor& qb = legal.tensor(legal.ops()[0].inputs.at(2));
  EXPECT_EQ(qb.dtype, DType::kInt32);
  EXPECT_EQ(qb.values<std::int32_t>(), std::vector<std::int32_t>(3, 0));
  ASSERT_TRUE(qb.quant.has_value());
  EXPECT_EQ(qb.quant->scale, (std::vector<float>{0.5F * 0.1F, 0.5F * 0.2F, 0.5F * 0.4F}));
  EXPECT_EQ(qb.quant->zero_point, (std::vector<std::int64_t>{0, 0, 0}));
  expect_same_graph(legal, read_tflite(write_tflite(q), "q.tflite"));
}

TEST(TfliteWriter, OperatorCodesBeyond127UsePlaceholderInTheOldField) {
  const Graph graph = tflite_samples::elementwise();  // has GELU (150)
  const std::vector<std::uint8_t> bytes3 = write_tflite(graph);
  const tflite::Model& model = model_of(bytes3);
  bool found = false;
  for (const tflite::OperatorCode* code : *model.operator_codes()) {
    if (code->builtin_code() == tflite::BuiltinOperator::GELU) {
      found = true;
      EXPECT_EQ(code->deprecated_builtin_code(), 127);
    }
  }
  EXPECT_TRUE(found);
}

TEST(TfliteWriter, DescriptionMetadataAndSignatureKey) {
  const Graph graph = tflite_samples::cnn();
  TfliteWriteOptions options;
  options.description = "octet test";
  options.metadata.emplace_back("octet_conversion", std::vector<std::uint8_t>{'{', '}'});
  options.metadata.emplace_back("empty", std::vector<std::uint8_t>{});
  std::vector<std::uint8_t> blob(1000);
  for (std::size_t i = 0; i < blob.size(); ++i) blob[i] = static_cast<std::uint8_t>(i * 7);
  options.metadata.emplace_back("blob", blob);
  options.signature_key = "predict";
  const std::vector<std::uint8_t> bytes = write_tflite(graph, options);
  const TfliteModel read = read_tflite_model(bytes, "m.tflite");
  EXPECT_EQ(read.description, "octet test");
  EXPECT_EQ(read.metadata, options.metadata);
  ASSERT_EQ(read.signatures.size(), 1U);
  EXPECT_EQ(read.signatures[0].key, "predict");
  ASSERT_EQ(read.signatures[0].inputs.size(), 1U);
  EXPECT_EQ(read.signatures[0].inputs[0], (std::pair<std::string, TensorId>{"image", graph.inputs()[0]}));
  EXPECT_EQ(read.signatures[0].outputs[0], (std::pair<std::string, TensorId>{"probabilities", graph.outputs()[0]}));
  // Metadata buffers are aligned too, and not taken for tensors.
  const tflite::Model& model = model_of(bytes);
  for (const tflite::Metadata* entry : *model.metadata()) {
    const auto* data = model.buffers()->Get(entry->buffer())->data();
    if (data != nullptr && data->size() != 0) {
      EXPECT_EQ((data->data() - bytes.data()) % 16, 0);
    }
  }

  options.signature_key.clear();
  EXPECT_TRUE(read_tflite_model(write_tflite(graph, options), "m.tflite").signatures.empty());
}

TEST(TfliteWriter, ZeroElementConstantRoundTrips) {
  // RESHAPE to a scalar: the shape input is a constant with zero elements.
  tflite_samples::GraphBuilder b;
  const TensorId x = b.input("x", {1, 1});
  b.output(b.op(OpType::kReshape, "scalar", {x, b.ints("shape", Shape{0}, {})}));
  const Graph graph = b.take();
  const std::vector<std::uint8_t> bytes = write_tflite(graph);
  const Graph read = read_tflite(bytes, "s.tflite");
  expect_same_graph(graph, read);
  EXPECT_EQ(read.tensor(1).data->size(), 0U);
}

TEST(TfliteWriter, OptionsWithDefaultsAreStillWritten) {
  tflite_samples::GraphBuilder b;
  const TensorId x = b.input("x", {2, 3});
  b.output(b.op(OpType::kAdd, "add", {x, x}, BinaryOptions{}));
  const std::vector<std::uint8_t> bytes4 = write_tflite(b.take());
  const tflite::Model& model = model_of(bytes4);
  const tflite::Operator& op = *model.subgraphs()->Get(0)->operators()->Get(0);
  EXPECT_EQ(op.builtin_options_type(), tflite::BuiltinOptions::AddOptions);
  ASSERT_NE(op.builtin_options_as_AddOptions(), nullptr);
  EXPECT_EQ(op.builtin_options_as_AddOptions()->fused_activation_function(), tflite::ActivationFunctionType::NONE);
}

TEST(TfliteWriter, ReshapeRepeatsItsConstantShapeInNewShape) {
  const std::vector<std::uint8_t> bytes5 = write_tflite(tflite_samples::cnn());
  const tflite::Model& model = model_of(bytes5);
  for (const tflite::Operator* op : *model.subgraphs()->Get(0)->operators()) {
    if (const auto* reshape = op->builtin_options_as_ReshapeOptions()) {
      ASSERT_NE(reshape->new_shape(), nullptr);
      EXPECT_EQ(std::vector<std::int32_t>(reshape->new_shape()->begin(), reshape->new_shape()->end()),
                (std::vector<std::int32_t>{1, -1}));
    }
  }
}

TEST(TfliteWriter, RejectsInvalidGraphsAndInt32Overflow) {
  Graph bad;
  Tensor t;
  t.name = "x";
  t.shape = {2};
  const TensorId x = bad.add_tensor(t);
  bad.outputs().push_back(x);  // never produced
  EXPECT_THROW(write_tflite(bad), Error);

  tflite_samples::GraphBuilder b;
  const TensorId big = b.input("big", {3'000'000'000LL});
  b.output(b.op(OpType::kRelu, "relu", {big}));
  try {
    write_tflite(b.take());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'big'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("int32"), std::string::npos) << e.what();
  }
}

TEST(TfliteWriter, PerChannelScalesMustMatchTheirDimension) {
  tflite_samples::GraphBuilder b;
  const TensorId x = b.input("x", {2, 3});
  b.output(b.op(OpType::kRelu, "relu", {x}));
  Graph g = b.take();
  g.tensor(x).dtype = DType::kInt8;
  g.tensor(x).quant = QuantParams{{0.1F, 0.2F}, {0, 0}, 1};
  try {
    write_tflite(g);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "tflite writer: tensor 'x' (2x3) has 2 per-channel scales along axis 1; TFLite needs one per index of "
                 "that dimension");
  }
}

TEST(TfliteWriter, ModelsOf2GiBOrMoreAreAnErrorNotACrash) {
  // 2049 constants of 1 MiB share one block of memory: 2 GiB + 1 MiB of data
  // to write, without allocating it.
  Graph graph;
  const auto block = std::make_shared<Bytes>(std::size_t{1} << 20);
  for (int i = 0; i < 2049; ++i) {
    Tensor t;
    t.name = fmt::format("c{}", i);
    t.dtype = DType::kInt8;
    t.shape = {1 << 20};
    t.data = block;
    graph.add_tensor(std::move(t));
  }
  EXPECT_GE(tflite_size_bound(graph), std::uint64_t{1} << 31);
  try {
    write_tflite(graph);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("2 GiB"), std::string::npos) << e.what();
  }
}

TEST(TfliteWriter, SizeBoundHoldsForTheSamples) {
  for (const auto& sample : tflite_samples::samples()) {
    const Graph graph = sample.build();
    TfliteWriteOptions options;
    options.description = "d";
    options.metadata.emplace_back("m", std::vector<std::uint8_t>(33, 1));
    EXPECT_LE(write_tflite(graph, options).size(), tflite_size_bound(graph, options)) << sample.name;
  }
}

TEST(TfliteReader, FileOverloadNamesTheFile) {
  TempDir dir;
  const auto path = dir.path() / "model.tflite";
  const std::vector<std::uint8_t> bytes = write_tflite(tflite_samples::cnn());
  write_file(path, std::string(bytes.begin(), bytes.end()));
  expect_same_graph(tflite_samples::cnn(), read_tflite(path));
  try {
    read_tflite(dir.path() / "missing.tflite");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.tflite"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace octet
