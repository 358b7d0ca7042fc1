#pragma once
// `octet run MODEL.onnx`: octet's interpreter on octet's IR of an ONNX model,
// before anything is written. The model is imported as `octet convert` does
// (same --input-shape and --keep-input-layout) and put through the same float
// pass pipeline, so the graph run is the graph a float32 conversion writes.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "octet/model.h"

namespace octet::cli {

struct OnnxRunModel {
  Model model;
  // What was run, for the report: {format, opset, producer, graph, passes, notes}.
  nlohmann::ordered_json ir;
};

bool is_onnx_path(const std::string& path);

// Throws octet::Error (bad file, unsupported nodes, bad --input-shape).
OnnxRunModel load_onnx_for_run(const std::string& path, const std::vector<std::string>& input_shapes,
                               bool keep_input_layout, const RunOptions& run_options);

}  // namespace octet::cli
