#pragma once
// Per-image preprocessing of a calibration set, identical to the LaunchX seed
// script (docs/prepare.md): OpenCV decode as cv2.imread does, optional
// BGR->RGB, letterbox or stretch resize, float32, /255, optional mean/std.

#include <array>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include <opencv2/core/mat.hpp>

namespace octet {

enum class ResizeMode { kLetterbox, kStretch };
enum class ColorOrder { kBgr, kRgb };
enum class Layout { kNhwc, kNchw };

std::string_view to_string(ResizeMode mode);
std::string_view to_string(ColorOrder order);
std::string_view to_string(Layout layout);

// The letterbox border colour of the seed script (YOLO's grey), per channel.
inline constexpr int kLetterboxPadValue = 114;
// --normalize divides 8-bit values by this, in float32.
inline constexpr float kNormalizeDivisor = 255.0F;
inline constexpr int kChannels = 3;
// Largest --size side octet accepts.
inline constexpr int kMaxSide = 16384;

struct PreprocessOptions {
  int width = 0;   // output width in pixels
  int height = 0;  // output height in pixels
  ResizeMode resize = ResizeMode::kLetterbox;
  ColorOrder color = ColorOrder::kBgr;
  bool normalize = true;
  // Applied after normalisation as (x - mean) / std, in output channel order.
  std::array<float, kChannels> mean{0.0F, 0.0F, 0.0F};
  std::array<float, kChannels> std{1.0F, 1.0F, 1.0F};
  Layout layout = Layout::kNhwc;

  std::size_t values_per_image() const;
};

// The outcome of decoding one file: an 8-bit 3-channel BGR image, or why not.
struct DecodedImage {
  cv::Mat bgr;
  std::string error;  // empty on success
};

// Decodes as cv2.imread(path) does (IMREAD_COLOR: 3-channel BGR 8-bit, EXIF
// orientation applied), with a reason on failure instead of an empty Mat.
DecodedImage decode_image(const std::filesystem::path& path);

// The seed's _img_padding: scale to fit (width, height) keeping aspect ratio,
// rounding half to even like Python's round(), INTER_LINEAR, then pad with
// kLetterboxPadValue, splitting odd padding with the seed's +-0.1 rule.
cv::Mat letterbox(const cv::Mat& image, int width, int height);

// Turns a decoded image into values_per_image() floats at `out`.
void preprocess_image(const cv::Mat& bgr, const PreprocessOptions& options, float* out);

}  // namespace octet
