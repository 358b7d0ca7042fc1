// `octet run MODEL.tflite|MODEL.onnx INPUT... [--out DIR] [--top-k K] [--json] [preprocessing flags]`
// An ONNX model runs as octet's IR before writing (run_onnx.h).

#include <algorithm>
#include <chrono>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <optional>
#include <cstring>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "api/model_support.h"
#include "cli/command.h"
#include "cli/threads_option.h"
#include "cli/run_onnx.h"
#include "core/error.h"
#include "dataset/image_preprocess.h"
#include "dataset/npy_reader.h"
#include "dataset/npy_writer.h"
#include "octet/model.h"
#include "util/atomic_file.h"
#include "util/output_guard.h"

namespace octet::cli {

namespace {

using Json = nlohmann::ordered_json;
namespace fs = std::filesystem;

struct RunArgs {
  std::string model;
  std::vector<std::string> inputs;
  std::string out;
  std::size_t top_k = 0;
  bool json = false;
  unsigned threads = 1;
  bool reference_kernels = false;
  // Preprocessing of image inputs (as `octet prepare`); each overrides the model's recipe.
  std::string size;
  bool letterbox = false;
  bool stretch = false;
  std::string color;
  bool normalize = false;
  bool no_normalize = false;
  std::string mean;
  std::string std;
  std::string layout;
  // ONNX models only (as for convert).
  std::vector<std::string> input_shapes;
  bool keep_input_layout = false;
};

template <typename T>
T value_or_throw(Result<T> result) {
  if (!result.ok()) throw Error(result.status().message());
  return std::move(result).value();
}

void check(const Status& status) {
  if (!status.ok()) throw Error(status.message());
}

std::string shape_text(const std::vector<std::int64_t>& shape) { return fmt::format("[{}]", fmt::join(shape, ", ")); }

int parse_side(std::string_view text, const std::string& flag_value) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value <= 0 || value > kMaxSide) {
    throw usage_fail("--size '{}': '{}' must be a whole number from 1 to {}", flag_value, text, kMaxSide);
  }
  return value;
}

std::array<float, kChannels> parse_triplet(const std::string& text, const char* flag) {
  std::vector<float> parsed;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    float value = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (item.empty() || ec != std::errc{} || end != item.data() + item.size() || !std::isfinite(value)) {
      throw usage_fail("{} '{}': expected three numbers like 0.485,0.456,0.406 (or one for all channels)", flag, text);
    }
    parsed.push_back(value);
    start = comma + 1;
  }
  if (parsed.size() == 1) parsed.assign(kChannels, parsed.front());
  if (parsed.size() != kChannels) throw usage_fail("{} '{}': expected three numbers, or one for all", flag, text);
  std::array<float, kChannels> values{};
  std::copy(parsed.begin(), parsed.end(), values.begin());
  return values;
}

bool has_preprocess_flags(const RunArgs& a) {
  return !a.size.empty() || a.letterbox || a.stretch || !a.color.empty() || a.normalize || a.no_normalize ||
         !a.mean.empty() || !a.std.empty() || !a.layout.empty();
}

// The preprocessing of image inputs: the model's calibration recipe, with flags on top.
struct Preprocessing {
  PreprocessOptions options;
  std::string source;  // "model metadata", "flags", "model metadata + flags"
};

