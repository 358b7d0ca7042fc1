// RESIZE_BILINEAR: the XNNPACK kernel (xnn_resize.cpp) against the reference
// kernel in TFLite's legacy and align_corners modes, up- and downscaling over
// odd and boundary sizes, at 1 and 2 threads; half_pixel_centers, whose
// coordinate XNNPACK rounds differently, stays on the reference kernel.

#include "fast_test_util.h"

namespace octet::test::fast {
namespace {

TEST(FastResizeBilinear, MatchesReference) {
  Random random;
  int i = 0;
  for (const std::int64_t in_size : kSizes) {
    for (const std::int64_t out_size : {std::int64_t{1}, std::int64_t{4}, std::int64_t{13}, std::int64_t{32}}) {
      for (int mode = 0; mode < 3; ++mode) {
        ResizeOptions o;
        o.align_corners = mode == 1;
        o.half_pixel_centers = mode == 2;
        const std::int64_t in_w = kSizes[static_cast<std::size_t>(i) % std::size(kSizes)];
        const std::int64_t out_w = out_size + i % 3;
        const std::int64_t channels = kSizes[static_cast<std::size_t>(i * 3 + 1) % std::size(kSizes)];
        // The interpolation's sums of products scale with the pixel values themselves.
        expect_fast_matches(fmt::format("{}x{}x{} -> {}x{} {}", in_size, in_w, channels, out_size, out_w,
                                        mode == 0 ? "legacy" : mode == 1 ? "align_corners" : "half_pixel_centers"),
                            OpType::kResizeBilinear, o, o,
                            {random_in(random, {1, in_size, in_w, channels}, -4.0F, 4.0F),
                             i32({static_cast<std::int32_t>(out_size), static_cast<std::int32_t>(out_w)})},
                            o.half_pixel_centers ? Expect::kReference : Expect::kFast);
        ++i;
      }
    }
  }
}

}  // namespace
}  // namespace octet::test::fast
