#pragma once
// Internal helpers shared by octet's public API (src/api/model.cpp) and the
// inspect/run/bench commands: the I/O layout rule, octet's conversion
// metadata, and the calibration preprocessing recipe stored in it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dataset/image_preprocess.h"

namespace octet {

// Name of the metadata entry octet writes into every .tflite it produces.
inline constexpr const char* kConversionMetadataName = "octet_conversion";

struct LayoutGuess {
  std::string layout;  // "nhwc", "nchw" or "unknown"
  std::string source;  // "octet metadata" or "heuristic"
};

// The layout of a model input (is_input) or output with this name and shape:
// 1. from octet's conversion metadata when it records it (a "layout" field
//    on the tensor's entry in "inputs"/"outputs", or convert's note "input
//    'NAME' is NHWC ...");
// 2. else LaunchX's heuristic (model_input_output_attributes): "nchw" if
//    shape[1] == 3, else "nhwc" — for rank-4 tensors only; other ranks are
//    "unknown" (LaunchX would call them "nhwc").
LayoutGuess guess_layout(const std::vector<std::int64_t>& shape, const std::string& name, bool is_input,
                         const nlohmann::ordered_json* conversion);

// Parses the "octet_conversion" metadata bytes; nullopt if they are not a
// JSON object.
std::optional<nlohmann::ordered_json> parse_conversion_metadata(const std::string& bytes);

// The preprocessing of the calibration images of input `input_name`, as
// `octet convert --int8` records it under octet_conversion.calibration: the
// recipe's "preprocess" object in the "data" entry whose "input" is
// input_name (layout NHWC when that entry's array was transposed to NHWC).
// Also read: a "preprocess" object, directly or in a nested "recipe", under
// "calibration" (one recipe for the model). nullopt when there is none.
// Throws octet::Error when present but malformed.
std::optional<PreprocessOptions> calibration_preprocess(const nlohmann::ordered_json& conversion,
                                                        const std::string& input_name, const std::string& source);

// Parses a recipe's "preprocess" object (docs/prepare.md). Throws octet::Error.
PreprocessOptions preprocess_from_json(const nlohmann::ordered_json& p, const std::string& source);

}  // namespace octet

namespace octet {

// The bytes of a model file. Throws octet::Error "PATH: no such file",
// "PATH: is a directory", "PATH: cannot read: ..." or for files of 2 GiB or
// more (TFLite's flatbuffer limit).
std::vector<std::uint8_t> read_model_file(const std::string& path);

}  // namespace octet