Preprocessing image_preprocessing(const RunArgs& a, const Model& model, const TensorInfo& input) {
  std::optional<PreprocessOptions> recipe;
  if (const std::optional<std::string> text = model.metadata(kConversionMetadataName)) {
    if (const std::optional<Json> conversion = parse_conversion_metadata(*text)) {
      recipe = calibration_preprocess(*conversion, input.name, a.model);
    }
  }
  if (!recipe && a.size.empty()) {
    throw usage_fail(
        "{}: the model has no calibration recipe in its metadata (octet_conversion.calibration), so image inputs "
        "need the preprocessing as flags: --size WxH, and as for prepare --letterbox/--stretch, --color, "
        "--normalize/--no-normalize, --mean/--std, --layout",
        a.model);
  }
  Preprocessing p;
  p.options = recipe.value_or(PreprocessOptions{});
  p.source = recipe ? (has_preprocess_flags(a) ? "model metadata + flags" : "model metadata") : "flags";
  PreprocessOptions& o = p.options;
  if (!recipe) {  // flags only: the input's own layout unless --layout
    o.layout = input.layout == TensorLayout::kNchw ? Layout::kNchw : Layout::kNhwc;
  }
  if (!a.size.empty()) {
    const auto x = a.size.find_first_of("xX");
    if (x == std::string::npos) {
      o.width = o.height = parse_side(a.size, a.size);
    } else {
      o.width = parse_side(std::string_view(a.size).substr(0, x), a.size);
      o.height = parse_side(std::string_view(a.size).substr(x + 1), a.size);
    }
  }
  if (a.letterbox) o.resize = ResizeMode::kLetterbox;
  if (a.stretch) o.resize = ResizeMode::kStretch;
  if (!a.color.empty()) o.color = a.color == "rgb" ? ColorOrder::kRgb : ColorOrder::kBgr;
  if (a.normalize) o.normalize = true;
  if (a.no_normalize) o.normalize = false;
  if (!a.mean.empty()) o.mean = parse_triplet(a.mean, "--mean");
  if (!a.std.empty()) o.std = parse_triplet(a.std, "--std");
  if (!a.layout.empty()) o.layout = a.layout == "nchw" ? Layout::kNchw : Layout::kNhwc;
  return p;
}

Json preprocess_json(const PreprocessOptions& o) {
  return {{"width", o.width},          {"height", o.height},       {"resize", to_string(o.resize)},
          {"color", to_string(o.color)}, {"normalize", o.normalize}, {"mean", o.mean},
          {"std", o.std},              {"layout", to_string(o.layout)}};
}

bool is_npy(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".npy";
}

const char* npy_dtype_name(DType dtype) { return dtype_name(dtype).data(); }

// Feeds one input file to input `input`; returns what was done, for the report.
Json feed_input(const RunArgs& args, Model& model, const TensorInfo& input, const std::string& file) {
  Json j{{"file", file}, {"input", input.index}, {"name", input.name}, {"layout", layout_name(input.layout)},
         {"layout_source", input.layout_source}};
  std::error_code ec;
  if (!fs::exists(file, ec)) throw fail("{}: no such file", file);
  if (fs::is_directory(file, ec)) throw fail("{}: is a directory, expected a .npy file or an image", file);
  const bool quantized_input = input.dtype == ElementType::kInt8 || input.dtype == ElementType::kUint8 ||
                               input.dtype == ElementType::kInt16;
  if (is_npy(file)) {
    const NpyArray array(file);
    std::vector<std::int64_t> shape(array.shape().begin(), array.shape().end());
    const bool same = shape == input.shape;
    const bool unbatched = !input.shape.empty() && input.shape[0] == 1 &&
                           std::equal(shape.begin(), shape.end(), input.shape.begin() + 1, input.shape.end());
    if (!same && !unbatched) {
      throw fail("{}: shape {} does not fit input {} '{}' of shape {} (the same shape, or without its batch of 1)",
                 file, shape_text(shape), input.index, input.name, shape_text(input.shape));
    }
    const std::string npy_type = npy_dtype_name(array.dtype());
    j["kind"] = "npy";
    j["dtype"] = npy_type;
    if (npy_type == element_type_name(input.dtype)) {
      check(model.set_input_raw(input.index, array.bytes()));
      j["fed"] = "as is";
    } else if (array.dtype() == DType::kFloat32 && quantized_input && input.quantization.quantized()) {
      std::vector<float> values(array.bytes().size() / sizeof(float));
      std::memcpy(values.data(), array.bytes().data(), values.size() * sizeof(float));
      check(model.set_input_float(input.index, values));
      j["fed"] = "quantized";
    } else {
      throw fail("{}: dtype {} does not fit input {} '{}' of dtype {} (give {}{})", file, npy_type, input.index,
                 input.name, element_type_name(input.dtype), element_type_name(input.dtype),
                 quantized_input && input.quantization.quantized() ? ", or float32 to be quantized" : "");
    }
    return j;
  }

  // An image: decode and preprocess like `octet prepare` (and the calibration set).
  if (input.shape.size() != 4) {
    throw fail("{}: input {} '{}' has shape {}, not an image batch; give a .npy file", file, input.index, input.name,
               shape_text(input.shape));
  }
  const Preprocessing p = image_preprocessing(args, model, input);
  const PreprocessOptions& o = p.options;
  const std::vector<std::int64_t> expected =
      o.layout == Layout::kNchw ? std::vector<std::int64_t>{1, kChannels, o.height, o.width}
                                : std::vector<std::int64_t>{1, o.height, o.width, kChannels};
  if (expected != input.shape) {
    throw fail("{}: preprocessing ({} from {}) gives {} but input {} '{}' is {}", file,
               fmt::format("{}x{} {}", o.width, o.height, to_string(o.layout)), p.source, shape_text(expected),
               input.index, input.name, shape_text(input.shape));
  }
  const DecodedImage decoded = decode_image(file);
  if (!decoded.error.empty()) throw fail("{}: cannot read the image: {}", file, decoded.error);
  std::vector<float> values(o.values_per_image());
  preprocess_image(decoded.bgr, o, values.data());
  if (input.dtype == ElementType::kFloat32 || (quantized_input && input.quantization.quantized())) {
    check(model.set_input_float(input.index, values));
  } else {
    throw fail("{}: input {} '{}' is {} without quantization; images need a float32 or quantized input", file,
               input.index, input.name, element_type_name(input.dtype));
  }
  j["kind"] = "image";
  j["preprocess"] = preprocess_json(o);
  j["preprocess_source"] = p.source;
  j["fed"] = input.dtype == ElementType::kFloat32 ? "float32" : "quantized";
  return j;
}

