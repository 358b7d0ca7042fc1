#include "dataset/image_preprocess.h"

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "test_util.h"

namespace octet {
namespace {

// A w x h BGR image whose every pixel is (b, g, r).
cv::Mat solid(int width, int height, int b, int g, int r) {
  return {height, width, CV_8UC3, cv::Scalar(b, g, r)};
}

// Row/column extent of the non-grey area of a letterboxed solid image.
struct Box {
  int top, bottom, left, right;
};
Box content_box(const cv::Mat& image) {
  Box box{image.rows, -1, image.cols, -1};
  for (int y = 0; y < image.rows; ++y) {
    for (int x = 0; x < image.cols; ++x) {
      if (image.at<cv::Vec3b>(y, x) != cv::Vec3b(kLetterboxPadValue, kLetterboxPadValue, kLetterboxPadValue)) {
        box.top = std::min(box.top, y);
        box.bottom = std::max(box.bottom, y);
        box.left = std::min(box.left, x);
        box.right = std::max(box.right, x);
      }
    }
  }
  return box;
}

TEST(Letterbox, WideImageIsPaddedTopAndBottomEvenly) {
  // 100x50 into 64x64: ratio 0.64, content 64x32, 16 grey rows above and below.
  const cv::Mat out = letterbox(solid(100, 50, 10, 20, 30), 64, 64);
  ASSERT_EQ(out.size(), cv::Size(64, 64));
  const Box box = content_box(out);
  EXPECT_EQ(box.top, 16);
  EXPECT_EQ(box.bottom, 47);
  EXPECT_EQ(box.left, 0);
  EXPECT_EQ(box.right, 63);
  EXPECT_EQ(out.at<cv::Vec3b>(0, 0), cv::Vec3b(114, 114, 114));
  EXPECT_EQ(out.at<cv::Vec3b>(32, 32), cv::Vec3b(10, 20, 30));
}

TEST(Letterbox, RoundsHalfToEvenLikePython) {
  // 4x2 into 5x5: ratio 1.25, height 2*1.25 = 2.5 rounds to 2 (not 3), so 3
  // grey rows: round(1.5-0.1)=1 on top, round(1.5+0.1)=2 below.
  const cv::Mat out = letterbox(solid(4, 2, 1, 2, 3), 5, 5);
  ASSERT_EQ(out.size(), cv::Size(5, 5));
  const Box box = content_box(out);
  EXPECT_EQ(box.top, 1);
  EXPECT_EQ(box.bottom, 2);
  EXPECT_EQ(box.left, 0);
  EXPECT_EQ(box.right, 4);
}

TEST(Letterbox, OddHorizontalPaddingPutsExtraColumnRight) {
  // 2x4 into 5x5: ratio 1.25, width 2.5 -> 2, 3 grey columns: 1 left, 2 right.
  const Box box = content_box(letterbox(solid(2, 4, 1, 2, 3), 5, 5));
  EXPECT_EQ(box.left, 1);
  EXPECT_EQ(box.right, 2);
  EXPECT_EQ(box.top, 0);
  EXPECT_EQ(box.bottom, 4);
}

TEST(Letterbox, SameSizeIsUntouchedAndNonSquareTargetsWork) {
  const cv::Mat in = solid(8, 6, 5, 6, 7);
  const cv::Mat same = letterbox(in, 8, 6);
  EXPECT_EQ(cv::norm(same, in, cv::NORM_INF), 0.0);
  // 8x6 into 16x6 (width x height): ratio min(1, 2) = 1, 8 grey columns, 4 each side.
  const Box box = content_box(letterbox(in, 16, 6));
  EXPECT_EQ(box.left, 4);
  EXPECT_EQ(box.right, 11);
}

TEST(Letterbox, ExtremeAspectKeepsAtLeastOnePixel) {
  const cv::Mat out = letterbox(solid(3000, 17, 0, 0, 255), 32, 32);
  ASSERT_EQ(out.size(), cv::Size(32, 32));
  const Box box = content_box(out);
  EXPECT_EQ(box.bottom - box.top + 1, 1);
}

PreprocessOptions options(int w, int h) {
  PreprocessOptions o;
  o.width = w;
  o.height = h;
  return o;
}

TEST(Preprocess, NormalizeDividesBy255InFloat) {
  PreprocessOptions o = options(2, 2);
  std::vector<float> out(o.values_per_image());
  preprocess_image(solid(2, 2, 51, 0, 255), o, out.data());
  EXPECT_EQ(out[0], 51.0F / 255.0F);
  EXPECT_EQ(out[1], 0.0F);
  EXPECT_EQ(out[2], 1.0F);
  o.normalize = false;
  preprocess_image(solid(2, 2, 51, 0, 255), o, out.data());
  EXPECT_EQ(out[0], 51.0F);
  EXPECT_EQ(out[2], 255.0F);
}

TEST(Preprocess, RgbSwapsChannelsAndNchwPlanes) {
  PreprocessOptions o = options(2, 1);
  o.normalize = false;
  o.color = ColorOrder::kRgb;
  o.layout = Layout::kNchw;
  std::vector<float> out(o.values_per_image());
  preprocess_image(solid(2, 1, 1, 2, 3), o, out.data());  // BGR (1,2,3) -> RGB (3,2,1)
  EXPECT_EQ(out, (std::vector<float>{3, 3, 2, 2, 1, 1}));
}

TEST(Preprocess, MeanStdAfterNormalisation) {
  PreprocessOptions o = options(1, 1);
  o.mean = {0.5F, 0.0F, 1.0F};
  o.std = {0.5F, 2.0F, 1.0F};
  std::vector<float> out(o.values_per_image());
  preprocess_image(solid(1, 1, 255, 255, 0), o, out.data());
  EXPECT_EQ(out, (std::vector<float>{1.0F, 0.5F, -1.0F}));
}

TEST(Preprocess, StretchIgnoresAspect) {
  PreprocessOptions o = options(4, 3);
  o.resize = ResizeMode::kStretch;
  o.normalize = false;
  std::vector<float> out(o.values_per_image());
  preprocess_image(solid(40, 10, 9, 9, 9), o, out.data());
  for (const float v : out) EXPECT_EQ(v, 9.0F);  // no grey border anywhere
}

TEST(Decode, ReportsWhyAFileIsUnreadable) {
  TempDir dir;
  write_file(dir.path() / "empty.jpg", "");
  write_file(dir.path() / "text.png", "not an image at all");
  const std::string png_signature = "\x89PNG\r\n\x1a\n";
  write_file(dir.path() / "truncated.png", png_signature + std::string(20, '\0'));
  EXPECT_EQ(decode_image(dir.path() / "empty.jpg").error, "empty file (0 bytes)");
  EXPECT_NE(decode_image(dir.path() / "text.png").error.find("unrecognised"), std::string::npos);
  EXPECT_NE(decode_image(dir.path() / "truncated.png").error.find("failed to decode"), std::string::npos);
  EXPECT_NE(decode_image(dir.path() / "missing.jpg").error.find("cannot open"), std::string::npos);
}

TEST(Decode, GreyAndAlphaBecomeThreeChannelBgr) {
  TempDir dir;
  cv::Mat grey(3, 4, CV_8UC1, cv::Scalar(77));
  cv::Mat bgra(3, 4, CV_8UC4, cv::Scalar(1, 2, 3, 0));
  ASSERT_TRUE(cv::imwrite((dir.path() / "grey.png").string(), grey));
  ASSERT_TRUE(cv::imwrite((dir.path() / "bgra.png").string(), bgra));
  const DecodedImage g = decode_image(dir.path() / "grey.png");
  ASSERT_TRUE(g.error.empty()) << g.error;
  EXPECT_EQ(g.bgr.type(), CV_8UC3);
  EXPECT_EQ(g.bgr.at<cv::Vec3b>(1, 1), cv::Vec3b(77, 77, 77));
  const DecodedImage a = decode_image(dir.path() / "bgra.png");
  ASSERT_TRUE(a.error.empty()) << a.error;
  EXPECT_EQ(a.bgr.type(), CV_8UC3);
  EXPECT_EQ(a.bgr.at<cv::Vec3b>(2, 3), cv::Vec3b(1, 2, 3));
}

}  // namespace
}  // namespace octet
