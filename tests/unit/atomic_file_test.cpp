#include "util/atomic_file.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "test_util.h"

namespace octet {
namespace {

TEST(AtomicFile, InvisibleUntilCommitted) {
  TempDir dir;
  const auto target = dir.path() / "out.bin";
  AtomicFile file(target);
  file.write("abc", 3);
  EXPECT_FALSE(std::filesystem::exists(target));
  file.write_at(1, "X", 1);
  file.commit();
  EXPECT_EQ(read_file(target), "aXc");
  EXPECT_EQ(list_dir(dir.path()), std::vector<std::string>{"out.bin"});
}

TEST(AtomicFile, DestroyedUncommittedLeavesNoTrace) {
  TempDir dir;
  write_file(dir.path() / "out.bin", "old");
  {
    AtomicFile file(dir.path() / "out.bin");
    file.write("new", 3);
  }
  EXPECT_EQ(read_file(dir.path() / "out.bin"), "old");
  EXPECT_EQ(list_dir(dir.path()), std::vector<std::string>{"out.bin"});
}

TEST(AtomicFile, CommitAsChoosesTheNameLate) {
  TempDir dir;
  AtomicFile file(dir.path() / "pending");
  file.write("1", 1);
  file.commit_as(dir.path() / "final");
  EXPECT_EQ(list_dir(dir.path()), std::vector<std::string>{"final"});
}

TEST(AtomicFile, UnwritableFolderIsAClearError) {
  TempDir dir;
  write_file(dir.path() / "file", "x");
  try {
    AtomicFile file(dir.path() / "file" / "out.bin");  // a file is not a folder
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot create output file"), std::string::npos) << e.what();
  }
}

TEST(AtomicFile, WholeFileHelper) {
  TempDir dir;
  write_file_atomically(dir.path() / "t.txt", "hello\n");
  EXPECT_EQ(read_file(dir.path() / "t.txt"), "hello\n");
}

}  // namespace
}  // namespace octet