std::string sanitise(const std::string& name) {
  std::string out = name;
  for (char& c : out) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) c = '_';
  }
  if (out.empty() || out == "." || out == "..") out = "output";
  return out;
}

const char* npy_descr(ElementType type) {
  switch (type) {
    case ElementType::kFloat32: return "<f4";
    case ElementType::kFloat16: return "<f2";
    case ElementType::kInt8: return "|i1";
    case ElementType::kUint8: return "|u1";
    case ElementType::kInt16: return "<i2";
    case ElementType::kInt32: return "<i4";
    case ElementType::kInt64: return "<i8";
    case ElementType::kBool: return "|b1";
  }
  return "<f4";
}

// np.save's bytes for a C-order array: the float32 header with the descr swapped
// (all descrs are three characters, so the padding is the same).
void write_npy(const fs::path& path, ElementType type, const std::vector<std::int64_t>& shape,
               std::span<const std::byte> data) {
  std::vector<std::uint64_t> dims(shape.begin(), shape.end());
  std::string header = npy_float32_header(dims);
  header.replace(header.find("<f4"), 3, npy_descr(type));
  AtomicFile file(path);
  file.write(header.data(), header.size());
  file.write(data.data(), data.size());
  file.commit();
}

// Outputs of a classifier: one axis with more than one element.
bool is_vector(const std::vector<std::int64_t>& shape) {
  return std::count_if(shape.begin(), shape.end(), [](std::int64_t d) { return d > 1; }) <= 1;
}

Json output_json(const TensorInfo& info, const std::vector<float>& values, std::size_t top_k) {
  Json j{{"index", info.index}, {"name", info.name}, {"dtype", element_type_name(info.dtype)}, {"shape", info.shape}};
  if (info.quantization.quantized() && !info.quantization.per_channel()) {
    j["scale"] = info.quantization.scales[0];
    j["zero_point"] = info.quantization.zero_points[0];
  }
  if (!values.empty()) {
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    double sum = 0;
    for (const float v : values) sum += static_cast<double>(v);
    j["min"] = *lo;
    j["max"] = *hi;
    j["mean"] = sum / static_cast<double>(values.size());
  }
  if (top_k > 0 && is_vector(info.shape) && values.size() > 1) {
    std::vector<std::size_t> order(values.size());
    std::iota(order.begin(), order.end(), 0);
    const std::size_t k = std::min(top_k, values.size());
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                      [&](std::size_t a, std::size_t b) { return values[a] > values[b] || (values[a] == values[b] && a < b); });
    Json top = Json::array();
    for (std::size_t i = 0; i < k; ++i) top.push_back({{"class", order[i]}, {"score", values[order[i]]}});
    j["top_k"] = std::move(top);
  }
  return j;
}

