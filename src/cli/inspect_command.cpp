// `octet inspect MODEL.tflite [--json]`

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "api/model_support.h"
#include "api/tflite_inspect.h"
#include "cli/command.h"
#include "core/error.h"
#include "runtime/fast/folds.h"
#include "runtime/memory_plan.h"
#include "tflite/tflite_reader.h"
#include "util/byte_size.h"

namespace octet::cli {

namespace {

using Json = nlohmann::ordered_json;

std::string shape_text(const Json& shape) {
  std::vector<std::string> dims;
  for (const Json& d : shape) dims.push_back(d.dump());
  return fmt::format("[{}]", fmt::join(dims, ", "));
}

std::string quant_text(const Json& io) {
  const Json& p = io["quantization_parameters"];
  if (p.is_null()) return "none";
  const Json& scales = p["scales"];
  if (scales.size() == 1) {
    return fmt::format("scale {} zero_point {}", scales[0].get<float>(), p["zero_points"][0].get<std::int64_t>());
  }
  return fmt::format("per-channel along axis {}: {} scales ({} .. {})", p["quantized_dimension"].get<int>(),
                     scales.size(), scales[0].get<float>(), scales[scales.size() - 1].get<float>());
}

void print_io(const char* title, const Json& list) {
  fmt::print("{}:\n", title);
  for (const Json& io : list) {
    fmt::print("  {} '{}' (tensor {}): {} {}, {}, format {} ({})\n", io["index"].get<std::size_t>(),
               io["name"].get<std::string>(), io["location"].get<std::int64_t>(), io["dtype"].get<std::string>(),
               shape_text(io["shape"]), quant_text(io), io["format"].get<std::string>(),
               io["format_source"].get<std::string>());
    if (io.contains("shape_signature")) fmt::print("    shape signature {}\n", shape_text(io["shape_signature"]));
  }
}

// A field of convert's calibration record as text ("?" when absent).
std::string field_text(const Json& j, const char* field) {
  if (!j.contains(field)) return "?";
  return j[field].is_string() ? j[field].get<std::string>() : j[field].dump();
}

// `octet convert --int8`'s record (octet_conversion.calibration): the method,
// the sample counts and, per input, the array and how its images were
// preprocessed (not the list of image files).
void print_calibration_data(const Json& c) {
  fmt::print("  calibration: method {}, {} samples, {} held out (for the SQNR)\n", field_text(c, "method"),
             field_text(c, "samples"), field_text(c, "held_out"));
  for (const Json& d : c["data"]) {
    if (!d.is_object()) {
      fmt::print("  calibration data: {}\n", d.dump());
      continue;
    }
    fmt::print("  calibration data for input '{}': {} ({} samples, {})\n", field_text(d, "input"),
               field_text(d, "file"), field_text(d, "samples"), field_text(d, "layout"));
    const bool has_recipe = d.contains("recipe") && d["recipe"].is_object() && d["recipe"].contains("preprocess");
    fmt::print("    calibration recipe: {}\n",
               has_recipe ? d["recipe"]["preprocess"].dump() : std::string("none (an .npy without a recipe)"));
  }
}

// The activation memory octet's interpreter plans for the model (one arena,
// tensors sharing bytes when their lifetimes allow), or why there is none (a
// model octet's interpreter cannot read, e.g. an operator it does not run).
Json memory_plan_json(std::span<const std::uint8_t> bytes, const std::string& source) {
  try {
    const TfliteModel model = read_tflite_model(bytes, source);
    // As the fast interpreter plans it (a fold may make an op read a tensor earlier or later).
    const MemoryPlan plan =
        plan_memory(model.graph, /*share=*/true, fast::fold_extra_reads(model.graph, fast::find_folds(model.graph)));
    return {{"arena_bytes", plan.arena_bytes}, {"unshared_bytes", plan.unshared_bytes}};
  } catch (const Error& e) {
    return {{"unavailable", e.what()}};
  }
}

void print_memory_plan(const Json& plan) {
  if (plan.contains("unavailable")) {
    fmt::print("activation arena: not planned ({})\n", plan["unavailable"].get<std::string>());
    return;
  }
  fmt::print("activation arena: {} planned ({} without sharing)\n",
             format_byte_size(plan["arena_bytes"].get<std::uint64_t>()),
             format_byte_size(plan["unshared_bytes"].get<std::uint64_t>()));
}

void print_text(const Json& r) {
  fmt::print("{}: {} ({} bytes), TFLite schema {}, {} subgraph(s)\n", r["file"].get<std::string>(),
             format_byte_size(r["bytes"].get<std::uint64_t>()), r["bytes"].get<std::uint64_t>(),
             r["schema_version"].get<std::uint32_t>(), r["subgraphs"].get<std::size_t>());
  if (!r["description"].get<std::string>().empty()) fmt::print("description: {}\n", r["description"].get<std::string>());
  const bool full_integer = r["full_integer"].get<bool>();
  fmt::print("full integer: {}{}\n", full_integer ? "yes" : "no",
             full_integer ? "" : fmt::format(" ({} float tensors)", r["float_tensors"].get<std::size_t>()));
  print_io("inputs", r["inputs"]);
  print_io("outputs", r["outputs"]);
  fmt::print("tensors: {}, buffers: {}, operators: {}\n", r["tensors"].get<std::size_t>(),
             r["buffers"].get<std::size_t>(), r["operators"].get<std::size_t>());
  print_memory_plan(r["memory_plan"]);
  fmt::print("ops (name v<version>: count):\n");
  for (const Json& op : r["ops"]) {
    fmt::print("  {} v{}: {}\n", op["op"].get<std::string>(), op["version"].get<int>(), op["count"].get<std::size_t>());
  }
  for (const Json& s : r["signatures"]) fmt::print("signature: {}\n", s["key"].get<std::string>());
  for (const Json& m : r["metadata"]) {
    fmt::print("metadata '{}': {} bytes{}\n", m["name"].get<std::string>(), m["bytes"].get<std::size_t>(),
               m.contains("text") ? fmt::format(" ({})", m["text"].get<std::string>()) : "");
  }
  const Json& o = r["octet"];
  if (o.is_null()) {
    fmt::print("octet metadata: none (not written by octet)\n");
    return;
  }
  fmt::print("octet metadata:\n");
  if (o.contains("producer")) fmt::print("  producer: {}\n", o["producer"].get<std::string>());
  if (o.contains("source") && o["source"].is_object()) {
    const Json& s = o["source"];
    fmt::print("  source: {} sha256 {}\n", s.value("file", std::string("?")), s.value("sha256", std::string("?")));
  }
  if (o.contains("options")) fmt::print("  options: {}\n", o["options"].dump());
  if (o.contains("calibration")) {
    const Json& c = o["calibration"];
    const Json* pre = c.contains("preprocess")                                           ? &c["preprocess"]
                      : c.contains("recipe") && c["recipe"].contains("preprocess") ? &c["recipe"]["preprocess"]
                                                                                         : nullptr;
    if (pre != nullptr || !c.contains("data") || !c["data"].is_array()) {
      fmt::print("  calibration recipe: {}\n", pre != nullptr ? pre->dump() : c.dump());
    } else {
      print_calibration_data(c);
    }
  } else {
    fmt::print("  calibration recipe: none\n");
  }
  if (o.contains("notes")) {
    for (const Json& note : o["notes"]) fmt::print("  note: {}\n", note.is_string() ? note.get<std::string>() : note.dump());
  }
}

}  // namespace

Command add_inspect_command(CLI::App& app) {
  struct Args {
    std::string model;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "inspect", "Describe a .tflite model: inputs/outputs with quantization and layout, ops, octet's metadata.");
  cmd->add_option("MODEL", args->model, "The .tflite file (any TFLite model, not only octet's)")->required();
  cmd->add_flag("--json", args->json, "Print the description as one JSON object");
  auto run = [args]() {
    const std::vector<std::uint8_t> bytes = read_model_file(args->model);
    Json report = inspect_tflite(bytes, args->model);
    report["memory_plan"] = memory_plan_json(bytes, args->model);
    if (args->json) {
      fmt::print("{}\n", report.dump());
    } else {
      print_text(report);
    }
    return kExitOk;
  };
  return {cmd, run};
}

}  // namespace octet::cli
