// `octet bench MODEL.tflite [--threads N] [--reference-kernels] [--runs N] [--warmup N] [--profile] [--json]`

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/threads_option.h"
#include "core/error.h"
#include "core/version.h"
#include "octet/model.h"
#include "util/byte_size.h"
#include "util/cancel.h"

namespace octet::cli {

namespace {

using Json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

// What runs the ops (docs/runtime.md): octet's own convolutions where the CPU has the extensions, XNNPACK's
// kernels for most other ops, the reference kernels for the rest.
constexpr const char* kFastKernelsLabel = "fast kernels (octet's AVX-512/VNNI kernels where the CPU has them, XNNPACK)";

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

void check(const Status& status) {
  if (!status.ok()) throw Error(status.message());
}

// Deterministic inputs: floats uniform in [0, 1) (quantized for int8/uint8
// inputs), random bytes for other types.
void fill_inputs(Model& model) {
  std::uint64_t state = 0x9E3779B97F4A7C15ULL;
  auto next = [&state]() {
    state ^= state << 13U;
    state ^= state >> 7U;
    state ^= state << 17U;
    return state;
  };
  for (const TensorInfo& input : model.inputs()) {
    const bool float_like = input.dtype == ElementType::kFloat32 ||
                            ((input.dtype == ElementType::kInt8 || input.dtype == ElementType::kUint8) &&
                             input.quantization.quantized());
    if (float_like) {
      std::vector<float> values(input.element_count());
      for (float& v : values) v = static_cast<float>(next() >> 40U) / static_cast<float>(1U << 24U);
      check(model.set_input_float(input.index, values));
    } else {
      std::vector<std::byte> bytes(input.byte_size());
      for (std::byte& b : bytes) b = static_cast<std::byte>(next() >> 56U);
      if (input.dtype == ElementType::kBool) {
        for (std::byte& b : bytes) b &= std::byte{1};
      }
      check(model.set_input_raw(input.index, bytes));
    }
  }
}

// Nearest-rank percentile of sorted values.
double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0.0;
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

std::uint64_t peak_rss_bytes() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024U;  // Linux: kilobytes
}

}  // namespace