void print_run(const Json& run) {
  std::vector<std::string> files;
  for (const Json& in : run["inputs"]) {
    std::string text = fmt::format("{} -> input {} '{}' ({}", in["file"].get<std::string>(), in["input"].get<std::size_t>(),
                                   in["name"].get<std::string>(), in["fed"].get<std::string>());
    if (in.contains("preprocess")) {
      const Json& p = in["preprocess"];
      text += fmt::format("; {}x{} {} {}{} {}, from {}", p["width"].get<int>(), p["height"].get<int>(),
                          p["resize"].get<std::string>(), p["color"].get<std::string>(),
                          p["normalize"].get<bool>() ? " /255" : "", p["layout"].get<std::string>(),
                          in["preprocess_source"].get<std::string>());
    }
    files.push_back(text + ")");
  }
  fmt::print("Ran {} in {:.2f} ms: {}\n", run["model"].get<std::string>(), run["milliseconds"].get<double>(),
             fmt::join(files, ", "));
  for (const Json& out : run["outputs"]) {
    std::vector<std::string> dims;
    for (const Json& d : out["shape"]) dims.push_back(d.dump());
    std::string quant;
    if (out.contains("scale")) quant = fmt::format(" (scale {}, zero point {})", out["scale"].get<float>(), out["zero_point"].get<std::int64_t>());
    fmt::print("  output {} '{}' {} [{}]{}", out["index"].get<std::size_t>(), out["name"].get<std::string>(),
               out["dtype"].get<std::string>(), fmt::join(dims, ", "), quant);
    if (out.contains("min")) {
      fmt::print(": min {:.6g} max {:.6g} mean {:.6g}", out["min"].get<double>(), out["max"].get<double>(),
                 out["mean"].get<double>());
    }
    fmt::print("\n");
    if (out.contains("top_k")) {
      std::vector<std::string> top;
      for (const Json& t : out["top_k"]) top.push_back(fmt::format("{} ({:.6g})", t["class"].get<std::size_t>(), t["score"].get<double>()));
      fmt::print("    top-{}: {}\n", top.size(), fmt::join(top, ", "));
    }
    if (out.contains("files")) {
      fmt::print("    wrote {} and {}\n", out["files"]["raw"].get<std::string>(),
                 out["files"]["dequantized"].get<std::string>());
    }
  }
}

}  // namespace

