// The TFLite op codec: the table covers every IR op with the TFLite builtin of
// the same name, the enum mappings, and the operator versions. The expected
// versions are those of GetBuiltinOperatorVersion() in
// tensorflow/lite/tools/versioning/op_version.cc (tensorflow/tensorflow @
// 02087409073e69754277a2d2cf20af23a44334de), with the signature (types,
// ranks, per-channel quantization) as op_signature.cc builds it.

#include "tflite/op_codec.h"

#include <gtest/gtest.h>

#include <optional>
#include <set>

#include "core/error.h"

namespace octet {
namespace {

using tfl::op_codec;

TEST(TfliteOpCodec, EveryIrOpMapsToTheTfliteBuiltinOfItsName) {
  std::set<std::int32_t> builtins;
  ASSERT_EQ(tfl::op_codecs().size(), all_ops().size());
  for (const OpInfo& info : all_ops()) {
    const tfl::OpCodec& codec = op_codec(info.type);
    EXPECT_EQ(codec.type, info.type);
    EXPECT_EQ(tfl::builtin_name(codec.builtin), info.name);
    EXPECT_EQ(tfl::op_type_from_builtin(codec.builtin), info.type) << info.name;
    EXPECT_TRUE(builtins.insert(static_cast<std::int32_t>(codec.builtin)).second) << info.name << " mapped twice";
    if (codec.options != tflite::BuiltinOptions::NONE) {
      EXPECT_NE(tfl::options_type_name(codec.options).find("Options"), std::string::npos) << info.name;
    }
  }
  EXPECT_FALSE(tfl::op_type_from_builtin(tflite::BuiltinOperator::LSTM).has_value());
  EXPECT_FALSE(tfl::op_type_from_builtin(tflite::BuiltinOperator::CUSTOM).has_value());
  EXPECT_EQ(tfl::builtin_name(static_cast<tflite::BuiltinOperator>(4000)), "BUILTIN_OPERATOR_4000");
}

TEST(TfliteOpCodec, OptionsTablesOfTheOfficialSchema) {
  // Operators with an options table in the official schema get it; those
  // without (LOGISTIC, TANH, RELU*, PRELU, SQRT, RSQRT, LOG) get none.
  EXPECT_EQ(op_codec(OpType::kConv2D).options, tflite::BuiltinOptions::Conv2DOptions);
  EXPECT_EQ(op_codec(OpType::kMaximum).options, tflite::BuiltinOptions::MaximumMinimumOptions);
  EXPECT_EQ(op_codec(OpType::kMinimum).options, tflite::BuiltinOptions::MaximumMinimumOptions);
  EXPECT_EQ(op_codec(OpType::kSplitV).options, tflite::BuiltinOptions::SplitVOptions);
  EXPECT_EQ(op_codec(OpType::kMean).options, tflite::BuiltinOptions::ReducerOptions);
  EXPECT_EQ(op_codec(OpType::kArgMin).options, tflite::BuiltinOptions::ArgMinOptions);
  EXPECT_EQ(op_codec(OpType::kHardSwish).options, tflite::BuiltinOptions::HardSwishOptions);
  EXPECT_EQ(op_codec(OpType::kExp).options, tflite::BuiltinOptions::ExpOptions);
  for (const OpType none : {OpType::kLogistic, OpType::kTanh, OpType::kRelu, OpType::kRelu6, OpType::kReluN1To1,
                            OpType::kPrelu, OpType::kSqrt, OpType::kRsqrt, OpType::kLog}) {
    EXPECT_EQ(op_codec(none).options, tflite::BuiltinOptions::NONE) << op_name(none);
  }
}

TEST(TfliteOpCodec, DtypeActivationAndPaddingMappings) {
  for (const DType d : {DType::kFloat32, DType::kFloat16, DType::kInt8, DType::kUint8, DType::kInt16, DType::kInt32,
                        DType::kInt64, DType::kBool}) {
    EXPECT_EQ(tfl::dtype_from_tensor_type(tfl::tensor_type(d)), d) << dtype_name(d);
  }
  EXPECT_EQ(tfl::tensor_type(DType::kInt8), tflite::TensorType::INT8);
  EXPECT_EQ(tfl::tensor_type(DType::kBool), tflite::TensorType::BOOL);
  for (const auto t : {tflite::TensorType::STRING, tflite::TensorType::FLOAT64, tflite::TensorType::COMPLEX64,
                       tflite::TensorType::INT4, tflite::TensorType::BFLOAT16, tflite::TensorType::UINT32}) {
    EXPECT_FALSE(tfl::dtype_from_tensor_type(t).has_value()) << tfl::tensor_type_name(t);
  }
  for (const Activation a :
       {Activation::kNone, Activation::kRelu, Activation::kReluN1To1, Activation::kRelu6, Activation::kTanh}) {
    EXPECT_EQ(tfl::activation_from_type(tfl::activation_type(a)), a);
  }
  EXPECT_EQ(tfl::activation_type(Activation::kRelu6), tflite::ActivationFunctionType::RELU6);
  EXPECT_THROW(tfl::activation_from_type(tflite::ActivationFunctionType::SIGN_BIT), Error);
  EXPECT_THROW(tfl::activation_from_type(static_cast<tflite::ActivationFunctionType>(42)), Error);
  EXPECT_EQ(tfl::padding_type(Padding::kSame), tflite::Padding::SAME);
  EXPECT_EQ(tfl::padding_from_type(tflite::Padding::VALID), Padding::kValid);
  EXPECT_THROW(tfl::padding_from_type(static_cast<tflite::Padding>(9)), Error);
}

// ---------------------------------------------------------------------------
// Versions.

struct Spec {
  DType dtype = DType::kFloat32;
  Shape shape{1, 4, 4, 4};
  std::vector<float> scales{};  // non-empty: quantized (per channel when > 1)
  std::int32_t axis = 0;
};

Spec f32(Shape shape = {1, 4, 4, 4}) { return Spec{DType::kFloat32, std::move(shape)}; }
Spec of(DType dtype, Shape shape = {1, 4, 4, 4}) { return Spec{dtype, std::move(shape)}; }
Spec q(DType dtype, Shape shape, std::vector<float> scales, std::int32_t axis = 0) {
  return Spec{dtype, std::move(shape), std::move(scales), axis};
}

// The version of an op of `type` over tensors with the given specs (nullopt:
// an omitted optional input).
int version(OpType type, const std::vector<std::optional<Spec>>& inputs, const std::vector<Spec>& outputs,
            OpOptions options) {
  Graph g;
  const auto add = [&](const Spec& s) {
    Tensor t;
    t.name = fmt::format("t{}", g.tensor_count());
    t.dtype = s.dtype;
    t.shape = s.shape;
    if (!s.scales.empty()) {
      t.quant = QuantParams{s.scales, std::vector<std::int64_t>(s.scales.size(), 0), s.axis};
    }
    return g.add_tensor(std::move(t));
  };
  std::vector<TensorId> in;
  for (const auto& s : inputs) in.push_back(s ? add(*s) : kNoTensor);
  std::vector<TensorId> out;
  for (const Spec& s : outputs) out.push_back(add(s));
  const Op& op = g.add_op(type, "op", in, out, std::move(options));
  return tfl::op_version(g, op);
}
int version(OpType type, const std::vector<std::optional<Spec>>& inputs, const std::vector<Spec>& outputs) {
  return version(type, inputs, outputs, default_options(type));
}

TEST(TfliteOpVersion, Conv2D) {
  const Shape w{8, 3, 3, 4};
  const Spec bias = f32({8});
  EXPECT_EQ(version(OpType::kConv2D, {f32(), f32(w), bias}, {f32()}), 1);
  // Full int8 is version 3, per tensor or per channel alike.
  EXPECT_EQ(version(OpType::kConv2D,
                    {q(DType::kInt8, {1, 4, 4, 4}, {0.1F}), q(DType::kInt8, w, std::vector<float>(8, 0.01F)),
                     of(DType::kInt32, {8})},
                    {q(DType::kInt8, {1, 4, 4, 8}, {0.2F})}),
            3);
  EXPECT_EQ(version(OpType::kConv2D, {of(DType::kInt8), q(DType::kInt8, w, {0.01F}), of(DType::kInt32, {8})},
                    {of(DType::kInt8)}),
            3);
  // Hybrid (float input, int8 filter): 2, per-channel (scales == filter dim 0): 5.
  EXPECT_EQ(version(OpType::kConv2D, {f32(), q(DType::kInt8, w, {0.01F}), bias}, {f32()}), 2);
  EXPECT_EQ(version(OpType::kConv2D, {f32(), q(DType::kInt8, w, std::vector<float>(8, 0.01F)), bias}, {f32()}), 5);
  // Grouped (input channels != filter input channels): 6.
  EXPECT_EQ(version(OpType::kConv2D, {f32({1, 4, 4, 8}), f32(w), bias}, {f32()}), 6);
  // op_version.cc has no dilation case for CONV_2D (only DEPTHWISE_CONV_2D):
  // a dilated float CONV_2D stays version 1.
  EXPECT_EQ(version(OpType::kConv2D, {f32(), f32(w), bias}, {f32()}, Conv2DOptions{Padding::kSame, 1, 1, 2, 2}), 1);
}

TEST(TfliteOpVersion, DepthwiseConv2D) {
  const Shape w{1, 3, 3, 8};
  DepthwiseConv2DOptions dilated;
  dilated.dilation_h = 2;
  EXPECT_EQ(version(OpType::kDepthwiseConv2D, {f32(), f32(w), f32({8})}, {f32()}), 1);
  EXPECT_EQ(version(OpType::kDepthwiseConv2D, {f32(), f32(w), f32({8})}, {f32()}, dilated), 2);
  EXPECT_EQ(version(OpType::kDepthwiseConv2D, {of(DType::kInt8), of(DType::kInt8, w), of(DType::kInt32, {8})},
                    {of(DType::kInt8)}, dilated),
            3);
  EXPECT_EQ(version(OpType::kDepthwiseConv2D, {f32(), q(DType::kInt8, w, {0.1F}), f32({8})}, {f32()}), 4);
  EXPECT_EQ(
      version(OpType::kDepthwiseConv2D, {f32(), q(DType::kInt8, w, std::vector<float>(8, 0.1F), 3), f32({8})}, {f32()}),
      6);
}

TEST(TfliteOpVersion, FullyConnected) {
  const Spec x = f32({2, 16});
  const Spec w = f32({4, 16});
  const Spec b = f32({4});
  EXPECT_EQ(version(OpType::kFullyConnected, {x, w, b}, {f32({2, 4})}), 1);
  // Two inputs (no bias): 6. An omitted bias (-1) still counts as an input.
  EXPECT_EQ(version(OpType::kFullyConnected, {x, w}, {f32({2, 4})}), 6);
  EXPECT_EQ(version(OpType::kFullyConnected, {x, w, std::nullopt}, {f32({2, 4})}), 1);
  EXPECT_EQ(version(OpType::kFullyConnected, {x, w, b}, {f32({2, 4})}, FullyConnectedOptions{Activation::kNone, true}),
            5);
  EXPECT_EQ(
      version(OpType::kFullyConnected, {of(DType::kInt8, {2, 16}), of(DType::kInt8, {4, 16}), of(DType::kInt32, {4})},
              {of(DType::kInt8, {2, 4})}),
      4);
  // The no-bias rule comes before int8's.
  EXPECT_EQ(version(OpType::kFullyConnected, {of(DType::kInt8, {2, 16}), of(DType::kInt8, {4, 16})},
                    {of(DType::kInt8, {2, 4})}),
            6);
  EXPECT_EQ(version(OpType::kFullyConnected, {x, q(DType::kInt8, {4, 16}, {0.1F}), b}, {f32({2, 4})}), 3);
  EXPECT_EQ(version(OpType::kFullyConnected, {x, q(DType::kInt8, {4, 16}, {0.1F, 0.2F, 0.3F, 0.4F}), b}, {f32({2, 4})}),
            12);
  EXPECT_EQ(version(OpType::kFullyConnected, {of(DType::kInt16, {2, 16}), of(DType::kInt16, {4, 16}), b},
                    {of(DType::kInt16, {2, 4})}),
            7);
}

TEST(TfliteOpVersion, TransposeReshapeAndLayoutOps) {
  const Spec perm4 = of(DType::kInt32, {4});
  EXPECT_EQ(version(OpType::kTranspose, {f32(), perm4}, {f32()}), 1);
  EXPECT_EQ(version(OpType::kTranspose, {of(DType::kInt8), perm4}, {of(DType::kInt8)}), 2);
  EXPECT_EQ(version(OpType::kTranspose, {of(DType::kBool), perm4}, {of(DType::kBool)}), 3);
  EXPECT_EQ(version(OpType::kTranspose, {f32({1, 2, 3, 4, 5}), of(DType::kInt32, {5})}, {f32({1, 2, 3, 4, 5})}), 4);
  EXPECT_EQ(version(OpType::kTranspose, {of(DType::kInt16), perm4}, {of(DType::kInt16)}), 5);
  EXPECT_EQ(version(OpType::kTranspose, {f32({1, 2, 3, 4, 5, 6}), of(DType::kInt32, {6})}, {f32({1, 2, 3, 4, 5, 6})}),
            6);
  // RESHAPE, SQUEEZE, EXPAND_DIMS have no case: always 1.
  EXPECT_EQ(version(OpType::kReshape, {of(DType::kInt8), of(DType::kInt32, {2})}, {of(DType::kInt8, {1, 64})}), 1);
  EXPECT_EQ(version(OpType::kSqueeze, {of(DType::kInt8)}, {of(DType::kInt8)}), 1);
  EXPECT_EQ(version(OpType::kPad, {f32({1, 2, 3, 4, 5}), of(DType::kInt32, {5, 2})}, {f32()}), 4);
  EXPECT_EQ(version(OpType::kPad, {of(DType::kInt16), of(DType::kInt32, {4, 2})}, {of(DType::kInt16)}), 3);
  EXPECT_EQ(
      version(OpType::kPadV2, {of(DType::kInt8), of(DType::kInt32, {4, 2}), of(DType::kInt8, {})}, {of(DType::kInt8)}),
      2);
  EXPECT_EQ(version(OpType::kConcatenation, {of(DType::kInt8), of(DType::kInt8)}, {of(DType::kInt8)}), 2);
  EXPECT_EQ(version(OpType::kConcatenation, {of(DType::kInt16), of(DType::kInt16)}, {of(DType::kInt16)}), 3);
  EXPECT_EQ(version(OpType::kSlice, {f32({1, 2, 3, 4, 5}), of(DType::kInt32, {5}), of(DType::kInt32, {5})}, {f32()}),
            5);
  EXPECT_EQ(
      version(OpType::kSlice, {of(DType::kInt16), of(DType::kInt32, {4}), of(DType::kInt32, {4})}, {of(DType::kInt16)}),
      4);
  const std::vector<std::optional<Spec>> ss{f32(), of(DType::kInt32, {4}), of(DType::kInt32, {4}),
                                            of(DType::kInt32, {4})};
  StridedSliceOptions ellipsis;
  ellipsis.ellipsis_mask = 1;
  EXPECT_EQ(version(OpType::kStridedSlice, ss, {f32()}), 1);
  EXPECT_EQ(version(OpType::kStridedSlice, ss, {f32()}, ellipsis), 6);
  EXPECT_EQ(
      version(OpType::kStridedSlice,
              {f32({1, 2, 3, 4, 5}), of(DType::kInt32, {5}), of(DType::kInt32, {5}), of(DType::kInt32, {5})}, {f32()}),
      4);
  EXPECT_EQ(version(OpType::kStridedSlice, {of(DType::kBool), ss[1], ss[2], ss[3]}, {of(DType::kBool)}), 3);
  EXPECT_EQ(version(OpType::kGather, {f32(), of(DType::kInt32, {2})}, {f32()}), 1);
  EXPECT_EQ(version(OpType::kGather, {of(DType::kInt8), of(DType::kInt32, {2})}, {of(DType::kInt8)}), 2);
  EXPECT_EQ(version(OpType::kGather, {of(DType::kBool), of(DType::kInt32, {2})}, {of(DType::kBool)}), 3);
  EXPECT_EQ(version(OpType::kGather, {f32(), of(DType::kInt32, {1, 2})}, {f32()}, GatherOptions{1, 1}), 5);
  EXPECT_EQ(version(OpType::kGather, {f32(), of(DType::kInt16, {2})}, {f32()}), 6);
  // SPLIT's data is input 1.
  EXPECT_EQ(version(OpType::kSplit, {of(DType::kInt32, {}), of(DType::kInt32)}, {of(DType::kInt32)}), 3);
  EXPECT_EQ(version(OpType::kSplit, {of(DType::kInt32, {}), of(DType::kInt8)}, {of(DType::kInt8)}), 2);
  EXPECT_EQ(
      version(OpType::kSplitV, {of(DType::kInt8), of(DType::kInt32, {2}), of(DType::kInt32, {})}, {of(DType::kInt8)}),
      2);
  EXPECT_EQ(version(OpType::kTile, {of(DType::kInt8), of(DType::kInt32, {4})}, {of(DType::kInt8)}), 3);
  EXPECT_EQ(version(OpType::kPack, {of(DType::kInt8), of(DType::kInt8)}, {of(DType::kInt8)}), 2);
}

TEST(TfliteOpVersion, ElementwiseAndActivations) {
  EXPECT_EQ(version(OpType::kAdd, {f32(), f32()}, {f32()}), 1);
  EXPECT_EQ(version(OpType::kAdd, {of(DType::kInt8), of(DType::kInt8)}, {of(DType::kInt8)}), 2);
  EXPECT_EQ(version(OpType::kAdd, {of(DType::kInt64), of(DType::kInt64)}, {of(DType::kInt64)}), 4);
  // int16: 5 when not quantized; quantized int16 (pot_scale_int16 true) is 1.
  EXPECT_EQ(version(OpType::kAdd, {of(DType::kInt16), of(DType::kInt16)}, {of(DType::kInt16)}), 5);
  EXPECT_EQ(version(OpType::kAdd, {q(DType::kInt16, {1, 4, 4, 4}, {0.1F}), of(DType::kInt16)}, {of(DType::kInt16)}), 1);
  // SUB / DIV / MAXIMUM: broadcasting beyond 4-D.
  const Spec five = f32({2, 1, 3, 4, 5});
  const Spec five_b = f32({2, 2, 3, 4, 5});
  EXPECT_EQ(version(OpType::kSub, {five, five_b}, {five_b}), 3);
  EXPECT_EQ(version(OpType::kSub, {five, five}, {five}), 1);
  EXPECT_EQ(version(OpType::kDiv, {five, five_b}, {five_b}), 2);
  EXPECT_EQ(version(OpType::kMaximum, {five, five_b}, {five_b}), 3);
  EXPECT_EQ(version(OpType::kMinimum, {of(DType::kInt8), of(DType::kInt8)}, {of(DType::kInt8)}), 2);
  // MUL: input1_scale * input2_scale / output_scale >= 1 is version 3.
  const Shape s{1, 4, 4, 4};
  EXPECT_EQ(
      version(OpType::kMul, {q(DType::kInt8, s, {0.5F}), q(DType::kInt8, s, {0.5F})}, {q(DType::kInt8, s, {0.1F})}), 3);
  EXPECT_EQ(
      version(OpType::kMul, {q(DType::kInt8, s, {0.1F}), q(DType::kInt8, s, {0.1F})}, {q(DType::kInt8, s, {0.5F})}), 2);
  EXPECT_EQ(version(OpType::kMul, {of(DType::kInt16), of(DType::kInt16)}, {of(DType::kInt16)}), 7);
  EXPECT_EQ(version(OpType::kMul, {of(DType::kInt64), of(DType::kInt64)}, {of(DType::kInt64)}), 5);
  EXPECT_EQ(version(OpType::kSquaredDifference, {of(DType::kInt8), of(DType::kInt8)}, {of(DType::kInt8)}), 2);
  EXPECT_EQ(version(OpType::kAbs, {of(DType::kInt32)}, {of(DType::kInt32)}), 5);
  EXPECT_EQ(version(OpType::kAbs, {of(DType::kInt16)}, {of(DType::kInt16)}), 4);
  EXPECT_EQ(version(OpType::kAbs, {q(DType::kInt16, s, {0.1F})}, {of(DType::kInt16)}), 3);
  EXPECT_EQ(version(OpType::kRelu, {of(DType::kUint8)}, {of(DType::kUint8)}), 2);
  EXPECT_EQ(version(OpType::kRelu6, {of(DType::kInt16)}, {of(DType::kInt16)}), 3);
  EXPECT_EQ(version(OpType::kLogistic, {of(DType::kInt16)}, {of(DType::kInt16)}), 3);
  EXPECT_EQ(version(OpType::kTanh, {of(DType::kInt8)}, {of(DType::kInt8)}), 2);
  EXPECT_EQ(version(OpType::kLeakyRelu, {of(DType::kInt16)}, {of(DType::kInt16)}), 2);
  EXPECT_EQ(version(OpType::kGelu, {of(DType::kInt8)}, {of(DType::kInt8)}), 2);
  EXPECT_EQ(version(OpType::kGelu, {f32()}, {f32()}, GeluOptions{true}), 1);
  EXPECT_EQ(version(OpType::kExp, {of(DType::kInt16)}, {of(DType::kInt16)}), 2);
  EXPECT_EQ(version(OpType::kHardSwish, {of(DType::kInt8)}, {of(DType::kInt8)}), 1);
  EXPECT_EQ(version(OpType::kPrelu, {of(DType::kInt8), of(DType::kInt8)}, {of(DType::kInt8)}), 1);
  EXPECT_EQ(version(OpType::kSoftmax, {of(DType::kInt8)}, {of(DType::kInt8)}), 2);
  EXPECT_EQ(version(OpType::kSoftmax, {of(DType::kInt16)}, {of(DType::kInt16)}), 3);
  EXPECT_EQ(version(OpType::kLogSoftmax, {of(DType::kInt8)}, {of(DType::kInt8)}), 2);
}

TEST(TfliteOpVersion, PoolReduceResizeArg) {
  EXPECT_EQ(version(OpType::kMaxPool2D, {of(DType::kInt8)}, {of(DType::kInt8)}), 2);
  EXPECT_EQ(version(OpType::kAveragePool2D, {of(DType::kInt16)}, {of(DType::kInt16)}), 3);
  const Spec axes = of(DType::kInt32, {2});
  EXPECT_EQ(version(OpType::kMean, {of(DType::kInt8), axes}, {of(DType::kInt8)}), 2);
  EXPECT_EQ(version(OpType::kReduceMax, {of(DType::kInt16), axes}, {of(DType::kInt16)}), 3);
  EXPECT_EQ(version(OpType::kSum, {of(DType::kInt8), axes}, {of(DType::kInt8)}), 2);
  EXPECT_EQ(version(OpType::kSum, {of(DType::kInt16), axes}, {of(DType::kInt16)}), 1);
  const Spec size = of(DType::kInt32, {2});
  EXPECT_EQ(version(OpType::kResizeBilinear, {f32(), size}, {f32()}), 1);
  EXPECT_EQ(version(OpType::kResizeBilinear, {of(DType::kInt8), size}, {of(DType::kInt8)}), 2);
  EXPECT_EQ(version(OpType::kResizeBilinear, {of(DType::kInt8), size}, {of(DType::kInt8)}, ResizeOptions{false, true}),
            3);
  EXPECT_EQ(version(OpType::kResizeBilinear, {f32(), size}, {f32()}, ResizeOptions{true, false}), 1);
  EXPECT_EQ(version(OpType::kResizeNearestNeighbor, {f32(), size}, {f32()}, ResizeOptions{true, false}), 3);
  EXPECT_EQ(version(OpType::kResizeNearestNeighbor, {of(DType::kInt16), size}, {of(DType::kInt16)}), 4);
  EXPECT_EQ(version(OpType::kArgMax, {of(DType::kInt8), of(DType::kInt32, {})}, {of(DType::kInt32)}), 2);
  EXPECT_EQ(version(OpType::kArgMin, {of(DType::kBool), of(DType::kInt32, {})}, {of(DType::kInt32)}), 3);
  EXPECT_EQ(version(OpType::kBatchMatMul, {of(DType::kInt8), of(DType::kInt8)}, {of(DType::kInt8)}), 2);
  EXPECT_EQ(version(OpType::kBatchMatMul, {of(DType::kInt16), of(DType::kInt16)}, {of(DType::kInt16)}), 3);
}

TEST(TfliteOpVersion, QuantizeDequantizeCastTransposeConv) {
  const Shape w{8, 3};
  EXPECT_EQ(version(OpType::kDequantize, {of(DType::kFloat16, w)}, {f32(w)}), 3);
  EXPECT_EQ(version(OpType::kDequantize, {q(DType::kInt8, w, {0.1F})}, {f32(w)}), 2);
  EXPECT_EQ(version(OpType::kDequantize, {q(DType::kInt8, w, std::vector<float>(8, 0.1F), 0)}, {f32(w)}), 5);
  EXPECT_EQ(version(OpType::kDequantize, {q(DType::kUint8, w, {0.1F})}, {f32(w)}), 1);
  EXPECT_EQ(version(OpType::kDequantize, {q(DType::kInt16, w, {0.1F})}, {f32(w)}), 3);
  EXPECT_EQ(version(OpType::kQuantize, {f32(w)}, {q(DType::kInt8, w, {0.1F})}), 1);
  EXPECT_EQ(version(OpType::kQuantize, {f32(w)}, {q(DType::kInt16, w, {0.1F})}), 2);
  EXPECT_EQ(version(OpType::kQuantize, {f32(w)}, {q(DType::kInt8, w, {0.1F, 0.2F, 0.3F}, 1)}), 3);
  EXPECT_EQ(version(OpType::kCast, {of(DType::kFloat16)}, {f32()}, CastOptions{DType::kFloat32}), 5);
  EXPECT_EQ(version(OpType::kCast, {of(DType::kInt8)}, {f32()}, CastOptions{DType::kFloat32}), 3);
  EXPECT_EQ(version(OpType::kCast, {of(DType::kInt32)}, {f32()}, CastOptions{DType::kFloat32}), 1);
  EXPECT_EQ(version(OpType::kCast, {f32()}, {of(DType::kBool)}, CastOptions{DType::kBool}), 1);
  const Spec out_shape = of(DType::kInt32, {4});
  const Spec tw = f32({3, 3, 3, 4});
  EXPECT_EQ(version(OpType::kTransposeConv, {out_shape, tw, f32()}, {f32()}), 1);
  EXPECT_EQ(version(OpType::kTransposeConv, {out_shape, tw, f32(), std::nullopt}, {f32()}), 1);
  EXPECT_EQ(version(OpType::kTransposeConv, {out_shape, tw, f32(), f32({3})}, {f32()}), 3);
  EXPECT_EQ(version(OpType::kTransposeConv, {out_shape, of(DType::kInt8, {3, 3, 3, 4}), of(DType::kInt8)},
                    {of(DType::kInt8)}),
            2);
  TransposeConvOptions relu;
  relu.activation = Activation::kRelu;
  EXPECT_EQ(version(OpType::kTransposeConv, {out_shape, tw, f32(), f32({3})}, {f32()}, relu), 4);
}

}  // namespace
}  // namespace octet
