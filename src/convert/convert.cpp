#include "convert/convert.h"

#include <chrono>
#include <map>

#include "core/error.h"
#include "core/version.h"
#include "passes/pipeline.h"
#include "passes/store_weights_fp16.h"
#include "tflite/tflite_writer.h"
#include "util/atomic_file.h"
#include "util/sha256.h"

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
  return precision == Precision::kFloat32 ? "float32" : "float16";
}

ConvertResult convert_model(const ConvertOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  ImportResult imported = import_onnx(options.model, options.import);
  Graph& graph = imported.graph;
  const std::vector<PassRecord> passes = run_float_pipeline(graph);
  if (options.precision == Precision::kFloat16) {
    store_weights_fp16(graph);
    verify_graph(graph);
  }

  Json conversion;
  conversion["producer"] = kProducer;
  conversion["source"] = {{"file", options.model.filename().string()},
                          {"sha256", sha256_file(options.model)},
                          {"opset", imported.opset},
                          {"producer", imported.producer}};
  Json input_shapes = Json::object();
  for (const auto& [name, shape] : options.import.input_shapes) input_shapes[name] = shape;
  conversion["options"] = {{"dtype", to_string(options.precision)},
                           {"input_shapes", input_shapes},
                           {"keep_input_layout", options.import.keep_input_layout}};
  conversion["inputs"] = io_json(graph, graph.inputs());
  conversion["outputs"] = io_json(graph, graph.outputs());
  conversion["notes"] = imported.notes;

  TfliteWriteOptions write;
  write.description = kProducer;
  const std::string metadata = conversion.dump();
  write.metadata.emplace_back(kMetadataName, std::vector<std::uint8_t>(metadata.begin(), metadata.end()));
  const std::vector<std::uint8_t> bytes = write_tflite(graph, write);
  write_file_atomically(options.output, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));

  ConvertResult result;
  result.notes = imported.notes;
  result.bytes = bytes.size();
  result.report = conversion;
  result.report["output"] = {{"file", options.output.string()}, {"bytes", bytes.size()}};
  result.report["ops"] = op_counts(graph);
  Json pass_list = Json::array();
  for (const PassRecord& p : passes) {
    pass_list.push_back({{"pass", p.name}, {"ops_before", p.ops_before}, {"ops_after", p.ops_after}});
  }
  result.report["passes"] = pass_list;
  result.report["seconds"] =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace octet
