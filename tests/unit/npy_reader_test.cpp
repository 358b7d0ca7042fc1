#include "dataset/npy_reader.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "core/error.h"
#include "dataset/npy_writer.h"
#include "test_util.h"

namespace octet {
namespace {

// Headers exactly as numpy 1.24's np.save writes them (copied from its output).
std::string numpy_file(const std::string& dict, const std::string& data) {
  std::string header(dict);
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string prelude("\x93NUMPY\x01\x00", 8);
  prelude += static_cast<char>(header.size() & 0xFF);
  prelude += static_cast<char>(header.size() >> 8);
  return prelude + header + data;
}

TEST(NpyReader, ReadsWhatTheWriterWrites) {
  TempDir dir;
  {
    NpyStreamWriter writer(dir.path() / "tmp.npy", {2, 2});
    writer.append_row(std::vector<float>{1, 2, 3, 4});
    writer.append_row(std::vector<float>{-1, -2, 0.5F, 8});
    writer.commit_as(dir.path() / "a.npy");
  }
  const NpyArray array(dir.path() / "a.npy");
  EXPECT_EQ(array.dtype(), DType::kFloat32);
  EXPECT_EQ(array.shape(), (Shape{2, 2, 2}));
  float values[4];
  std::memcpy(values, array.row(1).data(), sizeof(values));
  EXPECT_EQ(values[2], 0.5F);
  EXPECT_THROW(array.row(2), Error);
}

TEST(NpyReader, ReadsIntegerTypesAndScalars) {
  TempDir dir;
  write_file(dir.path() / "i8.npy",
             numpy_file("{'descr': '|i1', 'fortran_order': False, 'shape': (3,), }", std::string("\x01\xff\x7f", 3)));
  const NpyArray i8(dir.path() / "i8.npy");
  EXPECT_EQ(i8.dtype(), DType::kInt8);
  EXPECT_EQ(i8.shape(), (Shape{3}));
  EXPECT_EQ(static_cast<std::int8_t>(i8.bytes()[1]), -1);
  write_file(dir.path() / "s.npy", numpy_file("{'descr': '<i8', 'fortran_order': False, 'shape': (), }", std::string(8, '\0')));
  EXPECT_EQ(NpyArray(dir.path() / "s.npy").shape(), Shape{});
}

void expect_rejected(const std::string& content, const std::string& needle) {
  TempDir dir;
  write_file(dir.path() / "bad.npy", content);
  try {
    NpyArray array(dir.path() / "bad.npy");
    FAIL() << "expected rejection: " << needle;
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(needle), std::string::npos) << message;
    EXPECT_NE(message.find("bad.npy"), std::string::npos) << message;
  }
}

TEST(NpyReader, RejectsMalformedFiles) {
  expect_rejected("", "too short");
  expect_rejected("PK\x03\x04 this is a zip file", "bad magic");
  expect_rejected(numpy_file("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", std::string(4, '\0')),
                  "'>f4' is not supported");
  expect_rejected(numpy_file("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", std::string(8, '\0')),
                  "'<f8' is not supported");
  expect_rejected(numpy_file("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", std::string(16, '\0')),
                  "Fortran-order");
  expect_rejected(numpy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", std::string(12, '\0')),
                  "holds 12 data bytes");
  expect_rejected(numpy_file("{'descr': '<f4', 'fortran_order': False, }", ""), "no 'shape' field");
  std::string huge_header("\x93NUMPY\x01\x00\xff\xff", 10);
  expect_rejected(huge_header + "{}", "truncated .npy header");
}

// Resident pages of this process's file-backed mappings (/proc/self/statm, third field).
std::int64_t resident_file_pages() {
  std::ifstream statm("/proc/self/statm");
  std::int64_t size = 0, resident = 0, shared = 0;
  statm >> size >> resident >> shared;
  return shared;
}

TEST(NpyReader, ReleasedRowsLeaveResidentMemory) {
  // 8 rows of 1 MiB: reading them maps ~2048 file pages into the process; releasing each row (the
  // calibrator does it after copying a sample) takes them out again, and the data stays readable.
  constexpr std::size_t kRows = 8;
  constexpr std::size_t kRowFloats = std::size_t{1} << 18;
  constexpr std::size_t kPageFloats = 1024;  // one float per 4 KiB page touches every page
  TempDir dir;
  {
    NpyStreamWriter writer(dir.path() / "tmp.npy", {std::uint64_t{kRowFloats}});
    std::vector<float> row(kRowFloats);
    for (std::size_t r = 0; r < kRows; ++r) {
      for (std::size_t j = 0; j < kRowFloats; ++j) row[j] = static_cast<float>(r);
      writer.append_row(row);
    }
    writer.commit_as(dir.path() / "big.npy");
  }
  const NpyArray array(dir.path() / "big.npy");
  const std::int64_t before = resident_file_pages();
  float total = 0.0F;
  for (std::size_t r = 0; r < kRows; ++r) {
    const std::span<const std::byte> bytes = array.row(r);
    for (std::size_t j = 0; j < kRowFloats; j += kPageFloats) {
      float v = 0.0F;
      std::memcpy(&v, bytes.data() + j * sizeof(float), sizeof(float));
      total += v;
    }
  }
  EXPECT_EQ(total, static_cast<float>(kRowFloats / kPageFloats * (kRows * (kRows - 1) / 2)));
  const std::int64_t touched = resident_file_pages() - before;
  const std::int64_t row_pages = static_cast<std::int64_t>(kRowFloats / kPageFloats);
  EXPECT_GE(touched, static_cast<std::int64_t>(kRows - 1) * row_pages);
  for (std::size_t r = 0; r < kRows; ++r) array.release_row(r);
  const std::int64_t left = resident_file_pages() - before;
  EXPECT_LT(left, row_pages / 4) << touched << " pages were resident";
  float value = 0.0F;
  std::memcpy(&value, array.row(5).data() + 12345 * sizeof(float), sizeof(float));
  EXPECT_EQ(value, 5.0F);
}

TEST(NpyReader, ReadRowCopiesTheRowWithoutMappingIt) {
  // read_row gives the bytes row() gives, checks the size, and (pread, not the
  // mapping) leaves no page of the file resident in the process.
  constexpr std::size_t kRows = 4;
  constexpr std::size_t kRowFloats = std::size_t{1} << 18;  // 1 MiB: 256 pages
  constexpr std::size_t kPageFloats = 1024;
  TempDir dir;
  {
    NpyStreamWriter writer(dir.path() / "tmp.npy", {std::uint64_t{kRowFloats}});
    std::vector<float> row(kRowFloats);
    for (std::size_t r = 0; r < kRows; ++r) {
      for (std::size_t j = 0; j < kRowFloats; ++j) row[j] = static_cast<float>(r * kRowFloats + j);
      writer.append_row(row);
    }
    writer.commit_as(dir.path() / "rows.npy");
  }
  const NpyArray array(dir.path() / "rows.npy");
  const std::int64_t before = resident_file_pages();
  std::vector<float> got(kRowFloats);
  for (std::size_t r = 0; r < kRows; ++r) {
    array.read_row(r, std::as_writable_bytes(std::span<float>(got)));
    for (std::size_t j = 0; j < kRowFloats; j += kPageFloats / 2) {
      ASSERT_EQ(got[j], static_cast<float>(r * kRowFloats + j)) << "row " << r << " value " << j;
    }
  }
  EXPECT_LT(resident_file_pages() - before, static_cast<std::int64_t>(kRowFloats / kPageFloats / 4));
  std::vector<float> first(kRowFloats);
  std::memcpy(first.data(), array.row(0).data(), array.row(0).size());
  array.read_row(0, std::as_writable_bytes(std::span<float>(got)));
  EXPECT_EQ(first, got);
  std::vector<float> short_row(kRowFloats - 1);
  EXPECT_THROW(array.read_row(0, std::as_writable_bytes(std::span<float>(short_row))), Error);
  EXPECT_THROW(array.read_row(kRows, std::as_writable_bytes(std::span<float>(got))), Error);
}

TEST(NpyReader, MissingFileIsAnError) {
  TempDir dir;
  EXPECT_THROW(NpyArray(dir.path() / "missing.npy"), Error);
}

}  // namespace
}  // namespace octet
