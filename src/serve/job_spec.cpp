#include "serve/job_spec.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"
#include "quant/calibration_method.h"
#include "serve/upload.h"

namespace octet::serve {

namespace {

using Json = nlohmann::ordered_json;

const std::vector<std::string> kPrecisions{"float32", "float16", "int8"};
const std::vector<std::string> kFrameworks{"tflite"};
const std::vector<std::string> kDevices{"generic-cpu"};
const std::vector<std::string> kCalibMethods{"minmax", "ema", "percentile", "entropy", "mse", "auto"};
const std::vector<std::string> kInterfaceTypes{"int8", "uint8", "float32"};
const std::vector<std::string> kModelExtensions{".onnx", ".tflite"};

// Rejects keys outside `allowed` so that a typo is an error, not a silent default.
void check_keys(const nlohmann::json& object, std::string_view where, const std::set<std::string>& allowed) {
  if (!object.is_object()) throw fail("{}: expected a JSON object", where);
  for (const auto& [key, value] : object.items()) {
    if (!allowed.contains(key)) {
      throw fail("{}: unknown field '{}' (expected one of: {})", where, key, fmt::join(allowed, ", "));
    }
  }
}

std::string choice(const nlohmann::json& object, const std::string& key, std::string_view where,
                   const std::vector<std::string>& allowed, const std::string& fallback) {
  if (!object.contains(key)) return fallback;
  const nlohmann::json& v = object[key];
  if (!v.is_string() || std::find(allowed.begin(), allowed.end(), v.get<std::string>()) == allowed.end()) {
    throw fail("{}.{}: {} is not one of: {}", where, key, v.dump(), fmt::join(allowed, ", "));
  }
  return v.get<std::string>();
}

bool flag(const nlohmann::json& object, const std::string& key, std::string_view where, bool fallback) {
  if (!object.contains(key)) return fallback;
  if (!object[key].is_boolean()) throw fail("{}.{}: expected true or false, got {}", where, key, object[key].dump());
  return object[key].get<bool>();
}

std::uint64_t count(const nlohmann::json& object, const std::string& key, std::string_view where,
                    std::uint64_t fallback) {
  if (!object.contains(key) || object[key].is_null()) return fallback;
  if (!object[key].is_number_unsigned()) {
    throw fail("{}.{}: expected a whole number >= 0, got {}", where, key, object[key].dump());
  }
  return object[key].get<std::uint64_t>();
}

Upload require_upload(const std::optional<Upload>& upload, const std::string& id, std::string_view where,
                             std::string_view kind) {
  if (!upload) throw fail("{}.upload: no upload '{}' (POST /api/uploads first)", where, id);
  if (kind != "any" && upload->kind != kind) {
    throw fail("{}.upload: upload '{}' is a {} upload, expected {}", where, id, upload->kind, kind);
  }
  return *upload;
}

std::string upload_id(const nlohmann::json& object, std::string_view where) {
  if (!object["upload"].is_string() || !is_valid_id(object["upload"].get<std::string>())) {
    throw fail("{}.upload: expected an upload id (16 hex digits), got {}", where, object["upload"].dump());
  }
  return object["upload"].get<std::string>();
}

Json normalize_model(const nlohmann::json& request, const ServeConfig& config, const JobStore& store) {
  if (!request.contains("model")) throw fail("model: required ({{\"upload\": ID}} or {{\"example\": NAME}})");
  const nlohmann::json& m = request["model"];
  check_keys(m, "model", {"upload", "example"});
  if (m.contains("upload") == m.contains("example")) {
    throw fail("model: give exactly one of \"upload\" and \"example\"");
  }
  if (m.contains("upload")) {
    const std::string id = upload_id(m, "model");
    const Upload u = require_upload(store.upload(id), id, "model", "model");
    return Json{{"source", "upload"}, {"upload", id}, {"name", u.name}};
  }
  if (!m["example"].is_string()) throw fail("model.example: expected a model name, got {}", m["example"].dump());
  const std::string name = m["example"].get<std::string>();
  for (const Json& example : example_models(config)) {
    if (example["name"] == name) return Json{{"source", "example"}, {"example", name}, {"name", name}};
  }
  throw fail("model.example: no example model '{}' (GET /api/models lists them)", name);
}

Json normalize_prepare(const nlohmann::json& p) {
  constexpr std::string_view where = "calibration.prepare";
  check_keys(p, where, {"width", "height", "resize", "color", "normalize", "mean", "std", "layout", "limit", "seed"});
  Json out;
  for (const char* side : {"width", "height"}) {
    const std::uint64_t v = count(p, side, where, 0);
    if (v == 0 || v > static_cast<std::uint64_t>(kMaxSide)) {
      throw fail("{}.{}: required, a whole number from 1 to {} (the model's input size)", where, side, kMaxSide);
    }
    out[side] = v;
  }
  out["resize"] = choice(p, "resize", where, {"letterbox", "stretch"}, "letterbox");
  out["color"] = choice(p, "color", where, {"bgr", "rgb"}, "bgr");
  out["normalize"] = flag(p, "normalize", where, true);
  for (const char* key : {"mean", "std"}) {
    if (!p.contains(key) || p[key].is_null()) continue;
    const nlohmann::json& v = p[key];
    if (!v.is_array() || v.size() != kChannels ||
        !std::all_of(v.begin(), v.end(), [](const nlohmann::json& x) { return x.is_number(); })) {
      throw fail("{}.{}: expected three numbers, one per channel, got {}", where, key, v.dump());
    }
    if (std::string_view(key) == "std" &&
        std::any_of(v.begin(), v.end(), [](const nlohmann::json& x) { return x.get<double>() == 0.0; })) {
      throw fail("{}.std: {} has a zero; every std must be non-zero", where, v.dump());
    }
    out[key] = v;
  }
  out["layout"] = choice(p, "layout", where, {"nhwc", "nchw"}, "nhwc");
  if (p.contains("limit") && !p["limit"].is_null()) {
    const std::uint64_t limit = count(p, "limit", where, 0);
    if (limit == 0) throw fail("{}.limit: must be at least 1 (or null for all images)", where);
    out["limit"] = limit;
  } else {
    out["limit"] = nullptr;
  }
  out["seed"] = p.contains("seed") && p["seed"].is_null() ? Json(nullptr) : Json(count(p, "seed", where, 0));
  return out;
}

Json normalize_calibration(const nlohmann::json& request, const JobStore& store) {
  if (!request.contains("calibration")) {
    throw fail("calibration: required for int8 ({{\"upload\": ID}} of a .npy, or of an image archive with "
               "\"prepare\" options)");
  }
  const nlohmann::json& c = request["calibration"];
  check_keys(c, "calibration", {"upload", "prepare"});
  const std::string id = upload_id(c, "calibration");
  const Upload u = require_upload(store.upload(id), id, "calibration", "any");
  Json out{{"upload", id}, {"kind", u.kind}, {"name", u.name}};
  if (u.kind == "calibration") {
    if (c.contains("prepare")) throw fail("calibration.prepare: only for an image archive, '{}' is a .npy", u.name);
  } else if (u.kind == "images") {
    if (!c.contains("prepare")) {
      throw fail("calibration.prepare: required for the image archive '{}' (at least width and height)", u.name);
    }
    out["prepare"] = normalize_prepare(c["prepare"]);
  } else {
    throw fail("calibration.upload: '{}' is a {} upload, expected a .npy or an image archive", u.name, u.kind);
  }
  return out;
}

}  // namespace

Json job_options(const ServeConfig& config) {
  return Json{{"frameworks", kFrameworks},
              {"devices", Json::array({Json{{"id", "generic-cpu"}, {"name", "Generic CPU (TFLite reference/XNNPACK)"}}})},
              {"precisions", kPrecisions},
              {"int8",
               {{"calib_method", {{"values", kCalibMethods}, {"default", quant::calibration_method_name(quant::kDefaultCalibrationMethod)}}},
                {"input_type", {{"values", kInterfaceTypes}, {"default", "int8"}}},
                {"output_type", {{"values", kInterfaceTypes}, {"default", "int8"}}},
                {"calib_samples", {{"default", 0}}},
                {"per_tensor", {{"default", false}}},
                {"per_channel_fc", {{"default", false}}},
                {"allow_float_fallback", {{"default", false}}}}},
              {"prepare",
               {{"resize", {{"values", {"letterbox", "stretch"}}, {"default", "letterbox"}}},
                {"color", {{"values", {"bgr", "rgb"}}, {"default", "bgr"}}},
                {"layout", {{"values", {"nhwc", "nchw"}}, {"default", "nhwc"}}},
                {"normalize", {{"default", true}}},
                {"seed", {{"default", 0}}}}},
              {"limits",
               {{"model_bytes", config.max_model_bytes},
                {"calibration_bytes", config.max_calib_bytes},
                {"images_bytes", config.max_images_bytes}}},
              {"token_required", !config.token.empty()}};
}

Json example_models(const ServeConfig& config) {
  Json list = Json::array();
  std::error_code ec;
  if (config.models_dir.empty() || !std::filesystem::is_directory(config.models_dir, ec)) return list;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(config.models_dir, ec)) {
    const std::string name = entry.path().filename().string();
    const std::string ext = upload_extension(name);
    if (entry.is_regular_file() && std::find(kModelExtensions.begin(), kModelExtensions.end(), ext) !=
                                       kModelExtensions.end() && sanitize_file_name(name, "") == name) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    list.push_back({{"name", f.filename().string()}, {"bytes", std::filesystem::file_size(f)}});
  }
  return list;
}

