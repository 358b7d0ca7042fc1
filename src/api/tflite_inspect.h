#pragma once
// `octet inspect`: what a .tflite file holds, read straight from the
// flatbuffer (after verification), so it works on any valid TFLite model,
// including ones with operators octet's interpreter does not run.

#include <cstdint>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

namespace octet {

// The report (format in docs/cli.md, `octet inspect --json`). Throws
// octet::Error naming `source` for bytes that are not a valid TFLite model.
nlohmann::ordered_json inspect_tflite(std::span<const std::uint8_t> bytes, const std::string& source);

}  // namespace octet
