#include "dataset/image_preprocess.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace octet {

namespace fs = std::filesystem;

std::string_view to_string(ResizeMode mode) {
  return mode == ResizeMode::kLetterbox ? "letterbox" : "stretch";
}
std::string_view to_string(ColorOrder order) { return order == ColorOrder::kBgr ? "bgr" : "rgb"; }
std::string_view to_string(Layout layout) { return layout == Layout::kNhwc ? "nhwc" : "nchw"; }

std::size_t PreprocessOptions::values_per_image() const {
  return static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * kChannels;
}

namespace {

// Python's round() for the values the seed rounds: half to even.
int round_half_even(double value) { return static_cast<int>(std::nearbyint(value)); }

std::string open_error(const fs::path& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return std::string("cannot open: ") + std::strerror(errno);
  std::fclose(file);
  return {};
}

}  // namespace

DecodedImage decode_image(const fs::path& path) {
  DecodedImage result;
  if (std::string error = open_error(path); !error.empty()) {
    result.error = std::move(error);
    return result;
  }
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0 && info.st_size == 0) {
    result.error = "empty file (0 bytes)";
    return result;
  }
  try {
    if (!cv::haveImageReader(path.string())) {
      result.error = "not an image OpenCV can decode (unrecognised file content)";
      return result;
    }
    result.bgr = cv::imread(path.string(), cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    result.error = "OpenCV failed to decode it: " + e.err;
    return result;
  }
  if (result.bgr.empty()) {
    result.error = "OpenCV failed to decode it (corrupt or truncated data, or over OpenCV's pixel limit)";
  }
  return result;
}

cv::Mat letterbox(const cv::Mat& image, int width, int height) {
  const int rows = image.rows;
  const int cols = image.cols;
  const double ratio = std::min(static_cast<double>(height) / rows, static_cast<double>(width) / cols);
  // The seed would ask OpenCV for a zero-sized image here and lose the file;
  // octet keeps at least one pixel (docs/prepare.md, "Differences").
  const int new_cols = std::max(1, round_half_even(cols * ratio));
  const int new_rows = std::max(1, round_half_even(rows * ratio));

  cv::Mat resized = image;
  if (new_cols != cols || new_rows != rows) {
    cv::resize(image, resized, cv::Size(new_cols, new_rows), 0, 0, cv::INTER_LINEAR);
  }
  // The seed's split: odd padding puts the extra pixel on the right/bottom.
  constexpr double kSplitBias = 0.1;
  const double half_width = (width - new_cols) / 2.0;
  const double half_height = (height - new_rows) / 2.0;
  const int left = round_half_even(half_width - kSplitBias);
  const int right = round_half_even(half_width + kSplitBias);
  const int top = round_half_even(half_height - kSplitBias);
  const int bottom = round_half_even(half_height + kSplitBias);

  cv::Mat padded;
  const cv::Scalar grey(kLetterboxPadValue, kLetterboxPadValue, kLetterboxPadValue);
  cv::copyMakeBorder(resized, padded, top, bottom, left, right, cv::BORDER_CONSTANT, grey);
  return padded;
}

void preprocess_image(const cv::Mat& bgr, const PreprocessOptions& options, float* out) {
  cv::Mat image = bgr;
  if (options.color == ColorOrder::kRgb) cv::cvtColor(bgr, image, cv::COLOR_BGR2RGB);

  cv::Mat sized;
  if (options.resize == ResizeMode::kLetterbox) {
    sized = letterbox(image, options.width, options.height);
  } else {
    cv::resize(image, sized, cv::Size(options.width, options.height), 0, 0, cv::INTER_LINEAR);
  }
  CV_Assert(sized.type() == CV_8UC3 && sized.cols == options.width && sized.rows == options.height);

  const bool affine = options.mean != std::array<float, kChannels>{0.0F, 0.0F, 0.0F} ||
                      options.std != std::array<float, kChannels>{1.0F, 1.0F, 1.0F};
  const auto width = static_cast<std::size_t>(options.width);
  const std::size_t row_values = width * kChannels;
  const std::size_t plane = width * static_cast<std::size_t>(options.height);
  std::vector<float> nchw_row(options.layout == Layout::kNchw ? row_values : 0);

  for (int y = 0; y < sized.rows; ++y) {
    const std::uint8_t* src = sized.ptr<std::uint8_t>(y);
    float* row = options.layout == Layout::kNhwc ? out + static_cast<std::size_t>(y) * row_values
                                                 : nchw_row.data();
    // The same float32 operations, in the same order, as the script's numpy
    // code; each loop is a straight vectorisable pass over the row.
    for (std::size_t i = 0; i < row_values; ++i) row[i] = static_cast<float>(src[i]);
    if (options.normalize) {
      for (std::size_t i = 0; i < row_values; ++i) row[i] = row[i] / kNormalizeDivisor;
    }
    if (affine) {
      for (std::size_t i = 0; i < row_values; ++i) {
        const std::size_t c = i % kChannels;
        row[i] = (row[i] - options.mean[c]) / options.std[c];
      }
    }
    if (options.layout == Layout::kNchw) {
      const std::size_t offset = static_cast<std::size_t>(y) * width;
      for (std::size_t x = 0; x < width; ++x) {
        for (std::size_t c = 0; c < kChannels; ++c) out[c * plane + offset + x] = row[x * kChannels + c];
      }
    }
  }
}

}  // namespace octet
