#include "convert/convert.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "core/error.h"
#include "core/version.h"
#include "passes/pipeline.h"
#include "passes/store_weights_fp16.h"
#include "tflite/tflite_reader.h"
#include "tflite/tflite_writer.h"
#include "util/atomic_file.h"
#include "util/cancel.h"
#include "util/sha256.h"
#include "util/stopwatch.h"

namespace octet {

namespace {

using Json = nlohmann::ordered_json;

// Name of the metadata entry octet writes into every .tflite it produces.
constexpr const char* kMetadataName = "octet_conversion";

Json tensor_json(const Graph& graph, TensorId id) {
  const Tensor& t = graph.tensor(id);
  return Json{{"name", t.name}, {"shape", t.shape}, {"dtype", dtype_name(t.dtype)}};
}

Json io_json(const Graph& graph, const std::vector<TensorId>& ids) {
  Json list = Json::array();
  for (const TensorId id : ids) list.push_back(tensor_json(graph, id));
  return list;
}

Json op_counts(const Graph& graph) {
  std::map<std::string, int> counts;
  for (const Op& op : graph.ops()) ++counts[std::string(op_name(op.type))];
  Json json = Json::object();
  for (const auto& [name, count] : counts) json[name] = count;
  return json;
}

}  // namespace

std::string_view to_string(Precision precision) {
  switch (precision) {
    case Precision::kFloat32: return "float32";
    case Precision::kFloat16: return "float16";
    case Precision::kInt8: return "int8";
  }
  return "float32";
}

namespace {

bool is_tflite_path(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".tflite";
}

// A float .tflite as the source model: its graph, checked to be float.
ImportResult import_tflite(const std::filesystem::path& path) {
  TfliteModel model = read_tflite_model(path);
  for (std::size_t i = 0; i < model.graph.tensor_count(); ++i) {
    const Tensor& t = model.graph.tensor(static_cast<TensorId>(i));
    if (t.quant && (t.dtype == DType::kInt8 || t.dtype == DType::kUint8 || t.dtype == DType::kInt16)) {
      throw fail("{}: tensor '{}' is already quantized ({}); octet converts float (FP32/FP16) TFLite models",
                 path.string(), t.name, dtype_name(t.dtype));
    }
  }
  ImportResult result;
  result.graph = std::move(model.graph);
  result.producer = model.description;
  return result;
}

}  // namespace

ConvertResult convert_model(const ConvertOptions& options) {
  const Stopwatch total;
  Stopwatch clock;
  Json timing;
    const auto enter_stage = [&options](std::string_view name) {
    if (options.cancel != nullptr) options.cancel->check();
    if (options.progress) options.progress(name, 0, 0);
  };
  enter_stage("importing");
  const bool from_tflite = is_tflite_path(options.model);
  ImportResult imported = from_tflite ? import_tflite(options.model) : import_onnx(options.model, options.import);
  timing["import_seconds"] = clock.lap();
  Graph& graph = imported.graph;
  std::vector<std::string> notes = imported.notes;
  if (from_tflite && (!options.import.input_shapes.empty() || options.import.keep_input_layout)) {
    throw usage_fail("--input-shape and --keep-input-layout apply to ONNX models only; '{}' is a TFLite model",
                     options.model.string());
  }
  Int8Options int8_options = options.int8;
  if (options.cancel != nullptr) int8_options.cancel = options.cancel;
  // Rank-4 inputs of an ONNX model are NHWC unless kept; a TFLite model's are what it says.
  int8_options.limits.nhwc_inputs = !from_tflite && !options.import.keep_input_layout;
  if (options.precision == Precision::kInt8) {
    // Validate the calibration data before any heavy work.
    quant::open_calibration_data(graph, int8_options.calibration, int8_options.limits);
  }
  enter_stage("optimizing");
  const std::vector<PassRecord> passes = run_float_pipeline(graph);
  if (options.precision == Precision::kFloat16) {
    store_weights_fp16(graph);
    verify_graph(graph);
  }
  timing["passes_seconds"] = clock.lap();
  std::optional<Int8Conversion> int8;
  if (options.precision == Precision::kInt8) {
    if (options.progress && !int8_options.on_progress) int8_options.on_progress = options.progress;
    int8 = convert_to_int8(graph, int8_options);
    graph = std::move(int8->graph);
    notes.insert(notes.end(), int8->notes.begin(), int8->notes.end());
    timing.update(int8->timing);
    clock.lap();
  }

  Json conversion;
  conversion["producer"] = kProducer;
  conversion["source"] = {{"file", options.model.filename().string()},
                          {"format", from_tflite ? "tflite" : "onnx"},
                          {"sha256", sha256_file(options.model)},
                          {"opset", imported.opset},
                          {"producer", imported.producer}};
  Json input_shapes = Json::object();
  for (const auto& [name, shape] : options.import.input_shapes) input_shapes[name] = shape;
  conversion["options"] = {{"dtype", to_string(options.precision)},
                           {"input_shapes", input_shapes},
                           {"keep_input_layout", options.import.keep_input_layout}};
  if (int8) {
    const Int8Options& o = options.int8;
    conversion["options"]["int8"] = {{"calib_method", quant::calibration_method_name(o.method)},
                                     {"calib_samples", o.max_samples},
                                     {"input_type", dtype_name(o.quantize.input_type)},
                                     {"output_type", dtype_name(o.quantize.output_type)},
                                     {"per_tensor", o.quantize.per_tensor},
                                     {"per_channel_fc", o.quantize.per_channel_fc},
                                     {"allow_float_fallback", o.quantize.allow_float_fallback}};
    conversion["calibration"] = int8->report["calibration"];
  }
  conversion["inputs"] = io_json(graph, graph.inputs());
  conversion["outputs"] = io_json(graph, graph.outputs());
  conversion["notes"] = notes;

  enter_stage("writing");
  TfliteWriteOptions write;
  write.description = kProducer;
  const std::string metadata = conversion.dump();
  write.metadata.emplace_back(kMetadataName, std::vector<std::uint8_t>(metadata.begin(), metadata.end()));
  const flatbuffers::DetachedBuffer bytes = serialize_tflite(graph, write);
  write_file_atomically(options.output, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  timing["write_seconds"] = clock.lap();

  ConvertResult result;
  result.notes = notes;
  result.bytes = bytes.size();
  result.report = conversion;
  result.report["output"] = {{"file", options.output.string()}, {"bytes", bytes.size()}};
  result.report["ops"] = op_counts(graph);
  Json pass_list = Json::array();
  for (const PassRecord& p : passes) {
    pass_list.push_back({{"pass", p.name}, {"ops_before", p.ops_before}, {"ops_after", p.ops_after}});
  }
  result.report["passes"] = pass_list;
  if (int8) {
    result.report["accuracy"] = int8->report["accuracy"];
    result.report["tensors"] = int8->report["tensors"];
    result.report["op_dtypes"] = int8->report["op_dtypes"];
  }
  result.report["seconds"] = total.seconds();
  result.report["timing"] = timing;
  return result;
}

}  // namespace octet
