#include "dataset/prepare.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <system_error>
#include <thread>

#include <opencv2/core/utility.hpp>
#include <opencv2/core/utils/logger.hpp>

#include "core/error.h"
#include "core/version.h"
#include "dataset/image_finder.h"
#include "dataset/npy_writer.h"
#include "util/atomic_file.h"
#include "util/byte_size.h"
#include "util/ordered_pipeline.h"
#include "util/shuffle.h"

namespace octet {

namespace fs = std::filesystem;

namespace {

// Results in flight per worker thread: enough to keep workers busy while the
// writer catches up, small enough that memory stays a few images' worth.
constexpr std::size_t kSlotsPerThread = 4;

struct Slot {
  std::vector<float> values;
  std::string error;
};

// OpenCV parallelises resize internally; octet parallelises across images,
// so OpenCV runs sequentially inside each worker and --threads means what it says.
class OpenCvSequentialScope {
 public:
  OpenCvSequentialScope()
      : threads_(cv::getNumThreads()), log_level_(cv::utils::logging::getLogLevel()) {
    cv::setNumThreads(1);
    // Decode failures are reported per file with a reason; OpenCV's own
    // warnings about them would only repeat that on stderr.
    cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
  }
  ~OpenCvSequentialScope() {
    cv::setNumThreads(threads_);
    cv::utils::logging::setLogLevel(log_level_);
  }
  OpenCvSequentialScope(const OpenCvSequentialScope&) = delete;
  OpenCvSequentialScope& operator=(const OpenCvSequentialScope&) = delete;

 private:
  int threads_;
  cv::utils::logging::LogLevel log_level_;
};

void validate(const PrepareOptions& options) {
  const PreprocessOptions& p = options.preprocess;
  if (p.width <= 0 || p.height <= 0 || p.width > kMaxSide || p.height > kMaxSide) {
    throw usage_fail("--size {}x{}: width and height must be 1..{}", p.width, p.height, kMaxSide);
  }
  for (const float s : p.std) {
    if (!(s != 0.0F) || !std::isfinite(s)) throw usage_fail("--std: every value must be finite and non-zero");
  }
  if (options.limit && *options.limit == 0) throw usage_fail("--limit must be at least 1");
}

void check_dataset_size(const PrepareOptions& options, std::uint64_t planned) {
  const std::uint64_t per_image = options.preprocess.values_per_image() * sizeof(float);
  const std::uint64_t total = planned * per_image;
  if (total <= options.max_bytes) return;
  const std::uint64_t fit = options.max_bytes / per_image;
  throw fail(
      "{}: {} images at {}x{} make a {} array, over the {} limit (--max-bytes); at most {} fit: "
      "pass --limit {} (or raise --max-bytes)",
      options.image_dir.string(), planned, options.preprocess.width, options.preprocess.height,
      format_byte_size(total), format_byte_size(options.max_bytes), fit, fit);
}

void make_output_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    throw fail("{}: cannot create output folder: {}", dir.string(),
               ec ? ec.message() : std::string("a file of that name exists"));
  }
}

std::string error_lines(const fs::path& image_dir, const std::vector<FileError>& errors) {
  std::string text;
  for (const FileError& error : errors) {
    text += (image_dir / error.file).string();
    text += '\t';
    text += error.reason;
    text += '\n';
  }
  return text;
}

unsigned resolve_threads(unsigned requested) {
  if (requested > 0) return requested;
  return std::max(1U, std::thread::hardware_concurrency());
}

}  // namespace

std::string dataset_basename(std::uint64_t count, const PreprocessOptions& preprocess) {
  return fmt::format("{}x{}x{}", count, preprocess.width, preprocess.height);
}

