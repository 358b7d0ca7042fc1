#include "dataset/image_finder.h"

#include <algorithm>
#include <cctype>
#include <system_error>

#include "core/error.h"

namespace octet {

namespace fs = std::filesystem;

namespace {

bool is_hidden(const fs::path& path) {
  const std::string name = path.filename().string();
  return !name.empty() && name.front() == '.';
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

bool has_image_extension(const fs::path& path) {
  std::string extension = path.extension().string();
  if (extension.size() < 2) return false;
  extension = lower(extension.substr(1));
  return std::find(kImageExtensions.begin(), kImageExtensions.end(), extension) !=
         kImageExtensions.end();
}

std::string image_extension_list() {
  std::string list;
  for (const auto extension : kImageExtensions) {
    if (!list.empty()) list += ' ';
    list += '.';
    list += extension;
  }
  return list;
}

std::vector<ImageFile> find_images(const fs::path& folder) {
  std::error_code ec;
  const auto status = fs::status(folder, ec);
  if (ec || !fs::exists(status)) throw fail("{}: no such folder", folder.string());
  if (!fs::is_directory(status)) throw fail("{}: not a folder", folder.string());

  std::vector<ImageFile> images;
  fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec);
  if (ec) throw fail("{}: cannot list folder: {}", folder.string(), ec.message());
  for (const fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
    if (ec) throw fail("{}: cannot list folder: {}", folder.string(), ec.message());
    const fs::directory_entry& entry = *it;
    if (is_hidden(entry.path())) {
      if (entry.is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    // A folder (or a link to one) is never an image, whatever its name.
    if (entry.is_directory(ec) || !has_image_extension(entry.path())) continue;
    // Keep regular files, links to them, and broken links (reported as unreadable later).
    if (!entry.is_regular_file(ec) && !entry.is_symlink(ec)) continue;
    images.push_back({entry.path(), entry.path().lexically_relative(folder).generic_string()});
  }
  std::sort(images.begin(), images.end(),
            [](const ImageFile& a, const ImageFile& b) { return a.relative < b.relative; });
  return images;
}

}  // namespace octet
