// `octet convert MODEL.onnx -o MODEL.tflite ...`

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/command.h"
#include "convert/convert.h"
#include "core/error.h"
#include "util/atomic_file.h"
#include "util/byte_size.h"

namespace octet::cli {

namespace {

struct ConvertArgs {
  std::string model;
  std::string output;
  std::string dtype = "float32";
  std::vector<std::string> input_shapes;
  bool keep_input_layout = false;
  std::string report;
  bool json = false;
};

void print_summary(const ConvertResult& result, const ConvertOptions& options) {
  for (const std::string& note : result.notes) fmt::print("note: {}\n", note);
  std::vector<std::string> ops;
  int total = 0;
  for (const auto& [name, count] : result.report["ops"].items()) {
    ops.push_back(fmt::format("{} {}", name, count.get<int>()));
    total += count.get<int>();
  }
  fmt::print("Converted {} -> {} ({}, {}, {} ops: {}) in {:.2f}s\n", options.model.string(),
             options.output.string(), to_string(options.precision), format_byte_size(result.bytes), total,
             fmt::join(ops, ", "), result.report["seconds"].get<double>());
}

}  // namespace

Command add_convert_command(CLI::App& app) {
  auto args = std::make_shared<ConvertArgs>();
  CLI::App* cmd = app.add_subcommand("convert", "Convert an ONNX model to TensorFlow Lite (float32 or float16).");
  cmd->add_option("MODEL", args->model, "The ONNX model")->required();
  cmd->add_option("-o,--output", args->output, "The .tflite file to write")->required();
  cmd->add_option("--dtype", args->dtype, "Weight precision: float32, or float16 (weights halved, run as float32)")
      ->check(CLI::IsMember({"float32", "float16"}))
      ->capture_default_str();
  cmd->add_option("--input-shape", args->input_shapes,
                  "Fix an input's shape, NAME:1x3x224x224 (repeatable; dynamic batch defaults to 1)");
  cmd->add_flag("--keep-input-layout", args->keep_input_layout,
                "Keep NCHW image inputs (default: NHWC, the TFLite convention)");
  cmd->add_option("--report", args->report, "Write the conversion report (JSON) here");
  cmd->add_flag("--json", args->json, "Print the conversion report as JSON on stdout");

  auto run = [args]() {
    ConvertOptions options;
    options.model = args->model;
    options.output = args->output;
    options.precision = args->dtype == "float16" ? Precision::kFloat16 : Precision::kFloat32;
    options.import.keep_input_layout = args->keep_input_layout;
    for (const std::string& text : args->input_shapes) options.import.input_shapes.push_back(parse_input_shape(text));
    const ConvertResult result = convert_model(options);
    if (!args->report.empty()) write_file_atomically(args->report, result.report.dump(2) + "\n");
    if (args->json) {
      fmt::print("{}\n", result.report.dump());
    } else {
      print_summary(result, options);
    }
    return kExitOk;
  };
  return {cmd, run};
}

}  // namespace octet::cli
