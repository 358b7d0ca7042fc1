#include "util/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

#include "core/error.h"

namespace octet {

namespace {

std::filesystem::path temporary_name_for(const std::filesystem::path& destination) {
  static std::atomic<unsigned> counter{0};
  const std::string name = fmt::format(".{}.octet-tmp-{}-{}", destination.filename().string(),
                                       static_cast<long>(::getpid()), counter.fetch_add(1));
  return destination.parent_path() / name;
}

std::string errno_text() { return std::strerror(errno); }

}  // namespace

AtomicFile::AtomicFile(std::filesystem::path destination)
    : destination_(std::move(destination)), temporary_(temporary_name_for(destination_)) {
  fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw fail("{}: cannot create output file in this folder: {}",
               destination_.parent_path().string(), errno_text());
  }
}

AtomicFile::~AtomicFile() { discard(); }

void AtomicFile::discard() noexcept {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (!temporary_.empty()) {
    ::unlink(temporary_.c_str());
    temporary_.clear();
  }
}

void AtomicFile::write(const void* data, std::size_t size) {
  const auto* bytes = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t written = ::write(fd_, bytes, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      throw fail("{}: write failed: {}", destination_.string(), errno_text());
    }
    bytes += written;
    size -= static_cast<std::size_t>(written);
  }
}

void AtomicFile::write_at(std::uint64_t offset, const void* data, std::size_t size) {
  const auto* bytes = static_cast<const char*>(data);
  auto position = static_cast<off_t>(offset);
  while (size > 0) {
    const ssize_t written = ::pwrite(fd_, bytes, size, position);
    if (written < 0) {
      if (errno == EINTR) continue;
      throw fail("{}: write failed: {}", destination_.string(), errno_text());
    }
    bytes += written;
    position += written;
    size -= static_cast<std::size_t>(written);
  }
}

void AtomicFile::commit_as(const std::filesystem::path& destination) {
  destination_ = destination;
  commit();
}

void AtomicFile::commit() {
  if (::close(fd_) != 0) {
    fd_ = -1;
    throw fail("{}: write failed: {}", destination_.string(), errno_text());
  }
  fd_ = -1;
  if (::rename(temporary_.c_str(), destination_.c_str()) != 0) {
    throw fail("{}: cannot move the finished file into place: {}", destination_.string(),
               errno_text());
  }
  temporary_.clear();
}

void write_file_atomically(const std::filesystem::path& destination, std::string_view content) {
  AtomicFile file(destination);
  file.write(content.data(), content.size());
  file.commit();
}

}  // namespace octet
