#pragma once
// Reads a TensorFlow Lite flatbuffer (.tflite) back into octet's IR.
//
// The bytes are verified (tflite::VerifyModelBuffer) before anything is read,
// so a damaged or hostile file gives an octet::Error, never a crash. octet
// reads what it writes and what TFLite's converter writes for the operators in
// its op table: one subgraph, static shapes, dense tensors, builtin operators.
// Every error names the file and the tensor or operator at fault; unsupported
// operators are listed all at once, each with its index.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/graph.h"

namespace octet {

struct TfliteSignature {
  std::string key;
  std::vector<std::pair<std::string, TensorId>> inputs;  // signature name -> tensor
  std::vector<std::pair<std::string, TensorId>> outputs;
};

struct TfliteModel {
  Graph graph;  // verified (verify_graph); op names are their first output's name
  std::string description;
  std::vector<std::pair<std::string, std::vector<std::uint8_t>>> metadata;  // Model.metadata: name -> bytes
  std::vector<TfliteSignature> signatures;
  std::vector<int> op_versions;  // per graph op, from its OperatorCode
};

// `source_name` prefixes every error message (usually the file name).
TfliteModel read_tflite_model(std::span<const std::uint8_t> bytes, const std::string& source_name);
TfliteModel read_tflite_model(const std::filesystem::path& path);

// Just the graph.
Graph read_tflite(std::span<const std::uint8_t> bytes, const std::string& source_name);
Graph read_tflite(const std::filesystem::path& path);

}  // namespace octet