Command add_bench_command(CLI::App& app) {
  struct Args {
    std::string model;
    unsigned threads = 1;
    bool reference_kernels = false;
    unsigned runs = 10;
    unsigned warmup = 1;
    bool profile = false;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "bench", "Time a .tflite model in octet's interpreter: load, first run, latency, peak memory, per-op time.");
  cmd->add_option("MODEL", args->model, "The .tflite file")->required();
  add_threads_option(cmd, args->threads, "Threads of the fast kernels");
  cmd->add_flag("--reference-kernels", args->reference_kernels,
                "Run every op with octet's reference kernels (the ground truth; slow), for comparison");
  cmd->add_option("--runs", args->runs, "Timed runs")->check(CLI::Range(1U, 1000000U))->capture_default_str();
  cmd->add_option("--warmup", args->warmup, "Untimed runs before them (after the first run)")
      ->check(CLI::Range(0U, 1000000U))
      ->capture_default_str();
  cmd->add_flag("--profile", args->profile, "Also time every operator (mean over the timed runs)");
  cmd->add_flag("--json", args->json, "Print the result as one JSON object");

  auto run = [args]() {
    const CancelToken& cancel = process_cancel_token();
    const Clock::time_point load_start = Clock::now();
    const RunOptions run_options{.threads = static_cast<int>(args->threads),
                                 .reference_kernels = args->reference_kernels};
    Result<Model> loaded = Model::load(args->model, run_options);
    const double load_ms = ms_since(load_start);
    if (!loaded.ok()) throw Error(loaded.status().message());
    Model& model = loaded.value();
    fill_inputs(model);

    Clock::time_point start = Clock::now();
    check(model.invoke());
    const double first_ms = ms_since(start);
    for (unsigned i = 0; i < args->warmup; ++i) {
      cancel.check();
      check(model.invoke());
    }
    model.set_profiling(args->profile);
    std::vector<double> times;
    std::vector<double> op_ms(model.op_count(), 0.0);
    std::vector<OpTiming> ops;
    for (unsigned i = 0; i < args->runs; ++i) {
      cancel.check();
      start = Clock::now();
      check(model.invoke());
      times.push_back(ms_since(start));
      if (args->profile) {
        ops = model.op_timings();
        for (const OpTiming& t : ops) op_ms[t.op] += std::chrono::duration<double, std::milli>(t.time).count();
      }
    }
    std::vector<double> sorted = times;
    std::sort(sorted.begin(), sorted.end());
    double sum = 0;
    for (const double t : times) sum += t;

    Json j;
    j["model"] = args->model;
    j["bytes"] = std::filesystem::file_size(args->model);
    j["octet"] = kVersion;
    const RuntimeInfo runtime = model.runtime_info();
    j["interpreter"] = runtime.reference_kernels ? std::string("octet reference kernels")
                                                 : fmt::format("octet {}", kFastKernelsLabel);
    j["threads_requested"] = args->threads;
    j["threads"] = runtime.threads;
    j["ops"] = model.op_count();
    j["kernels"] = {{"fast", runtime.fast_ops},
                    {"cpu_specific", runtime.cpu_specific_ops},
                    {"reference", runtime.reference_ops},
                    {"folded", runtime.folded_ops}};
    j["arena_bytes"] = runtime.arena_bytes;
    j["unshared_activation_bytes"] = runtime.unshared_bytes;
    j["load_ms"] = load_ms;
    j["first_run_ms"] = first_ms;
    j["warmup"] = args->warmup;
    j["runs"] = args->runs;
    j["latency_ms"] = {{"min", sorted.front()},
                       {"median", percentile(sorted, 50)},
                       {"p90", percentile(sorted, 90)},
                       {"mean", sum / static_cast<double>(times.size())},
                       {"max", sorted.back()}};
    j["peak_rss_bytes"] = peak_rss_bytes();
    if (args->profile) {
      const double runs = static_cast<double>(args->runs);
      Json per_op = Json::array();
      std::map<std::string, std::pair<std::size_t, double>> by_type;
      double total = 0;
      for (const OpTiming& t : ops) {
        const double mean = op_ms[t.op] / runs;
        total += mean;
        per_op.push_back({{"op", t.op}, {"type", t.type}, {"output", t.output}, {"ms", mean}});
        auto& [count, type_ms] = by_type[t.type];
        ++count;
        type_ms += mean;
      }
      Json types = Json::array();
      std::vector<std::pair<std::string, std::pair<std::size_t, double>>> sorted_types(by_type.begin(), by_type.end());
      std::sort(sorted_types.begin(), sorted_types.end(),
                [](const auto& a, const auto& b) { return a.second.second > b.second.second; });
      for (const auto& [type, v] : sorted_types) {
        types.push_back({{"type", type}, {"count", v.first}, {"ms", v.second},
                         {"share", total > 0 ? v.second / total : 0.0}});
      }
      j["profile"] = {{"op_types", types}, {"per_op", per_op}};
    }

    if (args->json) {
      fmt::print("{}\n", j.dump());
      return kExitOk;
    }
    const Json& l = j["latency_ms"];
    fmt::print("{}: {} ops, {}\n", args->model, model.op_count(), format_byte_size(j["bytes"].get<std::uint64_t>()));
    fmt::print("interpreter: octet {}, {}, {} thread{}\n", kVersion,
               runtime.reference_kernels ? "reference kernels only" : kFastKernelsLabel,
               runtime.threads, runtime.threads == 1 ? "" : "s");
    fmt::print("kernels:   {} fast", runtime.fast_ops);
    if (runtime.cpu_specific_ops > 0) fmt::print(" ({} on octet's AVX-512/VNNI kernels)", runtime.cpu_specific_ops);
    fmt::print(", {} reference", runtime.reference_ops);
    if (runtime.folded_ops > 0) {
      fmt::print(", {} folded into a neighbour's kernel (PAD into convolutions and max pooling, "
                 "LOGISTIC into x * sigmoid(x) MULs, residual ADD into the convolution it adds)",
                 runtime.folded_ops);
    }
    fmt::print("\n");
    fmt::print("arena:     {} planned for activations ({} without sharing)\n", format_byte_size(runtime.arena_bytes),
               format_byte_size(runtime.unshared_bytes));
    fmt::print("load:      {:10.3f} ms\n", load_ms);
    fmt::print("first run: {:10.3f} ms\n", first_ms);
    fmt::print("latency over {} runs after {} warm-up: min {:.3f} ms, median {:.3f} ms, p90 {:.3f} ms, mean {:.3f} ms\n",
               args->runs, args->warmup, l["min"].get<double>(), l["median"].get<double>(), l["p90"].get<double>(),
               l["mean"].get<double>());
    fmt::print("peak RSS:  {}\n", format_byte_size(j["peak_rss_bytes"].get<std::uint64_t>()));
    if (args->profile) {
      fmt::print("time per op type (mean per run):\n");
      for (const Json& t : j["profile"]["op_types"]) {
        fmt::print("  {:<24} x{:<4} {:10.3f} ms {:5.1f}%\n", t["type"].get<std::string>(), t["count"].get<std::size_t>(),
                   t["ms"].get<double>(), 100.0 * t["share"].get<double>());
      }
      std::vector<Json> slowest(j["profile"]["per_op"].begin(), j["profile"]["per_op"].end());
      std::sort(slowest.begin(), slowest.end(),
                [](const Json& a, const Json& b) { return a["ms"].get<double>() > b["ms"].get<double>(); });
      fmt::print("slowest ops:\n");
      for (std::size_t i = 0; i < std::min<std::size_t>(10, slowest.size()); ++i) {
        fmt::print("  #{:<4} {:<20} {:10.3f} ms  {}\n", slowest[i]["op"].get<std::size_t>(),
                   slowest[i]["type"].get<std::string>(), slowest[i]["ms"].get<double>(),
                   slowest[i]["output"].get<std::string>());
      }
    }
    return kExitOk;
  };
  return {cmd, run};
}

}  // namespace octet::cli
