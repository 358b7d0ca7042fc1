#include "dataset/image_finder.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "test_util.h"

namespace octet {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> relatives(const std::vector<ImageFile>& images) {
  std::vector<std::string> names;
  for (const auto& image : images) names.push_back(image.relative);
  return names;
}

TEST(ImageFinder, ExtensionsAreTheSeedsInAnyCase) {
  for (const char* name : {"a.jpg", "a.JPG", "a.Jpeg", "a.png", "a.bmp", "a.tif", "a.TIFF", "a.dng",
                           "a.webp", "a.mpo", "x/y.PnG"}) {
    EXPECT_TRUE(has_image_extension(name)) << name;
  }
  for (const char* name : {"a.gif", "a.txt", "jpg", "a.jpg.txt", "a.", ".jpg", "a.jp"}) {
    EXPECT_FALSE(has_image_extension(name)) << name;
  }
}

TEST(ImageFinder, FindsRecursivelySortedSkippingHiddenAndNonImages) {
  TempDir dir;
  const fs::path root = dir.path();
  for (const char* name : {"b.jpg", "a.PNG", "sub/c.bmp", "sub/deeper/d.webp", "notes.txt",
                           ".hidden.jpg", ".cache/e.jpg", "sub/.f.png", "Z.jpeg"}) {
    write_file(root / name, "x");
  }
  fs::create_directories(root / "folder.jpg");  // a folder with an image name
  const auto found = find_images(root);
  EXPECT_EQ(relatives(found), (std::vector<std::string>{"Z.jpeg", "a.PNG", "b.jpg", "sub/c.bmp",
                                                         "sub/deeper/d.webp"}));
  EXPECT_EQ(found.front().path, root / "Z.jpeg");
}

TEST(ImageFinder, FollowsFileLinksButNotFolderLinks) {
  TempDir dir;
  const fs::path root = dir.path() / "data";
  write_file(root / "real/a.jpg", "x");
  write_file(dir.path() / "outside/b.jpg", "x");
  fs::create_symlink(dir.path() / "outside/b.jpg", root / "link.jpg");
  fs::create_directory_symlink(dir.path() / "outside", root / "linked_folder");
  fs::create_directory_symlink(root, root / "real/loop");  // would cycle if followed
  fs::create_symlink(dir.path() / "missing.jpg", root / "broken.jpg");
  EXPECT_EQ(relatives(find_images(root)),
            (std::vector<std::string>{"broken.jpg", "link.jpg", "real/a.jpg"}));
}

TEST(ImageFinder, EmptyFolderGivesEmptyList) {
  TempDir dir;
  EXPECT_TRUE(find_images(dir.path()).empty());
}

TEST(ImageFinder, MissingOrFileIsAnError) {
  TempDir dir;
  EXPECT_THROW(find_images(dir.path() / "nope"), Error);
  write_file(dir.path() / "file.jpg", "x");
  try {
    find_images(dir.path() / "file.jpg");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not a folder"), std::string::npos);
  }
}

}  // namespace
}  // namespace octet
