// Where octet serve finds its example models (src/serve/models_dir.h): --models, then the installed
// share/octet/models next to the binary, then the source tree.

#include <gtest/gtest.h>

#include <filesystem>

#include "core/error.h"
#include "serve/models_dir.h"
#include "serve/upload.h"

namespace octet::serve {
namespace {

namespace fs = std::filesystem;

class ModelsDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("octet_models_dir_test_" + new_id());
    fs::create_directories(root_ / "prefix" / "bin");
    fs::create_directories(root_ / "source" / "examples" / "models");
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path binary() const { return root_ / "prefix" / "bin" / "octet"; }
  fs::path installed() const { return root_ / "prefix" / "share" / "octet" / "models"; }
  fs::path source() const { return root_ / "source" / "examples" / "models"; }
  fs::path root_;
};

const fs::path kRelative = fs::path("..") / "share" / "octet" / "models";

TEST_F(ModelsDirTest, InstalledFolderNextToTheBinaryComesBeforeTheSourceTree) {
  fs::create_directories(installed());
  const ModelsDir found = find_models_dir({}, binary(), kRelative, source());
  EXPECT_EQ(found.dir, installed());
  EXPECT_EQ(describe_models_dir(found), "octet serve: example models from " + installed().string());
}

TEST_F(ModelsDirTest, SourceTreeWhenNotInstalled) {
  const ModelsDir found = find_models_dir({}, binary(), kRelative, source());
  EXPECT_EQ(found.dir, source());
  ASSERT_EQ(found.tried.size(), 2U);
  EXPECT_EQ(found.tried[0], installed());
}

TEST_F(ModelsDirTest, GivenFolderWinsAndMustExist) {
  fs::create_directories(installed());
  EXPECT_EQ(find_models_dir(root_, binary(), kRelative, source()).dir, root_);
  try {
    find_models_dir(root_ / "missing", binary(), kRelative, source());
    FAIL() << "a missing --models folder was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "--models " + (root_ / "missing").string() + ": not a folder");
  }
}

TEST_F(ModelsDirTest, NoneFoundIsSaidWithTheFoldersLookedAt) {
  fs::remove_all(source());
  const ModelsDir found = find_models_dir({}, binary(), kRelative, source());
  EXPECT_TRUE(found.dir.empty());
  EXPECT_EQ(describe_models_dir(found), "octet serve: no example models (no folder " + installed().string() + " or " +
                                            source().string() + "; give --models DIR)");
}

}  // namespace
}  // namespace octet::serve
