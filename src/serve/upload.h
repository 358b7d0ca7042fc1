#pragma once
// Uploads stream to disk under --data: file names are sanitised before they
// touch the filesystem, and size limits are enforced while the bytes arrive.

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace octet::serve {

// A random identifier (hex) for jobs and uploads.
std::string new_id();
// True for identifiers new_id() could have made (safe as a path component).
bool is_valid_id(std::string_view id);

// A file name safe on any filesystem: the last path component of `name`, with
// every character outside [A-Za-z0-9._-] replaced by '_', no leading dot, at
// most kMaxNameLength characters (the extension kept). Empty or all-dot names
// become `fallback`.
std::string sanitize_file_name(std::string_view name, std::string_view fallback);

// The lower-case extension of a sanitised name, including compound ".tar.gz".
std::string upload_extension(std::string_view name);

// What an upload of one kind may be.
struct UploadKind {
  std::string name;                     // "model", "calibration", "images"
  std::vector<std::string> extensions;  // accepted, lower case (".onnx", ...)
  std::uint64_t max_bytes = 0;
};

// Writes a stream to `path` (a ".part" file renamed on commit); remove()s the
// partial file on destruction unless committed.
class UploadFile {
 public:
  UploadFile(std::filesystem::path path, std::uint64_t max_bytes);
  ~UploadFile();
  UploadFile(const UploadFile&) = delete;
  UploadFile& operator=(const UploadFile&) = delete;

  // False (and nothing written) once the total would pass max_bytes.
  bool write(const char* data, std::size_t size);
  bool over_limit() const { return over_limit_; }
  std::uint64_t bytes() const { return bytes_; }
  // The first bytes received (for format checks).
  const std::string& head() const { return head_; }
  // Flushes, closes and renames into place; throws octet::Error on I/O failure.
  void commit();

 private:
  std::filesystem::path path_;
  std::filesystem::path part_;
  std::FILE* file_ = nullptr;
  std::uint64_t max_bytes_;
  std::uint64_t bytes_ = 0;
  std::string head_;
  bool over_limit_ = false;
  bool committed_ = false;
};

// Checks the first bytes of an upload against its kind; returns an error
// message (empty when fine).
std::string check_upload_magic(const std::string& kind, std::string_view extension, std::string_view head);

}  // namespace octet::serve