PrepareResult prepare_dataset(const PrepareOptions& options, const CancelToken& cancel,
                              const PrepareProgress& progress) {
  const auto start = std::chrono::steady_clock::now();
  validate(options);
  const PreprocessOptions& pre = options.preprocess;

  std::vector<ImageFile> images = find_images(options.image_dir);
  if (images.empty()) {
    throw fail("{}: no images found (looked recursively for {}, in any letter case)",
               options.image_dir.string(), image_extension_list());
  }
  const std::uint64_t candidates = images.size();
  if (options.seed) deterministic_shuffle(images, *options.seed);
  const std::uint64_t planned = std::min<std::uint64_t>(candidates, options.limit.value_or(candidates));
  check_dataset_size(options, planned);
  make_output_dir(options.out_dir);

  const std::vector<std::uint64_t> row_shape =
      pre.layout == Layout::kNhwc
          ? std::vector<std::uint64_t>{static_cast<std::uint64_t>(pre.height),
                                       static_cast<std::uint64_t>(pre.width), kChannels}
          : std::vector<std::uint64_t>{kChannels, static_cast<std::uint64_t>(pre.height),
                                       static_cast<std::uint64_t>(pre.width)};
  NpyStreamWriter writer(options.out_dir / "calibration.npy", row_shape);

  CalibrationRecipe recipe;
  recipe.producer = kProducer;
  recipe.preprocess = pre;
  recipe.shuffled = options.seed.has_value();
  recipe.seed = options.seed.value_or(0);
  recipe.limit = options.limit;
  recipe.candidates = candidates;

  const OpenCvSequentialScope opencv_scope;
  const unsigned threads = resolve_threads(options.threads);
  const std::size_t values = pre.values_per_image();
  std::uint64_t settled = 0;
  if (progress) progress(0, planned);

  run_ordered_pipeline<Slot>(
      images.size(), threads, static_cast<std::size_t>(threads) * kSlotsPerThread,
      [&](std::size_t index, Slot& slot) {
        slot.error.clear();
        DecodedImage decoded = decode_image(images[index].path);
        if (!decoded.error.empty()) {
          slot.error = std::move(decoded.error);
          return;
        }
        slot.values.resize(values);
        try {
          preprocess_image(decoded.bgr, pre, slot.values.data());
        } catch (const cv::Exception& e) {
          slot.error = "OpenCV failed to resize it: " + e.err;
        }
      },
      [&](std::size_t index, Slot& slot) {
        if (slot.error.empty()) {
          writer.append_row(slot.values);
          recipe.files.push_back(images[index].relative);
        } else {
          recipe.errors.push_back({images[index].relative, slot.error});
        }
        // An unreadable image is replaced by the next candidate, so the plan
        // grows by one (up to the number of candidates).
        ++settled;
        const std::uint64_t target = std::min<std::uint64_t>(candidates, planned + recipe.errors.size());
        if (progress) progress(std::min(settled, target), target);
        return writer.rows() < planned;
      },
      cancel);
  cancel.check();

  PrepareResult result;
  result.errors_file = options.out_dir / kErrorFilesName;
  write_file_atomically(result.errors_file, error_lines(options.image_dir, recipe.errors));
  if (writer.rows() == 0) {
    throw fail("{}: none of the {} images could be read; reasons are in {}", options.image_dir.string(),
               recipe.errors.size(), result.errors_file.string());
  }

  const std::string base = dataset_basename(writer.rows(), pre);
  recipe.array_file = base + ".npy";
  recipe.array_shape = writer.shape();
  result.array_file = options.out_dir / recipe.array_file;
  result.recipe_file = options.out_dir / (base + ".json");
  AtomicFile recipe_file(result.recipe_file);
  const std::string recipe_text = recipe_to_json(recipe);
  recipe_file.write(recipe_text.data(), recipe_text.size());
  writer.commit_as(result.array_file);
  recipe_file.commit();

  result.shape = writer.shape();
  result.saved = writer.rows();
  result.candidates = candidates;
  result.errors = std::move(recipe.errors);
  result.bytes = npy_float32_header(result.shape).size() + result.saved * values * sizeof(float);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace octet
