#include "serve/job_runner.h"

#include <chrono>
#include <fstream>
#include <iterator>
#include <optional>

#include <fmt/format.h>

#include "api/model_support.h"
#include "api/tflite_inspect.h"
#include "convert/convert.h"
#include "core/error.h"
#include "dataset/prepare.h"
#include "serve/image_archive.h"
#include "serve/job_spec.h"
#include "serve/snippets.h"
#include "util/atomic_file.h"

namespace octet::serve {

namespace {

using Json = nlohmann::ordered_json;

// Progress reaches the database at most this often (and at every stage change).
constexpr auto kProgressInterval = std::chrono::milliseconds(200);
// Where an image archive is unpacked, in the job's folder (removed once prepared).
constexpr const char* kImagesFolder = "images";
// error_files.txt lines kept in the job record (the whole file is an artifact).
constexpr std::size_t kErrorLinesKept = 200;

// Throttled progress writes for one job.
class ProgressSink {
 public:
  ProgressSink(JobStore& store, std::string id) : store_(store), id_(std::move(id)) {}
  void operator()(std::string_view stage, std::size_t done, std::size_t total) {
    const auto now = std::chrono::steady_clock::now();
    if (stage == stage_ && done != total && now - last_ < kProgressInterval) return;
    stage_ = std::string(stage);
    last_ = now;
    store_.set_progress(id_, stage_, done, total);
  }

 private:
  JobStore& store_;
  std::string id_;
  std::string stage_;
  std::chrono::steady_clock::time_point last_{};
};

// The first lines of error_files.txt, with the server's unpack folder cut from the paths.
std::vector<std::string> read_error_lines(const std::filesystem::path& path, const std::filesystem::path& image_dir,
                                          std::size_t max_lines) {
  const std::string prefix = (image_dir / "").string();
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; lines.size() < max_lines && std::getline(in, line);) {
    lines.push_back(line.rfind(prefix, 0) == 0 ? line.substr(prefix.size()) : line);
  }
  return lines;
}

std::string output_name(const Json& settings) {
  std::string stem = std::filesystem::path(settings["model"]["name"].get<std::string>()).stem().string();
  const std::string precision = settings["precision"].get<std::string>();
  if (precision == "int8") return stem + "_int8.tflite";
  if (precision == "float16") return stem + "_fp16.tflite";
  return stem + ".tflite";
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

}  // namespace

std::string JobRunner::user_message(const Job& job, std::string message) const {
  const Json& settings = job.settings;
  for (const char* key : {"model", "calibration"}) {
    if (!settings.contains(key) || !settings[key].contains("upload")) continue;
    if (const std::optional<Upload> upload = store_.upload(settings[key]["upload"].get<std::string>())) {
      replace_all(message, upload->path.string(), upload->name);
    }
  }
  if (settings["model"]["source"] == "example") {
    const std::string name = settings["model"]["example"].get<std::string>();
    replace_all(message, (config_.models_dir / name).string(), name);
  }
  // An image archive's unpack folder is the archive to the user.
  if (settings.contains("calibration") && settings["calibration"]["kind"] == "images") {
    replace_all(message, (job_dir(job.id) / kImagesFolder).string(), settings["calibration"]["name"].get<std::string>());
  }
  replace_all(message, (job_dir(job.id) / "").string(), "");
  return message;
}

JobRunner::JobRunner(const ServeConfig& config, JobStore& store, std::function<bool()> stopping)
    : config_(config), store_(store), stopping_(std::move(stopping)) {}

std::filesystem::path JobRunner::job_dir(const std::string& id) const { return config_.data_dir / "jobs" / id; }

void JobRunner::run(const std::string& id, const CancelToken& cancel) {
  // Cancelled (and perhaps deleted) while queued: nothing runs, no folder is made.
  if (!store_.start_if_queued(id)) return;
  const std::optional<Job> job = store_.job(id);
  if (!job) return;
  try {
    const Json result = execute(*job, cancel);
    store_.set_status(id, JobStatus::kSucceeded, "done", "", &result);
  } catch (const Cancelled&) {
    if (stopping_()) {
      store_.set_status(id, JobStatus::kFailed, "failed", kInterruptedReason);
    } else {
      store_.set_status(id, JobStatus::kCancelled, "cancelled", kCancelledReason);
    }
  } catch (const Error& e) {
    store_.set_status(id, JobStatus::kFailed, "failed", user_message(*job, e.what()));
  } catch (const std::bad_alloc&) {
    store_.set_status(id, JobStatus::kFailed, "failed", "out of memory");
  } catch (const std::exception& e) {
    store_.set_status(id, JobStatus::kFailed, "failed", fmt::format("internal error: {}", e.what()));
  }
}

Json JobRunner::execute(const Job& job, const CancelToken& cancel) {
  const Json& settings = job.settings;
  const std::filesystem::path dir = job_dir(job.id);
  std::filesystem::create_directories(dir);
  ProgressSink progress(store_, job.id);
  Json result;

  std::filesystem::path calibration;
  if (settings["precision"] == "int8") {
    const Json& c = settings["calibration"];
    const std::optional<Upload> upload = store_.upload(c["upload"].get<std::string>());
    if (!upload) throw fail("calibration: the upload '{}' is gone", c["upload"].get<std::string>());
    if (c["kind"] == "calibration") {
      calibration = upload->path;
    } else {
      progress("unpacking images", 0, 0);
      const std::filesystem::path images = dir / kImagesFolder;
      std::filesystem::remove_all(images);
      const ExtractResult extracted = extract_image_archive(upload->path, images, config_.max_images_bytes, cancel);
      PrepareOptions options = prepare_options(c["prepare"], images, dir / "calibration");
      options.max_bytes = config_.max_calib_bytes;
      progress("preparing", 0, extracted.files);
      const PrepareResult prepared = prepare_dataset(
          options, cancel, [&](std::uint64_t done, std::uint64_t total) { progress("preparing", done, total); });
      std::filesystem::remove_all(images);
      calibration = prepared.array_file;
      result["prepare"] = {{"array", prepared.array_file.filename().string()},
                           {"shape", prepared.shape},
                           {"saved", prepared.saved},
                           {"failed", prepared.errors.size()},
                           {"candidates", prepared.candidates},
                           {"bytes", prepared.bytes},
                           {"seconds", prepared.seconds},
                           {"error_files", read_error_lines(prepared.errors_file, images, kErrorLinesKept)}};
    }
  }

  const std::string file = output_name(settings);
  ConvertOptions options = convert_options(settings, model_path(settings, config_, store_), dir / file, calibration);
  options.cancel = &cancel;
  options.progress = [&](std::string_view stage, std::size_t done, std::size_t total) {
    progress(stage, done, total);
  };
  const ConvertResult converted = convert_model(options);
  cancel.check();
  Json report = converted.report;
  report["output"]["file"] = file;
  write_file_atomically(dir / "report.json", report.dump(2) + "\n");

  progress("inspecting", 0, 0);
  const std::vector<std::uint8_t> bytes = read_model_file((dir / file).string());
  Json inspect = inspect_tflite(bytes, file);
  const Snippets snippets = inference_snippets(inspect, file);
  result["artifact"] = {{"file", file}, {"bytes", bytes.size()}};
  result["notes"] = converted.notes;
  result["report"] = std::move(report);
  result["inspect"] = std::move(inspect);
  result["snippets"] = {{"cpp", snippets.cpp}, {"python", snippets.python}};
  return result;
}

}  // namespace octet::serve
