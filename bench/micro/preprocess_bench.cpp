// Micro-benchmarks of the per-image preprocessing that follows decoding
// (letterbox or stretch, float conversion, /255). Decoding itself is OpenCV's.
//   cmake --preset release -DOCTET_BUILD_BENCHMARKS=ON && cmake --build build
//   build/bench/micro/octet_micro_bench

#include <benchmark/benchmark.h>

#include <vector>

#include "dataset/image_preprocess.h"

namespace {

// A deterministic 0.8 MP photo-sized test pattern (1094 x 731).
cv::Mat test_image() {
  cv::Mat image(731, 1094, CV_8UC3);
  for (int y = 0; y < image.rows; ++y) {
    for (int x = 0; x < image.cols; ++x) {
      image.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<std::uint8_t>(x), static_cast<std::uint8_t>(y),
                                            static_cast<std::uint8_t>(x ^ y));
    }
  }
  return image;
}

void BM_Preprocess(benchmark::State& state) {
  octet::PreprocessOptions options;
  options.width = options.height = static_cast<int>(state.range(0));
  options.resize = state.range(1) == 0 ? octet::ResizeMode::kLetterbox : octet::ResizeMode::kStretch;
  const cv::Mat image = test_image();
  std::vector<float> out(options.values_per_image());
  for (auto _ : state) {
    octet::preprocess_image(image, options, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Preprocess)->ArgsProduct({{224, 640}, {0, 1}})->ArgNames({"size", "stretch"});

}  // namespace
