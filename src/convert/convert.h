#pragma once
// `octet convert`: ONNX (or float TFLite) -> IR -> passes -> [int8 quantization]
// -> TFLite, with a conversion report.

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "convert/int8_conversion.h"
#include "onnx/onnx_importer.h"

namespace octet {

enum class Precision { kFloat32, kFloat16, kInt8 };

struct ConvertOptions {
  std::filesystem::path model;
  std::filesystem::path output;
  Precision precision = Precision::kFloat32;
  ImportOptions import;  // ONNX models only
  Int8Options int8;      // Precision::kInt8 only
  const CancelToken* cancel = nullptr;  // checked between stages and per calibration sample (nullptr: none/process)
  ConvertProgress progress;  // optional: stage changes ("importing", "optimizing", ..., "writing")
};

struct ConvertResult {
  nlohmann::ordered_json report;  // also embedded (minus timings) in the model's metadata
  std::vector<std::string> notes;  // decisions taken for the user
  std::uint64_t bytes = 0;
};

// MODEL is ONNX, or a float .tflite (by its extension).
// Writes options.output atomically; throws octet::Error and writes nothing on failure.
ConvertResult convert_model(const ConvertOptions& options);

std::string_view to_string(Precision precision);

}  // namespace octet
