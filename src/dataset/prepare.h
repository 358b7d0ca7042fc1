#pragma once
// `octet prepare`: a folder of images becomes one calibration .npy, its
// recipe JSON and error_files.txt. See docs/prepare.md.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <vector>

#include "dataset/image_preprocess.h"
#include "dataset/recipe.h"
#include "util/cancel.h"

namespace octet {

// LaunchX accepts calibration datasets up to 500 MB.
inline constexpr std::uint64_t kDefaultMaxDatasetBytes = 500'000'000;
inline constexpr const char* kErrorFilesName = "error_files.txt";

struct PrepareOptions {
  std::filesystem::path image_dir;
  std::filesystem::path out_dir;
  PreprocessOptions preprocess;
  std::optional<std::uint64_t> limit;  // save at most this many images
  std::optional<std::uint64_t> seed = 0;  // nullopt: keep the sorted order
  std::uint64_t max_bytes = kDefaultMaxDatasetBytes;
  unsigned threads = 0;  // 0: one per core
};

struct PrepareResult {
  std::filesystem::path array_file;
  std::filesystem::path recipe_file;
  std::filesystem::path errors_file;
  std::vector<std::uint64_t> shape;
  std::uint64_t saved = 0;
  std::uint64_t candidates = 0;
  std::vector<FileError> errors;
  std::uint64_t bytes = 0;  // size of the .npy file
  double seconds = 0;
};

// Called on the calling thread as images are settled: (settled, planned).
using PrepareProgress = std::function<void(std::uint64_t, std::uint64_t)>;

// Throws octet::Error for bad input (nothing usable written), octet::Cancelled
// when `cancel` trips (nothing written).
PrepareResult prepare_dataset(const PrepareOptions& options, const CancelToken& cancel,
                              const PrepareProgress& progress = {});

// "{N}x{W}x{H}": the seed script's naming of the saved array.
std::string dataset_basename(std::uint64_t count, const PreprocessOptions& preprocess);

}  // namespace octet
