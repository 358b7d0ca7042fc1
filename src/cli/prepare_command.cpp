// `octet prepare IMAGE_DIR -o OUT_DIR --size WxH ...`

#include <charconv>
#include <cmath>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "core/error.h"
#include "dataset/prepare.h"
#include "util/byte_size.h"
#include "util/progress.h"

namespace octet::cli {

namespace {

// Errors listed on the terminal; the rest are in error_files.txt.
constexpr std::size_t kErrorsShown = 10;

struct PrepareArgs {
  std::string image_dir;
  std::string out_dir;
  std::string size;
  bool letterbox = false;
  bool stretch = false;
  std::string color = "bgr";
  bool normalize_flag = false;
  bool no_normalize = false;
  std::string mean;
  std::string std;
  std::string layout = "nhwc";
  std::uint64_t limit = 0;
  std::uint64_t seed = 0;
  bool no_shuffle = false;
  std::string max_bytes = "500MB";
  unsigned threads = 0;
  bool json = false;
};

int parse_positive(std::string_view text, std::string_view what) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value <= 0 || value > kMaxSide) {
    throw usage_fail("--size '{}': {} must be a whole number from 1 to {}", what, text, kMaxSide);
  }
  return value;
}

// "WxH" (width x height) or "N" for N x N.
void parse_size(const std::string& text, PreprocessOptions& options) {
  const auto x = text.find_first_of("xX");
  if (x == std::string::npos) {
    options.width = options.height = parse_positive(text, text);
    return;
  }
  options.width = parse_positive(std::string_view(text).substr(0, x), text);
  options.height = parse_positive(std::string_view(text).substr(x + 1), text);
}

std::array<float, kChannels> parse_triplet(const std::string& text, const char* flag) {
  std::array<float, kChannels> values{};
  std::vector<float> parsed;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    float value = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (item.empty() || ec != std::errc{} || end != item.data() + item.size() || !std::isfinite(value)) {
      throw usage_fail("{} '{}': expected three numbers like 0.485,0.456,0.406 (or one for all channels)",
                       flag, text);
    }
    parsed.push_back(value);
    start = comma + 1;
  }
  if (parsed.size() == 1) parsed.assign(kChannels, parsed.front());
  if (parsed.size() != kChannels) {
    throw usage_fail("{} '{}': expected three numbers, one per channel, or one for all", flag, text);
  }
  std::copy(parsed.begin(), parsed.end(), values.begin());
  return values;
}

PrepareOptions to_options(const PrepareArgs& args, const CLI::App& command) {
  PrepareOptions options;
  options.image_dir = args.image_dir;
  options.out_dir = args.out_dir;
  PreprocessOptions& p = options.preprocess;
  parse_size(args.size, p);
  p.resize = args.stretch ? ResizeMode::kStretch : ResizeMode::kLetterbox;
  p.color = args.color == "rgb" ? ColorOrder::kRgb : ColorOrder::kBgr;
  p.normalize = !args.no_normalize;
  if (!args.mean.empty()) p.mean = parse_triplet(args.mean, "--mean");
  if (!args.std.empty()) p.std = parse_triplet(args.std, "--std");
  p.layout = args.layout == "nchw" ? Layout::kNchw : Layout::kNhwc;
  if (command.count("--limit") > 0) options.limit = args.limit;
  options.seed = args.no_shuffle ? std::nullopt : std::optional<std::uint64_t>(args.seed);
  options.max_bytes = parse_byte_size(args.max_bytes);
  options.threads = args.threads;
  return options;
}

void print_json(const PrepareResult& result) {
  nlohmann::ordered_json json;
  json["output"] = result.array_file.string();
  json["recipe"] = result.recipe_file.string();
  json["errors_file"] = result.errors_file.string();
  json["shape"] = result.shape;
  json["saved"] = result.saved;
  json["failed"] = result.errors.size();
  json["candidates"] = result.candidates;
  json["bytes"] = result.bytes;
  json["seconds"] = result.seconds;
  fmt::print("{}\n", json.dump());
}

