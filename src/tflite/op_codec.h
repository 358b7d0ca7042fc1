#pragma once
// How octet's IR operators are encoded in a .tflite file: the one table from
// IR OpType to TFLite BuiltinOperator and BuiltinOptions type, the options
// writer and reader, the enum mappings (dtype, fused activation, padding),
// and each operator's version, computed as TFLite's converter computes it.
//
// IR operators follow TFLite semantics exactly (core/op_options.h), so the
// mapping is one to one: inputs and outputs are written in IR order, and the
// options structs hold exactly the TFLite options fields that change meaning.
//
// Internal to src/tflite (and its tests): it exposes the flatc-generated
// schema types; tflite_writer.h / tflite_reader.h are the public API.

#include <optional>
#include <span>
#include <string>

#include "core/graph.h"
#include "tflite/schema/tflite_generated.h"

namespace octet::tfl {

struct OpCodec {
  OpType type;
  tflite::BuiltinOperator builtin;
  // The options table TFLite defines for the operator; NONE when it has none
  // (LOGISTIC, TANH, RELU, RELU6, RELU_N1_TO_1, PRELU, SQRT, RSQRT, LOG).
  tflite::BuiltinOptions options;
};

// Every IR op type, in op table order (row i is OpType i).
std::span<const OpCodec> op_codecs();
const OpCodec& op_codec(OpType type);
// The IR op type of a TFLite builtin operator; nullopt when octet has none.
std::optional<OpType> op_type_from_builtin(tflite::BuiltinOperator builtin);

// "CONV_2D", or "BUILTIN_OPERATOR_<n>" for a code the schema does not name.
std::string builtin_name(tflite::BuiltinOperator builtin);
std::string options_type_name(tflite::BuiltinOptions options);

tflite::TensorType tensor_type(DType dtype);
// nullopt for TFLite types octet's IR has no dtype for (STRING, FLOAT64, ...).
std::optional<DType> dtype_from_tensor_type(tflite::TensorType type);
std::string tensor_type_name(tflite::TensorType type);

tflite::ActivationFunctionType activation_type(Activation activation);
// Throws octet::Error for SIGN_BIT and unknown values.
Activation activation_from_type(tflite::ActivationFunctionType type);
tflite::Padding padding_type(Padding padding);
Padding padding_from_type(tflite::Padding padding);  // throws for unknown values

// Writes `op`'s BuiltinOptions table. Every operator whose TFLite definition
// has an options table gets one, even when all its fields are defaults (as
// TFLite's converter does); returns a null offset for operators without.
flatbuffers::Offset<void> write_builtin_options(flatbuffers::FlatBufferBuilder& builder, const Graph& graph,
                                                const Op& op);

// The IR options of `op` (already read: type, inputs, outputs) from the
// operator's builtin options. Throws octet::Error (message without a location
// prefix) when the options table has the wrong type, is missing where the op
// needs one, or uses a feature octet's IR cannot represent.
OpOptions read_builtin_options(const tflite::Operator& op, const Graph& graph, const Op& ir_op);

// The operator version TFLite's converter writes for `op`: a port of
// GetBuiltinOperatorVersion() in tensorflow/lite/tools/versioning/op_version.cc
// (tensorflow/tensorflow @ 02087409073e69754277a2d2cf20af23a44334de), with the
// signature (dtypes, ranks, quantization) taken from the graph as
// op_signature.cc takes it from the flatbuffer. Options octet never writes
// (quantized_bias_type, asymmetric_quantize_inputs, shuffled weights,
// pot_scale_int16 = false, StridedSlice offset) are at their defaults.
int op_version(const Graph& graph, const Op& op);

}  // namespace octet::tfl
