#pragma once
// Writes an IR graph as a TensorFlow Lite flatbuffer (.tflite, schema 3).
//
// One subgraph ("main"), tensors in graph id order with their names, shapes,
// dtypes and quantization; every constant in a buffer of its own (16-byte
// aligned data), activations on the empty buffer 0; operators in graph order
// with their builtin options and the version TFLite's converter would give
// them (tflite/op_codec.h); operator codes deduplicated by (builtin,
// version); a SignatureDef naming the graph's inputs and outputs; metadata
// entries as extra buffers. The output is a pure function of the graph and
// the options: the same graph always gives the same bytes.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <flatbuffers/detached_buffer.h>

#include "core/graph.h"

namespace octet {

struct TfliteWriteOptions {
  std::string description;  // Model.description
  // Model.metadata entries: name -> bytes (each stored in its own buffer).
  std::vector<std::pair<std::string, std::vector<std::uint8_t>>> metadata;
  // Key of the SignatureDef for the graph's inputs and outputs; empty: none.
  std::string signature_key = "serving_default";
};

// The graph as write_tflite() stores it. TFLite's CONV_2D kernel requires a
// bias tensor (conv.cc: TF_LITE_ENSURE(context, has_bias)), and an omitted
// (-1) bias fails DEPTHWISE_CONV_2D's Prepare too, so a convolution without
// one gets a zero bias: float32 for float convolutions, int32 (int64 for
// int16 activations) with scale input_scale * filter_scale for quantized
// ones. The new constants are appended, named "<op>/zero_bias"; every other
// tensor keeps its id. Returns a copy of the graph when nothing changes.
Graph with_tflite_biases(const Graph& graph);

// Throws octet::Error if the graph is invalid (verify_graph), has a
// dimension beyond int32, or would make a file of 2 GiB or more (the
// flatbuffer limit). The finished flatbuffer is returned without a copy
// (data(), size()): for a large model one copy of the weights less at peak.
flatbuffers::DetachedBuffer serialize_tflite(const Graph& graph, const TfliteWriteOptions& options = {});

// serialize_tflite() copied into a vector, for callers that keep the bytes.
std::vector<std::uint8_t> write_tflite(const Graph& graph, const TfliteWriteOptions& options = {});

// An upper bound of write_tflite()'s output size, in bytes.
std::uint64_t tflite_size_bound(const Graph& graph, const TfliteWriteOptions& options = {});

}  // namespace octet
