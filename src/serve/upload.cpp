#include "serve/upload.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <random>

#include <fmt/format.h>

#include "core/error.h"

namespace octet::serve {

namespace {

constexpr std::size_t kIdBytes = 8;              // 16 hex digits
constexpr std::size_t kMaxNameLength = 100;      // sanitised file names
constexpr std::size_t kHeadBytes = 16;           // kept for format checks
constexpr std::string_view kNpyMagic = "\x93NUMPY";
constexpr std::size_t kTfliteIdentifierOffset = 4;  // flatbuffers file identifier
constexpr std::string_view kTfliteIdentifier = "TFL3";

bool is_safe_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-';
}

}  // namespace

std::string new_id() {
  static thread_local std::mt19937_64 engine{std::random_device{}()};
  std::string id;
  for (std::size_t i = 0; i < kIdBytes; ++i) {
    id += fmt::format("{:02x}", static_cast<unsigned>(engine() & 0xffU));
  }
  return id;
}

bool is_valid_id(std::string_view id) {
  return id.size() == 2 * kIdBytes &&
         std::all_of(id.begin(), id.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

std::string sanitize_file_name(std::string_view name, std::string_view fallback) {
  const std::size_t slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  std::string safe;
  for (const char c : name) safe += is_safe_char(c) ? c : '_';
  while (!safe.empty() && safe.front() == '.') safe.erase(safe.begin());
  if (safe.size() > kMaxNameLength) {
    const std::string ext = upload_extension(safe);
    safe = safe.substr(0, kMaxNameLength - std::min(ext.size(), kMaxNameLength)) + ext;
  }
  if (safe.empty() || std::all_of(safe.begin(), safe.end(), [](char c) { return c == '.' || c == '_'; })) {
    return std::string(fallback);
  }
  return safe;
}

std::string upload_extension(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const std::string_view compound : {".tar.gz", ".tar.bz2", ".tar.xz"}) {
    if (lower.size() > compound.size() && lower.ends_with(compound)) return std::string(compound);
  }
  const std::size_t dot = lower.find_last_of('.');
  return dot == std::string::npos || dot == 0 ? std::string() : lower.substr(dot);
}

UploadFile::UploadFile(std::filesystem::path path, std::uint64_t max_bytes)
    : path_(std::move(path)), part_(path_.string() + ".part"), max_bytes_(max_bytes) {
  file_ = std::fopen(part_.c_str(), "wb");
  if (file_ == nullptr) throw fail("{}: cannot create the upload file", part_.string());
}

UploadFile::~UploadFile() {
  if (file_ != nullptr) std::fclose(file_);
  if (!committed_) {
    std::error_code ec;
    std::filesystem::remove(part_, ec);
  }
}

bool UploadFile::write(const char* data, std::size_t size) {
  if (over_limit_) return false;
  if (bytes_ + size > max_bytes_) {
    over_limit_ = true;
    return false;
  }
  if (head_.size() < kHeadBytes) head_.append(data, std::min(size, kHeadBytes - head_.size()));
  if (std::fwrite(data, 1, size, file_) != size) throw fail("{}: write failed (disk full?)", part_.string());
  bytes_ += size;
  return true;
}

void UploadFile::commit() {
  const bool flushed = std::fflush(file_) == 0;
  std::fclose(file_);
  file_ = nullptr;
  if (!flushed) throw fail("{}: write failed (disk full?)", part_.string());
  std::filesystem::rename(part_, path_);
  committed_ = true;
}

std::string check_upload_magic(const std::string& kind, std::string_view extension, std::string_view head) {
  if (kind == "calibration" && !head.starts_with(kNpyMagic)) {
    return "not a NumPy .npy file (it does not start with the \\x93NUMPY magic)";
  }
  if (kind == "model" && extension == ".tflite" &&
      head.substr(std::min(head.size(), kTfliteIdentifierOffset), kTfliteIdentifier.size()) != kTfliteIdentifier) {
    return "not a TFLite model (no TFL3 file identifier)";
  }
  return {};
}

}  // namespace octet::serve
