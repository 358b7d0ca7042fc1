#include "api/model_support.h"

#include <fmt/format.h>

#include "core/error.h"
#include "quant/calibration_data.h"

namespace octet {

using Json = nlohmann::ordered_json;

LayoutGuess guess_layout(const std::vector<std::int64_t>& shape, const std::string& name, bool is_input,
                         const Json* conversion) {
  if (conversion != nullptr) {
    const char* list = is_input ? "inputs" : "outputs";
    if (conversion->contains(list) && (*conversion)[list].is_array()) {
      for (const Json& entry : (*conversion)[list]) {
        if (!entry.is_object() || entry.value("name", std::string()) != name) continue;
        if (entry.contains("layout") && entry["layout"].is_string()) {
          const std::string layout = entry["layout"].get<std::string>();
          if (layout == "nhwc" || layout == "nchw") return {layout, "octet metadata"};
        }
      }
    }
    if (is_input && conversion->contains("notes") && (*conversion)["notes"].is_array()) {
      const std::string prefix = "input '" + name + "' is NHWC";
      for (const Json& note : (*conversion)["notes"]) {
        if (note.is_string() && note.get<std::string>().starts_with(prefix)) return {"nhwc", "octet metadata"};
      }
    }
  }
  if (shape.size() != 4) return {"unknown", "heuristic"};
  return {shape[1] == 3 ? "nchw" : "nhwc", "heuristic"};
}

std::optional<Json> parse_conversion_metadata(const std::string& bytes) {
  Json json = Json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  return json;
}

namespace {

template <typename Enum>
Enum parse_choice(const Json& p, const char* field, const std::string& source, Enum first, Enum second) {
  const std::string text = p.at(field).get<std::string>();
  if (text == to_string(first)) return first;
  if (text == to_string(second)) return second;
  throw fail("{}: preprocessing field '{}' is '{}', expected '{}' or '{}'", source, field, text, to_string(first),
             to_string(second));
}

}  // namespace

PreprocessOptions preprocess_from_json(const Json& p, const std::string& source) {
  PreprocessOptions o;
  try {
    o.width = p.at("width").get<int>();
    o.height = p.at("height").get<int>();
    o.resize = parse_choice(p, "resize", source, ResizeMode::kLetterbox, ResizeMode::kStretch);
    o.color = parse_choice(p, "color", source, ColorOrder::kBgr, ColorOrder::kRgb);
    o.normalize = p.at("normalize").get<bool>();
    if (p.contains("mean")) o.mean = p.at("mean").get<std::array<float, kChannels>>();
    if (p.contains("std")) o.std = p.at("std").get<std::array<float, kChannels>>();
    if (p.contains("layout")) o.layout = parse_choice(p, "layout", source, Layout::kNhwc, Layout::kNchw);
  } catch (const Json::exception& e) {
    throw fail("{}: malformed preprocessing recipe: {}", source, e.what());
  }
  if (o.width <= 0 || o.height <= 0 || o.width > kMaxSide || o.height > kMaxSide) {
    throw fail("{}: preprocessing size {}x{} is out of range 1..{}", source, o.width, o.height, kMaxSide);
  }
  return o;
}

std::optional<PreprocessOptions> calibration_preprocess(const Json& conversion, const std::string& input_name,
                                                        const std::string& source) {
  if (!conversion.contains("calibration") || !conversion["calibration"].is_object()) return std::nullopt;
  const Json& calibration = conversion["calibration"];
  const std::string where = source + ": metadata octet_conversion.calibration";
  if (calibration.contains("preprocess")) return preprocess_from_json(calibration["preprocess"], where);
  if (calibration.contains("recipe") && calibration["recipe"].is_object() &&
      calibration["recipe"].contains("preprocess")) {
    return preprocess_from_json(calibration["recipe"]["preprocess"], where + ".recipe");
  }
  if (!calibration.contains("data") || !calibration["data"].is_array()) return std::nullopt;
  const Json& data = calibration["data"];
  const auto is_string = [](const Json& entry, const char* field, const std::string& value) {
    return entry.contains(field) && entry[field].is_string() && entry[field].get<std::string>() == value;
  };
  for (std::size_t i = 0; i < data.size(); ++i) {
    const Json& entry = data[i];
    if (!entry.is_object() || !is_string(entry, "input", input_name)) continue;
    if (!entry.contains("recipe") || !entry["recipe"].is_object() || !entry["recipe"].contains("preprocess")) {
      return std::nullopt;  // calibrated from a .npy without a recipe: nothing says how its pixels were made
    }
    PreprocessOptions options =
        preprocess_from_json(entry["recipe"]["preprocess"], fmt::format("{}.data[{}].recipe", where, i));
    // convert transposed an NCHW calibration array to the model's NHWC input:
    // images for that input must be made NHWC, whatever layout prepare wrote.
    if (is_string(entry, "layout", quant::sample_layout_name(quant::SampleLayout::kNchwToNhwc))) {
      options.layout = Layout::kNhwc;
    }
    return options;
  }
  return std::nullopt;
}

}  // namespace octet

#include <filesystem>
#include <fstream>

namespace octet {

std::vector<std::uint8_t> read_model_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) throw fail("{}: no such file", path);
  if (fs::is_directory(status)) throw fail("{}: is a directory, expected a .tflite file", path);
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec) throw fail("{}: cannot read: {}", path, ec.message());
  constexpr std::uintmax_t kMaxBytes = std::uintmax_t{1} << 31;
  if (size >= kMaxBytes) {
    throw fail("{}: {} bytes; TFLite models of 2 GiB or more (external buffers) are not supported", path, size);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw fail("{}: cannot open for reading", path);
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (static_cast<std::uintmax_t>(in.gcount()) != size) throw fail("{}: read failed", path);
  return bytes;
}

}  // namespace octet
