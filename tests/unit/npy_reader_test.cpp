#include "dataset/npy_reader.h"

#include <gtest/gtest.h>

#include <cstring>

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

TEST(NpyReader, MissingFileIsAnError) {
  TempDir dir;
  EXPECT_THROW(NpyArray(dir.path() / "missing.npy"), Error);
}

}  // namespace
}  // namespace octet
