// `octet convert MODEL.onnx -o MODEL.tflite ...`

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/command.h"
#include "cli/threads_option.h"
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
  // --int8
  bool int8 = false;
  std::vector<std::string> calib;
  std::string calib_method{quant::calibration_method_name(quant::kDefaultCalibrationMethod)};
  std::size_t calib_samples = 0;
  std::string max_calib_size = "500MB";
  std::string input_type = "int8";
  std::string output_type = "int8";
  bool per_tensor = false;
  bool per_channel_fc = false;
  bool allow_float_fallback = false;
  bool no_progress = false;
  unsigned threads = 1;
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
  if (!result.report.contains("accuracy")) return;
  const auto& accuracy = result.report["accuracy"];
  for (const auto& output : accuracy["outputs"]) {
    const auto& median = output["sqnr_db_median"];
    fmt::print("INT8 vs FP32 on {} {} sample(s), output '{}': SQNR {} dB (median)\n", accuracy["samples"].get<int>(),
               accuracy["held_out"].get<bool>() ? "held-out" : "calibration", output["output"].get<std::string>(),
               median.is_null() ? std::string("inf") : fmt::format("{:.1f}", median.get<double>()));
  }
}

}  // namespace

Command add_convert_command(CLI::App& app) {
  auto args = std::make_shared<ConvertArgs>();
  CLI::App* cmd = app.add_subcommand(
      "convert", "Convert an ONNX (or float TFLite) model to TensorFlow Lite: float32, float16, or full-integer int8.");
  cmd->add_option("MODEL", args->model, "The ONNX model, or a float .tflite (for --int8)")->required();
  cmd->add_option("-o,--output", args->output, "The .tflite file to write")->required();
  cmd->add_option("--dtype", args->dtype, "Weight precision: float32, or float16 (weights halved, run as float32)")
      ->check(CLI::IsMember({"float32", "float16"}))
      ->capture_default_str();
  cmd->add_option("--input-shape", args->input_shapes,
                  "Fix an input's shape, NAME:1x3x224x224 (repeatable; dynamic batch defaults to 1)");
  cmd->add_flag("--keep-input-layout", args->keep_input_layout,
                "Keep NCHW image inputs (default: NHWC, the TFLite convention)");
  cmd->add_option("--report", args->report, "Write the conversion report (JSON) here");
  cmd->add_flag("--int8", args->int8, "Full-integer int8 quantization calibrated on --calib (see docs/int8.md)");
  cmd->add_option("--calib", args->calib,
                  "Calibration samples, [NAME=]FILE.npy (float32, NHWC or NCHW, as `octet prepare` writes; one per "
                  "model input)");
  cmd->add_option("--calib-method", args->calib_method, "Activation range observer (docs/calibration.md)")
      ->check(CLI::IsMember({"minmax", "ema", "percentile", "entropy", "mse", "auto"}))
      ->capture_default_str();
  cmd->add_option("--calib-samples", args->calib_samples,
                  "Calibrate on at most N samples (default: all but the held-out tenth used to measure accuracy)");
  cmd->add_option("--max-calib-size", args->max_calib_size, "Largest calibration .npy accepted")->capture_default_str();
  cmd->add_option("--input-type", args->input_type, "Model input type with --int8")
      ->check(CLI::IsMember({"int8", "uint8", "float32"}))
      ->capture_default_str();
  cmd->add_option("--output-type", args->output_type, "Model output type with --int8")
      ->check(CLI::IsMember({"int8", "uint8", "float32"}))
      ->capture_default_str();
  cmd->add_flag("--per-tensor", args->per_tensor, "Per-tensor weight scales everywhere (default: per channel)");
  cmd->add_flag("--per-channel-fc", args->per_channel_fc,
                "Per-channel FULLY_CONNECTED weights (default per tensor: what TFLite-Micro and NNAPI accept)");
  cmd->add_flag("--allow-float-fallback", args->allow_float_fallback,
                "Keep ops without an int8 form in float (between DEQUANTIZE/QUANTIZE) instead of failing");
  add_threads_option(cmd, args->threads,
                     "Threads of octet's interpreter for --int8 calibration and accuracy measurement");
  cmd->add_flag("--no-progress", args->no_progress, "No progress bar");
  cmd->add_flag("--json", args->json, "Print the conversion report as JSON on stdout");

  auto run = [args]() {
    ConvertOptions options;
    options.model = args->model;
    options.output = args->output;
    options.precision = args->dtype == "float16" ? Precision::kFloat16 : Precision::kFloat32;
    options.import.keep_input_layout = args->keep_input_layout;
    for (const std::string& text : args->input_shapes) options.import.input_shapes.push_back(parse_input_shape(text));
    const bool int8_only = !args->calib.empty() || args->per_tensor || args->per_channel_fc ||
                           args->allow_float_fallback || args->calib_samples > 0;
    if (args->int8) {
      if (args->dtype != "float32") throw usage_fail("--int8 and --dtype {} exclude each other", args->dtype);
      if (args->calib.empty()) throw usage_fail("--int8 needs calibration data: --calib FILE.npy (see octet prepare)");
      options.precision = Precision::kInt8;
      Int8Options& int8 = options.int8;
      for (const std::string& text : args->calib) int8.calibration.push_back(quant::parse_calibration_spec(text));
      int8.limits.limit_bytes = parse_byte_size(args->max_calib_size);
      int8.method = quant::parse_calibration_method(args->calib_method);
      int8.max_samples = args->calib_samples;
      int8.quantize.input_type = quant::parse_interface_type(args->input_type, "--input-type");
      int8.quantize.output_type = quant::parse_interface_type(args->output_type, "--output-type");
      int8.quantize.per_tensor = args->per_tensor;
      int8.quantize.per_channel_fc = args->per_channel_fc;
      int8.quantize.allow_float_fallback = args->allow_float_fallback;
      int8.progress = !args->no_progress && !args->json;
      int8.threads = static_cast<int>(args->threads);
    } else if (int8_only) {
      throw usage_fail("--calib, --calib-samples, --per-tensor, --per-channel-fc and --allow-float-fallback need --int8");
    }
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