Command add_run_command(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand(
      "run", "Run a .tflite model on .npy files or images with octet's interpreter; print and save the outputs.");
  cmd->add_option("MODEL", args->model,
                  "The .tflite file, or an ONNX model (.onnx: imported and run as octet's IR after the float pass "
                  "pipeline, the graph convert writes)")
      ->required();
  cmd->add_option("INPUT", args->inputs,
                  "One file per model input, in order (.npy as is, or an image, preprocessed); for a one-input "
                  "model, several files run one after the other")
      ->required();
  cmd->add_option("--out", args->out, "Write each output as NAME.npy (raw) and NAME.dequantized.npy (float32) here");
  cmd->add_option("--top-k", args->top_k, "Print the K best classes of each vector output");
  cmd->add_flag("--json", args->json, "Print the result as one JSON object");
  add_threads_option(cmd, args->threads, "Threads of the fast kernels");
  cmd->add_flag("--reference-kernels", args->reference_kernels,
                "Run every op with octet's reference kernels (the ground truth; slow)");
  cmd->add_option("--input-shape", args->input_shapes,
                  "ONNX models: fix an input's shape, NAME:1x3x224x224 (repeatable; as for convert)");
  cmd->add_flag("--keep-input-layout", args->keep_input_layout,
                "ONNX models: keep NCHW image inputs (default: NHWC, as convert makes them)");
  const char* group = "Image preprocessing (default: the model's calibration recipe; as octet prepare)";
  cmd->add_option("--size", args->size, "Input size WIDTHxHEIGHT (or one number)")->group(group);
  auto* letterbox = cmd->add_flag("--letterbox", args->letterbox, "Keep aspect ratio, pad with grey 114")->group(group);
  auto* stretch = cmd->add_flag("--stretch", args->stretch, "Resize ignoring aspect ratio")->group(group);
  letterbox->excludes(stretch);
  cmd->add_option("--color", args->color, "Channel order: bgr or rgb")->check(CLI::IsMember({"bgr", "rgb"}))->group(group);
  auto* normalize = cmd->add_flag("--normalize", args->normalize, "Divide pixel values by 255")->group(group);
  auto* no_normalize = cmd->add_flag("--no-normalize", args->no_normalize, "Keep pixel values 0..255")->group(group);
  normalize->excludes(no_normalize);
  cmd->add_option("--mean", args->mean, "Per-channel mean M,M,M subtracted after /255")->group(group);
  cmd->add_option("--std", args->std, "Per-channel std S,S,S the result is divided by")->group(group);
  cmd->add_option("--layout", args->layout, "nhwc or nchw (default: the input's)")
      ->check(CLI::IsMember({"nhwc", "nchw"}))
      ->group(group);

  auto run = [args]() {
    const bool onnx = is_onnx_path(args->model);
    if (!onnx && (!args->input_shapes.empty() || args->keep_input_layout)) {
      throw usage_fail("--input-shape and --keep-input-layout apply to ONNX models only; '{}' is not a .onnx file",
                       args->model);
    }
    Json ir;
    std::optional<Model> loaded;
    const RunOptions run_options{.threads = static_cast<int>(args->threads),
                                 .reference_kernels = args->reference_kernels};
    if (onnx) {
      OnnxRunModel o = load_onnx_for_run(args->model, args->input_shapes, args->keep_input_layout, run_options);
      loaded.emplace(std::move(o.model));
      ir = std::move(o.ir);
      if (!args->json) {  // as convert prints them: which inputs are NHWC, recognised patterns
        for (const Json& note : ir["notes"]) fmt::print("note: {}\n", note.get<std::string>());
      }
    } else {
      loaded.emplace(value_or_throw(Model::load(args->model, run_options)));
    }
    Model& model = *loaded;
    const std::size_t n_inputs = model.inputs().size();
    const std::size_t n_files = args->inputs.size();
    if (n_files != n_inputs && n_inputs != 1) {
      std::vector<std::string> names;
      for (const TensorInfo& t : model.inputs()) names.push_back("'" + t.name + "'");
      throw usage_fail("{}: the model has {} inputs but {} file(s) were given (one per input, in order: {})",
                       args->model, n_inputs, n_files, fmt::join(names, ", "));
    }
    const std::size_t runs = n_inputs == 1 ? n_files : 1;

    OutputGuard written;  // an error part-way through removes every output already written
    if (!args->out.empty()) written.create_directories(args->out);
    Json all = Json::array();
    std::set<std::string> used_dirs;
    for (std::size_t r = 0; r < runs; ++r) {
      Json run_json;
      run_json["model"] = args->model;
      Json inputs = Json::array();
      for (std::size_t i = 0; i < n_inputs; ++i) {
        const std::string& file = args->inputs[runs == 1 ? i : r];
        inputs.push_back(feed_input(*args, model, model.inputs()[i], file));
      }
      run_json["inputs"] = std::move(inputs);
      const auto start = std::chrono::steady_clock::now();
      check(model.invoke());
      run_json["milliseconds"] =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();

      fs::path dir = args->out;
      if (!args->out.empty() && runs > 1) {
        std::string stem = sanitise(fs::path(args->inputs[r]).stem().string());
        if (!used_dirs.insert(stem).second) stem += fmt::format("_{}", r);
        used_dirs.insert(stem);
        dir /= stem;
        written.create_directories(dir);
      }
      Json outputs = Json::array();
      std::set<std::string> used_names;
      for (const TensorInfo& info : model.outputs()) {
        const std::vector<float> values = value_or_throw(model.output_float(info.index));
        Json out = output_json(info, values, args->top_k);
        if (!args->out.empty()) {
          std::string name = sanitise(info.name);
          if (!used_names.insert(name).second) name += fmt::format("_{}", info.index);
          used_names.insert(name);
          const fs::path raw = dir / (name + ".npy");
          const fs::path deq = dir / (name + ".dequantized.npy");
          write_npy(raw, info.dtype, info.shape, value_or_throw(model.output_raw(info.index)));
          written.created_file(raw);
          write_npy(deq, ElementType::kFloat32, info.shape, std::as_bytes(std::span<const float>(values)));
          written.created_file(deq);
          out["files"] = {{"raw", raw.string()}, {"dequantized", deq.string()}};
        }
        outputs.push_back(std::move(out));
      }
      run_json["outputs"] = std::move(outputs);
      if (!args->json) print_run(run_json);
      all.push_back(std::move(run_json));
    }
    written.commit();
    if (args->json) {
      Json j;
      j["model"] = args->model;
      j["interpreter"] = "octet reference (single-threaded)";
      if (onnx) j["ir"] = std::move(ir);
      j["runs"] = std::move(all);
      fmt::print("{}\n", j.dump());
    }
    return kExitOk;
  };
  return {cmd, run};
}

}  // namespace octet::cli
