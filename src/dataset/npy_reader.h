#pragma once
// Reads NumPy .npy files (format 1.0, 2.0, 3.0) by memory-mapping them, so a
// calibration array of hundreds of megabytes costs no copy and pages in as it
// is read. Every malformed header is a one-line octet::Error naming the file.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>

#include "core/tensor.h"

namespace octet {

class NpyArray {
 public:
  explicit NpyArray(const std::filesystem::path& path);
  ~NpyArray();
  NpyArray(const NpyArray&) = delete;
  NpyArray& operator=(const NpyArray&) = delete;
  NpyArray(NpyArray&& other) noexcept;
  NpyArray& operator=(NpyArray&&) = delete;

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  // The raw little-endian element bytes, C order.
  std::span<const std::byte> bytes() const { return {data_, byte_size_}; }
  // Bytes of row i along the first axis.
  std::span<const std::byte> row(std::size_t i) const;
  // Drops the pages holding row i from this process's resident memory
  // (madvise MADV_DONTNEED on the page-rounded range; the mapping is read-only,
  // so the pages hold nothing but the file's bytes and are read again from the
  // file if touched later, neighbouring rows included). A reader that streams
  // rows releases each one it has consumed, so its resident memory stays that of
  // one row however many rows it reads.
  void release_row(std::size_t i) const;
  // Copies row i into `out` (exactly its size) with pread(2) from the file:
  // no page of the mapping is touched, so the copy costs no page faults and
  // adds nothing to this process's resident memory (what a reader streaming
  // every row once wants). Throws octet::Error on a size mismatch or a read error.
  void read_row(std::size_t i, std::span<std::byte> out) const;
  const std::filesystem::path& path() const { return path_; }

 private:
  // Releases the mapping and the file; the constructor calls it before throwing.
  void unmap() noexcept;

  std::filesystem::path path_;
  DType dtype_ = DType::kFloat32;
  Shape shape_;
  int fd_ = -1;  // kept open for read_row
  void* mapping_ = nullptr;
  std::size_t mapping_size_ = 0;
  const std::byte* data_ = nullptr;
  std::size_t data_offset_ = 0;  // of data_ in the file
  std::size_t byte_size_ = 0;
};

}  // namespace octet
