#pragma once
// The calibration recipe: a JSON file written beside each calibration .npy
// that records how the array was made (preprocessing, selection, files in
// order), so convert and run can apply exactly the same preprocessing.
// Format documented in docs/prepare.md.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dataset/image_preprocess.h"

namespace octet {

inline constexpr const char* kRecipeFormat = "octet-calibration-recipe";
inline constexpr int kRecipeVersion = 1;

struct FileError {
  std::string file;  // relative to the image folder
  std::string reason;
};

struct CalibrationRecipe {
  std::string producer;
  PreprocessOptions preprocess;
  std::string array_file;  // file name of the .npy, in the same folder
  std::vector<std::uint64_t> array_shape;
  bool shuffled = true;
  std::uint64_t seed = 0;
  std::optional<std::uint64_t> limit;
  std::uint64_t candidates = 0;
  std::vector<std::string> files;  // saved images, in array order
  std::vector<FileError> errors;
};

std::string recipe_to_json(const CalibrationRecipe& recipe);
// Throws octet::Error naming `source` and the offending field.
CalibrationRecipe recipe_from_json(const std::string& text, const std::string& source);
CalibrationRecipe read_recipe(const std::filesystem::path& path);

}  // namespace octet
