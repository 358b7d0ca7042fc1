#pragma once
// Output files appear whole or not at all: an AtomicFile writes to a hidden
// temporary file beside its destination and renames it into place on commit().
// If it is destroyed uncommitted (error, Ctrl-C), the temporary is removed.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>

namespace octet {

class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path destination);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // Appends bytes at the current end of the file.
  void write(const void* data, std::size_t size);
  // Overwrites bytes at an offset already written (e.g. a header).
  void write_at(std::uint64_t offset, const void* data, std::size_t size);
  // Closes the temporary file and renames it to the destination.
  void commit();
  // Same, to a destination decided only now (e.g. a name holding a final count).
  void commit_as(const std::filesystem::path& destination);

  const std::filesystem::path& destination() const { return destination_; }

 private:
  void discard() noexcept;

  std::filesystem::path destination_;
  std::filesystem::path temporary_;
  int fd_ = -1;
};

// Writes a whole small file atomically.
void write_file_atomically(const std::filesystem::path& destination, std::string_view content);

}  // namespace octet