Json normalize_job_request(const nlohmann::json& request, const ServeConfig& config, const JobStore& store) {
  check_keys(request, "job", {"model", "framework", "device", "precision", "input_shapes", "keep_input_layout",
                              "int8", "calibration"});
  Json s;
  s["model"] = normalize_model(request, config, store);
  s["framework"] = choice(request, "framework", "job", kFrameworks, "tflite");
  s["device"] = choice(request, "device", "job", kDevices, "generic-cpu");
  s["precision"] = choice(request, "precision", "job", kPrecisions, "float32");
  Json shapes = Json::array();
  if (request.contains("input_shapes")) {
    const nlohmann::json& list = request["input_shapes"];
    if (!list.is_array()) throw fail("input_shapes: expected a list like [\"input:1x3x224x224\"]");
    for (const nlohmann::json& item : list) {
      if (!item.is_string()) throw fail("input_shapes: {} is not a string NAME:1x3x224x224", item.dump());
      parse_input_shape(item.get<std::string>());  // validates
      shapes.push_back(item.get<std::string>());
    }
  }
  s["input_shapes"] = shapes;
  s["keep_input_layout"] = flag(request, "keep_input_layout", "job", false);
  const bool int8 = s["precision"] == "int8";
  if (!int8 && (request.contains("int8") || request.contains("calibration"))) {
    throw fail("int8, calibration: only with \"precision\": \"int8\" (this job is {})", s["precision"].dump());
  }
  if (int8) {
    const nlohmann::json& o = request.contains("int8") ? request["int8"] : nlohmann::json::object();
    check_keys(o, "int8", {"calib_method", "calib_samples", "input_type", "output_type", "per_tensor",
                           "per_channel_fc", "allow_float_fallback"});
    s["int8"] = {{"calib_method", choice(o, "calib_method", "int8", kCalibMethods, std::string(quant::calibration_method_name(quant::kDefaultCalibrationMethod)))},
                 {"calib_samples", count(o, "calib_samples", "int8", 0)},
                 {"input_type", choice(o, "input_type", "int8", kInterfaceTypes, "int8")},
                 {"output_type", choice(o, "output_type", "int8", kInterfaceTypes, "int8")},
                 {"per_tensor", flag(o, "per_tensor", "int8", false)},
                 {"per_channel_fc", flag(o, "per_channel_fc", "int8", false)},
                 {"allow_float_fallback", flag(o, "allow_float_fallback", "int8", false)}};
    s["calibration"] = normalize_calibration(request, store);
  }
  return s;
}

