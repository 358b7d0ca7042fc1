#pragma once
// Writes NumPy .npy files (format 1.0) byte-identical to numpy's np.save,
// streaming: rows are appended as they come and the leading dimension is
// patched into the header at the end. numpy pads its header so the first
// axis can grow to 21 digits in place, so the header's length never changes.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "util/atomic_file.h"

namespace octet {

// The complete .npy header (magic, length, dict, padding) for a
// little-endian float32 C-order array of this shape, exactly as np.save writes it.
std::string npy_float32_header(std::span<const std::uint64_t> shape);

class NpyStreamWriter {
 public:
  // `row_shape` is the shape of one row (e.g. H, W, 3); rows are counted as appended.
  NpyStreamWriter(const std::filesystem::path& temporary_destination,
                  std::vector<std::uint64_t> row_shape);

  void append_row(std::span<const float> values);
  std::uint64_t rows() const { return rows_; }
  std::vector<std::uint64_t> shape() const;
  // Patches the header with the final row count and moves the file into place.
  void commit_as(const std::filesystem::path& destination);

 private:
  AtomicFile file_;
  std::vector<std::uint64_t> row_shape_;
  std::uint64_t row_values_ = 1;
  std::uint64_t rows_ = 0;
  std::size_t header_size_ = 0;
};

}  // namespace octet