void print_summary(const PrepareResult& result, const PrepareOptions& options) {
  fmt::print("Saved {} images to {} (shape {}, float32, {}) in {:.2f}s\n", result.saved,
             result.array_file.string(), fmt::join(result.shape, "x"), format_byte_size(result.bytes),
             result.seconds);
  fmt::print("Recipe: {}\n", result.recipe_file.string());
  if (result.errors.empty()) {
    fmt::print("All images were read; {} is empty.\n", result.errors_file.string());
    return;
  }
  fmt::print("{} file(s) could not be read; see {}:\n", result.errors.size(), result.errors_file.string());
  for (std::size_t i = 0; i < std::min(kErrorsShown, result.errors.size()); ++i) {
    fmt::print("  {}: {}\n", (options.image_dir / result.errors[i].file).string(), result.errors[i].reason);
  }
  if (result.errors.size() > kErrorsShown) fmt::print("  ... and {} more\n", result.errors.size() - kErrorsShown);
}

}  // namespace

Command add_prepare_command(CLI::App& app) {
  auto args = std::make_shared<PrepareArgs>();
  CLI::App* cmd = app.add_subcommand(
      "prepare",
      "Turn a folder of images into a calibration .npy (the LaunchX dataset script, exactly), "
      "with its recipe JSON and error_files.txt.");
  cmd->add_option("IMAGE_DIR", args->image_dir, "Folder searched recursively for images")->required();
  cmd->add_option("-o,--output", args->out_dir, "Output folder (created if missing)")->required();
  cmd->add_option("--size", args->size, "Model input size WIDTHxHEIGHT, e.g. 224x224 (or one number)")
      ->required();
  auto* letterbox = cmd->add_flag("--letterbox", args->letterbox,
                                  "Keep aspect ratio and pad with grey 114 (default)");
  auto* stretch = cmd->add_flag("--stretch", args->stretch, "Resize to the size, ignoring aspect ratio");
  letterbox->excludes(stretch);
  cmd->add_option("--color", args->color, "Channel order of the array")
      ->check(CLI::IsMember({"bgr", "rgb"}))
      ->capture_default_str();
  auto* normalize = cmd->add_flag("--normalize", args->normalize_flag, "Divide pixel values by 255 (default)");
  auto* no_normalize = cmd->add_flag("--no-normalize", args->no_normalize, "Keep pixel values 0..255");
  normalize->excludes(no_normalize);
  cmd->add_option("--mean", args->mean, "Per-channel mean M,M,M subtracted after /255 (output channel order)");
  cmd->add_option("--std", args->std, "Per-channel std S,S,S the result is divided by");
  cmd->add_option("--layout", args->layout, "Array layout: nhwc (TFLite) or nchw")
      ->check(CLI::IsMember({"nhwc", "nchw"}))
      ->capture_default_str();
  cmd->add_option("--limit", args->limit, "Save at most N images (unreadable ones are replaced)");
  auto* seed = cmd->add_option("--seed", args->seed, "Seed of the shuffle of the image order")
                   ->capture_default_str();
  auto* no_shuffle = cmd->add_flag("--no-shuffle", args->no_shuffle, "Keep the sorted path order");
  seed->excludes(no_shuffle);
  cmd->add_option("--max-bytes", args->max_bytes,
                  "Refuse an array larger than this (LaunchX's limit; e.g. 500MB, 1GiB)")
      ->capture_default_str();
  cmd->add_option("--threads", args->threads, "Decoding threads (default: one per core)");
  cmd->add_flag("--json", args->json, "Print the result as one JSON object; no progress bar");

  auto run = [args, cmd]() {
    const PrepareOptions options = to_options(*args, *cmd);
    ProgressBar bar("prepare", 0, !args->json);
    PrepareProgress progress = [&bar](std::uint64_t done, std::uint64_t total) {
      bar.set_total(total);
      bar.update(done);
    };
    const PrepareResult result = prepare_dataset(options, process_cancel_token(), progress);
    bar.finish();
    if (args->json) {
      print_json(result);
    } else {
      print_summary(result, options);
    }
    return kExitOk;
  };
  return {cmd, run};
}

}  // namespace octet::cli
