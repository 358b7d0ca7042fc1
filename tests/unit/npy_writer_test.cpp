#include "dataset/npy_writer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "test_util.h"

namespace octet {
namespace {

// Headers as numpy 1.24's np.save writes them (copied from its output).
std::string numpy_header(const std::string& shape_text, std::size_t spaces) {
  std::string header("\x93NUMPY\x01\x00v\x00", 10);
  header += "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape_text + ", }";
  header.append(spaces, ' ');
  return header + "\n";
}

TEST(NpyHeader, MatchesNumpyForRank4) {
  const std::vector<std::uint64_t> shape{3, 4, 5, 3};
  EXPECT_EQ(npy_float32_header(shape), numpy_header("(3, 4, 5, 3)", 52));
}

TEST(NpyHeader, MatchesNumpyForRank1TupleComma) {
  const std::vector<std::uint64_t> shape{5};
  EXPECT_EQ(npy_float32_header(shape), numpy_header("(5,)", 60));
}

TEST(NpyHeader, MatchesNumpyForZeroRows) {
  const std::vector<std::uint64_t> shape{0, 2, 2, 3};
  EXPECT_EQ(npy_float32_header(shape), numpy_header("(0, 2, 2, 3)", 52));
}

TEST(NpyHeader, LengthDoesNotDependOnTheLeadingDimension) {
  const std::vector<std::uint64_t> small{1, 224, 224, 3};
  const std::vector<std::uint64_t> large{123456789012, 224, 224, 3};
  EXPECT_EQ(npy_float32_header(small).size(), npy_float32_header(large).size());
  EXPECT_EQ(npy_float32_header(small).size() % 64, 0U);
}

TEST(NpyStreamWriter, WritesHeaderWithFinalCountAndRowsInOrder) {
  TempDir dir;
  NpyStreamWriter writer(dir.path() / "pending.npy", {2, 3});
  const std::vector<float> row1{1, 2, 3, 4, 5, 6};
  const std::vector<float> row2{-1.5F, 0, 0.25F, 7, 8, 9};
  writer.append_row(row1);
  writer.append_row(row2);
  writer.commit_as(dir.path() / "final.npy");

  const std::string bytes = read_file(dir.path() / "final.npy");
  const std::string header = numpy_header("(2, 2, 3)", 55);
  ASSERT_EQ(bytes.size(), header.size() + 12 * sizeof(float));
  EXPECT_EQ(bytes.substr(0, header.size()), header);
  std::vector<float> data(12);
  std::memcpy(data.data(), bytes.data() + header.size(), 12 * sizeof(float));
  EXPECT_EQ(std::vector<float>(data.begin(), data.begin() + 6), row1);
  EXPECT_EQ(std::vector<float>(data.begin() + 6, data.end()), row2);
  EXPECT_EQ(list_dir(dir.path()), std::vector<std::string>{"final.npy"});
}

TEST(NpyStreamWriter, UncommittedLeavesNothing) {
  TempDir dir;
  {
    NpyStreamWriter writer(dir.path() / "pending.npy", {1});
    writer.append_row(std::vector<float>{1});
  }
  EXPECT_TRUE(list_dir(dir.path()).empty());
}

}  // namespace
}  // namespace octet