std::filesystem::path model_path(const Json& settings, const ServeConfig& config, const JobStore& store) {
  const Json& m = settings["model"];
  if (m["source"] == "example") return config.models_dir / m["example"].get<std::string>();
  const std::string id = m["upload"].get<std::string>();
  const std::optional<Upload> u = store.upload(id);
  if (!u) throw fail("model: the upload '{}' is gone", id);
  return u->path;
}

ConvertOptions convert_options(const Json& settings, const std::filesystem::path& model,
                               const std::filesystem::path& output, const std::filesystem::path& calibration) {
  ConvertOptions options;
  options.model = model;
  options.output = output;
  const std::string precision = settings["precision"].get<std::string>();
  options.precision = precision == "int8"      ? Precision::kInt8
                      : precision == "float16" ? Precision::kFloat16
                                               : Precision::kFloat32;
  options.import.keep_input_layout = settings["keep_input_layout"].get<bool>();
  for (const Json& shape : settings["input_shapes"]) {
    options.import.input_shapes.push_back(parse_input_shape(shape.get<std::string>()));
  }
  if (options.precision == Precision::kInt8) {
    const Json& o = settings["int8"];
    Int8Options& int8 = options.int8;
    int8.calibration.push_back(quant::CalibrationSpec{"", calibration});
    int8.method = quant::parse_calibration_method(o["calib_method"].get<std::string>());
    int8.max_samples = o["calib_samples"].get<std::size_t>();
    int8.quantize.input_type = quant::parse_interface_type(o["input_type"].get<std::string>(), "int8.input_type");
    int8.quantize.output_type = quant::parse_interface_type(o["output_type"].get<std::string>(), "int8.output_type");
    int8.quantize.per_tensor = o["per_tensor"].get<bool>();
    int8.quantize.per_channel_fc = o["per_channel_fc"].get<bool>();
    int8.quantize.allow_float_fallback = o["allow_float_fallback"].get<bool>();
    int8.progress = false;
  }
  return options;
}

