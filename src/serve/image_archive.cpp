#include "serve/image_archive.h"

#include <archive.h>
#include <archive_entry.h>

#include <array>
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "core/error.h"
#include "serve/upload.h"
#include "util/byte_size.h"

namespace octet::serve {

namespace {

constexpr std::size_t kReadBlock = 64 * 1024;

struct ArchiveCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

ExtractResult extract_image_archive(const std::filesystem::path& path, const std::filesystem::path& out_dir,
                                    std::uint64_t max_bytes, const CancelToken& cancel) {
  std::unique_ptr<archive, ArchiveCloser> a(archive_read_new());
  if (!a) throw fail("{}: out of memory opening the archive", path.filename().string());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_zip(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  const std::string name = path.filename().string();
  if (archive_read_open_filename(a.get(), path.c_str(), kReadBlock) != ARCHIVE_OK) {
    throw fail("{}: not a readable zip or tar archive ({})", name, archive_error_string(a.get()));
  }
  std::filesystem::create_directories(out_dir);
  ExtractResult result;
  archive_entry* entry = nullptr;
  std::array<char, kReadBlock> buffer{};
  for (;;) {
    cancel.check();
    const int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      throw fail("{}: corrupt archive ({})", name, archive_error_string(a.get()));
    }
    if (archive_entry_filetype(entry) != AE_IFREG) {
      ++result.skipped;
      continue;
    }
    const char* entry_path = archive_entry_pathname(entry);
    const std::string base = sanitize_file_name(entry_path != nullptr ? entry_path : "", "file");
    const std::filesystem::path target = out_dir / fmt::format("{:06}_{}", result.files, base);
    std::unique_ptr<std::FILE, FileCloser> out(std::fopen(target.c_str(), "wb"));
    if (!out) throw fail("{}: cannot create {}", name, target.string());
    for (;;) {
      const la_ssize_t n = archive_read_data(a.get(), buffer.data(), buffer.size());
      if (n < 0) throw fail("{}: corrupt entry '{}' ({})", name, base, archive_error_string(a.get()));
      if (n == 0) break;
      result.bytes += static_cast<std::uint64_t>(n);
      if (result.bytes > max_bytes) {
        throw fail("{}: unpacked images exceed the limit of {} (--max-images-size)", name,
                   format_byte_size(max_bytes));
      }
      if (std::fwrite(buffer.data(), 1, static_cast<std::size_t>(n), out.get()) != static_cast<std::size_t>(n)) {
        throw fail("{}: write failed unpacking '{}' (disk full?)", name, base);
      }
    }
    ++result.files;
  }
  if (result.files == 0) throw fail("{}: the archive holds no files", name);
  return result;
}

}  // namespace octet::serve
