#include "serve/models_dir.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"

namespace octet::serve {

ModelsDir find_models_dir(const std::filesystem::path& given, const std::filesystem::path& binary,
                          const std::filesystem::path& installed_relative, const std::filesystem::path& source_dir) {
  std::error_code ec;
  if (!given.empty()) {
    if (!std::filesystem::is_directory(given, ec)) throw fail("--models {}: not a folder", given.string());
    return {given, {}};
  }
  ModelsDir found;
  if (!binary.empty() && !installed_relative.empty()) {
    found.tried.push_back((binary.parent_path() / installed_relative).lexically_normal());
  }
  if (!source_dir.empty()) found.tried.push_back(source_dir);
  for (const std::filesystem::path& dir : found.tried) {
    if (std::filesystem::is_directory(dir, ec)) {
      found.dir = dir;
      break;
    }
  }
  return found;
}

std::string describe_models_dir(const ModelsDir& models) {
  if (!models.dir.empty()) return fmt::format("octet serve: example models from {}", models.dir.string());
  std::vector<std::string> tried;
  for (const auto& dir : models.tried) tried.push_back(dir.string());
  return fmt::format("octet serve: no example models (no folder {}; give --models DIR)", fmt::join(tried, " or "));
}

}  // namespace octet::serve