PrepareOptions prepare_options(const Json& p, const std::filesystem::path& image_dir,
                               const std::filesystem::path& out_dir) {
  PrepareOptions options;
  options.image_dir = image_dir;
  options.out_dir = out_dir;
  PreprocessOptions& pre = options.preprocess;
  pre.width = p["width"].get<int>();
  pre.height = p["height"].get<int>();
  pre.resize = p["resize"] == "stretch" ? ResizeMode::kStretch : ResizeMode::kLetterbox;
  pre.color = p["color"] == "rgb" ? ColorOrder::kRgb : ColorOrder::kBgr;
  pre.normalize = p["normalize"].get<bool>();
  if (p.contains("mean")) {
    for (std::size_t c = 0; c < pre.mean.size(); ++c) pre.mean[c] = p["mean"][c].get<float>();
  }
  if (p.contains("std")) {
    for (std::size_t c = 0; c < pre.std.size(); ++c) pre.std[c] = p["std"][c].get<float>();
  }
  pre.layout = p["layout"] == "nchw" ? Layout::kNchw : Layout::kNhwc;
  if (!p["limit"].is_null()) options.limit = p["limit"].get<std::uint64_t>();
  options.seed = p["seed"].is_null() ? std::nullopt : std::optional<std::uint64_t>(p["seed"].get<std::uint64_t>());
  options.threads = 1;  // the worker pool bounds the parallelism
  return options;
}

}  // namespace octet::serve
