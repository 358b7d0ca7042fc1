#pragma once
// Imports an ONNX model (opsets 7 to 18) into octet's IR.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/graph.h"

namespace octet {

inline constexpr int kMinOnnxOpset = 7;
inline constexpr int kMaxOnnxOpset = 18;

struct ImportOptions {
  // --input-shape NAME:1x3x224x224 overrides; dynamic batch defaults to 1.
  std::vector<std::pair<std::string, Shape>> input_shapes;
  // Keep NCHW image inputs instead of making them NHWC.
  bool keep_input_layout = false;
};

struct ImportResult {
  Graph graph;
  int opset = 0;
  std::string producer;            // producer_name + version from the file
  std::vector<std::string> notes;  // decisions taken for the user, for the report
};

// Throws octet::Error naming the file and the problem; unsupported nodes are
// all listed in one message.
ImportResult import_onnx(const std::filesystem::path& path, const ImportOptions& options);

// Parses "NAME:1x3x224x224" (the name may contain ':'; the last one splits).
std::pair<std::string, Shape> parse_input_shape(const std::string& text);

}  // namespace octet
