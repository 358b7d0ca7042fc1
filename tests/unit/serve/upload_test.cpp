// Upload names, extensions, ids and format checks (src/serve/upload.h).

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "serve/upload.h"

namespace octet::serve {
namespace {

TEST(SanitizeFileName, KeepsSafeNames) {
  EXPECT_EQ(sanitize_file_name("resnet18.onnx", "x"), "resnet18.onnx");
  EXPECT_EQ(sanitize_file_name("calib_100x224-v2.npy", "x"), "calib_100x224-v2.npy");
}

TEST(SanitizeFileName, DropsDirectoriesAndTraversal) {
  EXPECT_EQ(sanitize_file_name("../../etc/passwd.onnx", "x"), "passwd.onnx");
  EXPECT_EQ(sanitize_file_name("C:\\Users\\me\\model.onnx", "x"), "model.onnx");
  EXPECT_EQ(sanitize_file_name("/abs/path/m.tflite", "x"), "m.tflite");
}

TEST(SanitizeFileName, ReplacesUnsafeCharactersAndLeadingDots) {
  EXPECT_EQ(sanitize_file_name("my model (1).onnx", "x"), "my_model__1_.onnx");
  EXPECT_EQ(sanitize_file_name(".hidden.npy", "x"), "hidden.npy");
  EXPECT_EQ(sanitize_file_name("mod\xc3\xa8le.onnx", "x"), "mod__le.onnx");
}

TEST(SanitizeFileName, FallsBackForEmptyNames) {
  EXPECT_EQ(sanitize_file_name("", "fallback"), "fallback");
  EXPECT_EQ(sanitize_file_name("..", "fallback"), "fallback");
  EXPECT_EQ(sanitize_file_name("dir/", "fallback"), "fallback");
  EXPECT_EQ(sanitize_file_name("$$$", "fallback"), "fallback");
}

TEST(SanitizeFileName, CapsLengthKeepingTheExtension) {
  const std::string name = sanitize_file_name(std::string(300, 'a') + ".tar.gz", "x");
  EXPECT_EQ(name.size(), 100U);
  EXPECT_TRUE(name.ends_with(".tar.gz"));
}

TEST(UploadExtension, LowerCaseAndCompound) {
  EXPECT_EQ(upload_extension("Model.ONNX"), ".onnx");
  EXPECT_EQ(upload_extension("images.tar.gz"), ".tar.gz");
  EXPECT_EQ(upload_extension("images.TGZ"), ".tgz");
  EXPECT_EQ(upload_extension("noext"), "");
  EXPECT_EQ(upload_extension(".npy"), "");
}

TEST(Ids, AreSixteenHexDigitsAndDistinct) {
  const std::string a = new_id();
  const std::string b = new_id();
  EXPECT_TRUE(is_valid_id(a));
  EXPECT_NE(a, b);
  EXPECT_FALSE(is_valid_id("../../etc/passwd"));
  EXPECT_FALSE(is_valid_id("0123456789abcdeg"));
  EXPECT_FALSE(is_valid_id("0123456789abcde"));
}

TEST(UploadMagic, ChecksNpyAndTflite) {
  EXPECT_EQ(check_upload_magic("calibration", ".npy", std::string_view("\x93NUMPY\x01\x00", 8)), "");
  EXPECT_NE(check_upload_magic("calibration", ".npy", "PK\x03\x04"), "");
  EXPECT_EQ(check_upload_magic("model", ".tflite", std::string_view("\x1c\0\0\0TFL3", 8)), "");
  EXPECT_NE(check_upload_magic("model", ".tflite", std::string_view("\0\0\0\0\0\0\0\0", 8)), "");
  EXPECT_EQ(check_upload_magic("model", ".onnx", "anything"), "");  // ONNX has no magic
}

TEST(UploadFile, StopsAtTheLimitAndKeepsNothing) {
  const auto dir = std::filesystem::temp_directory_path() / ("octet_upload_test_" + new_id());
  std::filesystem::create_directories(dir);
  {
    UploadFile file(dir / "a.npy", 10);
    EXPECT_TRUE(file.write("0123456789", 10));
    EXPECT_FALSE(file.write("x", 1));
    EXPECT_TRUE(file.over_limit());
    EXPECT_EQ(file.bytes(), 10U);
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir));  // no .part left, nothing committed
  {
    UploadFile file(dir / "b.npy", 10);
    EXPECT_TRUE(file.write("abc", 3));
    file.commit();
  }
  std::ifstream in(dir / "b.npy");
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "abc");
  EXPECT_FALSE(std::filesystem::exists(dir / "b.npy.part"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace octet::serve
