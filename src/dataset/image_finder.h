#pragma once
// Finds the images of a calibration folder.
//
// Rules (docs/prepare.md): recursive; an image is a file whose extension is
// one of the seed script's (jpeg jpg png bmp tif tiff dng webp mpo) in any
// letter case; names starting with '.' (hidden files and folders) are skipped;
// symbolic links to files are followed, links to folders are not descended
// (no cycles). The result is sorted by relative path, byte by byte.

#include <array>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace octet {

inline constexpr std::array<std::string_view, 9> kImageExtensions{
    "jpeg", "jpg", "png", "bmp", "tif", "tiff", "dng", "webp", "mpo"};

struct ImageFile {
  std::filesystem::path path;  // the folder joined with `relative`
  std::string relative;        // '/'-separated, relative to the folder
};

bool has_image_extension(const std::filesystem::path& path);

// Throws octet::Error if `folder` is missing or not a folder. May return an empty list.
std::vector<ImageFile> find_images(const std::filesystem::path& folder);

// " .jpeg .jpg ..." for messages.
std::string image_extension_list();

}  // namespace octet
