#include "cli/run_onnx.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "api/model_from_graph.h"
#include "api/model_support.h"
#include "core/error.h"
#include "onnx/onnx_importer.h"
#include "passes/pipeline.h"

namespace octet::cli {

namespace {

using Json = nlohmann::ordered_json;

// What the "graph" field of the report says was run.
constexpr const char* kGraphDescription =
    "octet's IR of the ONNX model after the float pass pipeline (the graph `octet convert` writes as float32)";

Json io_json(const Graph& graph, const std::vector<TensorId>& ids) {
  Json list = Json::array();
  for (const TensorId id : ids) {
    const Tensor& t = graph.tensor(id);
    list.push_back({{"name", t.name}, {"shape", t.shape}, {"dtype", dtype_name(t.dtype)}});
  }
  return list;
}

}  // namespace

bool is_onnx_path(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".onnx";
}

OnnxRunModel load_onnx_for_run(const std::string& path, const std::vector<std::string>& input_shapes,
                               bool keep_input_layout, const RunOptions& run_options) {
  ImportOptions options;
  for (const std::string& text : input_shapes) options.input_shapes.push_back(parse_input_shape(text));
  options.keep_input_layout = keep_input_layout;
  ImportResult imported = import_onnx(path, options);
  const std::vector<PassRecord> passes = run_float_pipeline(imported.graph);

  // The metadata convert would write, as far as the I/O layout rule reads it.
  Json conversion;
  conversion["inputs"] = io_json(imported.graph, imported.graph.inputs());
  conversion["outputs"] = io_json(imported.graph, imported.graph.outputs());
  conversion["notes"] = imported.notes;

  Json ir;
  ir["format"] = "onnx";
  ir["opset"] = imported.opset;
  ir["producer"] = imported.producer;
  ir["graph"] = kGraphDescription;
  ir["keep_input_layout"] = keep_input_layout;
  Json pass_list = Json::array();
  for (const PassRecord& p : passes) {
    pass_list.push_back({{"pass", p.name}, {"ops_before", p.ops_before}, {"ops_after", p.ops_after}});
  }
  ir["passes"] = std::move(pass_list);
  ir["ops"] = imported.graph.ops().size();
  ir["notes"] = imported.notes;

  Result<Model> model = ModelFactory::from_graph(std::move(imported.graph), path, conversion.dump(), run_options);
  if (!model.ok()) throw Error(model.status().message());
  return {std::move(model).value(), std::move(ir)};
}

}  // namespace octet::cli
