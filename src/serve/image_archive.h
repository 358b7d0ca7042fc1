#pragma once
// A zip or tar (optionally gzip/bzip2/xz) of calibration images, unpacked
// with libarchive into a flat folder `octet prepare` reads.

#include <cstdint>
#include <filesystem>

#include "util/cancel.h"

namespace octet::serve {

struct ExtractResult {
  std::uint64_t files = 0;  // regular files written
  std::uint64_t bytes = 0;  // their total size
  std::uint64_t skipped = 0;  // directories, links and other non-regular entries
};

// Writes every regular file of `archive` into `out_dir` as
// "<6-digit index>_<sanitised base name>": no entry path ever reaches the
// filesystem, so nothing escapes out_dir. Throws octet::Error naming the
// archive when it cannot be read, or when the unpacked total would pass
// `max_bytes` (checked while unpacking).
ExtractResult extract_image_archive(const std::filesystem::path& archive, const std::filesystem::path& out_dir,
                                    std::uint64_t max_bytes, const CancelToken& cancel);

}  // namespace octet::serve
