#include "dataset/recipe.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace octet {

using Json = nlohmann::ordered_json;

namespace {

template <typename Enum>
Enum parse_enum(const Json& value, const std::string& source, const char* field, Enum first,
                Enum second) {
  const auto text = value.get<std::string>();
  if (text == to_string(first)) return first;
  if (text == to_string(second)) return second;
  throw fail("{}: field '{}' is '{}', expected '{}' or '{}'", source, field, text, to_string(first),
             to_string(second));
}

}  // namespace

std::string recipe_to_json(const CalibrationRecipe& recipe) {
  const PreprocessOptions& p = recipe.preprocess;
  Json json;
  json["format"] = kRecipeFormat;
  json["version"] = kRecipeVersion;
  json["producer"] = recipe.producer;
  json["preprocess"] = {
      {"width", p.width},
      {"height", p.height},
      {"resize", to_string(p.resize)},
      {"interpolation", "linear"},
      {"pad_value", kLetterboxPadValue},
      {"color", to_string(p.color)},
      {"normalize", p.normalize},
      {"mean", p.mean},
      {"std", p.std},
      {"layout", to_string(p.layout)},
      {"dtype", "float32"},
  };
  json["array"] = {{"file", recipe.array_file}, {"shape", recipe.array_shape}, {"dtype", "float32"}};
  json["selection"] = {
      {"order", recipe.shuffled ? "shuffled" : "sorted"},
      {"seed", recipe.shuffled ? Json(recipe.seed) : Json(nullptr)},
      {"limit", recipe.limit ? Json(*recipe.limit) : Json(nullptr)},
      {"candidates", recipe.candidates},
  };
  json["files"] = recipe.files;
  Json errors = Json::array();
  for (const FileError& error : recipe.errors) {
    errors.push_back({{"file", error.file}, {"reason", error.reason}});
  }
  json["errors"] = std::move(errors);
  return json.dump(2) + "\n";
}

CalibrationRecipe recipe_from_json(const std::string& text, const std::string& source) {
  Json json;
  try {
    json = Json::parse(text);
  } catch (const Json::exception& e) {
    throw fail("{}: not valid JSON: {}", source, e.what());
  }
  try {
    if (!json.is_object() || json.value("format", "") != kRecipeFormat) {
      throw fail("{}: not an octet calibration recipe (field 'format' must be '{}')", source,
                 kRecipeFormat);
    }
    if (json.at("version").get<int>() != kRecipeVersion) {
      throw fail("{}: recipe version {} is not supported (this octet reads version {})", source,
                 json.at("version").dump(), kRecipeVersion);
    }
    CalibrationRecipe recipe;
    recipe.producer = json.at("producer").get<std::string>();
    const Json& p = json.at("preprocess");
    PreprocessOptions& o = recipe.preprocess;
    o.width = p.at("width").get<int>();
    o.height = p.at("height").get<int>();
    o.resize = parse_enum(p.at("resize"), source, "preprocess.resize", ResizeMode::kLetterbox,
                          ResizeMode::kStretch);
    o.color = parse_enum(p.at("color"), source, "preprocess.color", ColorOrder::kBgr, ColorOrder::kRgb);
    o.normalize = p.at("normalize").get<bool>();
    o.mean = p.at("mean").get<std::array<float, kChannels>>();
    o.std = p.at("std").get<std::array<float, kChannels>>();
    o.layout = parse_enum(p.at("layout"), source, "preprocess.layout", Layout::kNhwc, Layout::kNchw);
    if (o.width <= 0 || o.height <= 0 || o.width > kMaxSide || o.height > kMaxSide) {
      throw fail("{}: preprocess size {}x{} is out of range 1..{}", source, o.width, o.height, kMaxSide);
    }
    const Json& array = json.at("array");
    recipe.array_file = array.at("file").get<std::string>();
    recipe.array_shape = array.at("shape").get<std::vector<std::uint64_t>>();
    const Json& selection = json.at("selection");
    recipe.shuffled = selection.at("order").get<std::string>() == "shuffled";
    if (recipe.shuffled) recipe.seed = selection.at("seed").get<std::uint64_t>();
    if (!selection.at("limit").is_null()) recipe.limit = selection.at("limit").get<std::uint64_t>();
    recipe.candidates = selection.at("candidates").get<std::uint64_t>();
    recipe.files = json.at("files").get<std::vector<std::string>>();
    for (const Json& error : json.at("errors")) {
      recipe.errors.push_back({error.at("file").get<std::string>(), error.at("reason").get<std::string>()});
    }
    return recipe;
  } catch (const Json::exception& e) {
    throw fail("{}: malformed recipe: {}", source, e.what());
  }
}

CalibrationRecipe read_recipe(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw fail("{}: cannot open recipe", path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return recipe_from_json(text.str(), path.string());
}

}  // namespace octet
