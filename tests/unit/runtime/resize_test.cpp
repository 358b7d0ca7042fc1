// RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR of the 2x3 image
// [[0, 1, 4], [2, 8, 3]]. Goldens (make_goldens.py): OpenCV's INTER_LINEAR for
// bilinear half_pixel_centers, INTER_NEAREST for the legacy nearest mode, and
// the align_corners / legacy bilinear formulas in numpy; the other nearest
// modes by hand.

#include "runtime_test_util.h"

namespace octet::test {
namespace {

const std::vector<float> kImage = {0, 1, 4, 2, 8, 3};

ResizeOptions mode(bool align_corners, bool half_pixel_centers) {
  ResizeOptions o;
  o.align_corners = align_corners;
  o.half_pixel_centers = half_pixel_centers;
  return o;
}

std::vector<float> resize(OpType type, const ResizeOptions& o, std::int32_t h, std::int32_t w) {
  const Result r = run_op(type, o, {in({1, 2, 3, 1}, kImage), i32({h, w})});
  EXPECT_EQ(r.shape(), (Shape{1, h, w, 1}));
  return r.floats();
}

TEST(RuntimeResizeBilinear, Legacy) {
  expect_close(resize(OpType::kResizeBilinear, mode(false, false), 3, 5), {0.0F, 0.6F, 1.6F, 3.4F, 4.0F, 1.33333333F, 3.93333333F, 5.2F, 3.8F, 3.33333333F, 2.0F, 5.6F,
    7.0F, 4.0F, 3.0F});
}

TEST(RuntimeResizeBilinear, AlignCorners) {
  expect_close(resize(OpType::kResizeBilinear, mode(true, false), 3, 5), {0.0F, 0.5F, 1.0F, 2.5F, 4.0F, 1.0F, 2.75F, 4.5F, 4.0F, 3.5F, 2.0F, 5.0F, 8.0F, 5.5F, 3.0F});
}

TEST(RuntimeResizeBilinear, HalfPixelCenters) {
  expect_close(resize(OpType::kResizeBilinear, mode(false, true), 3, 5), {0.0F, 0.400000036F, 1.0F, 2.80000019F, 4.0F, 1.0F, 2.4000001F, 4.5F, 3.9000001F, 3.5F, 2.0F,
    4.4000001F, 8.0F, 5.0F, 3.0F});
  expect_close(resize(OpType::kResizeBilinear, mode(false, true), 1, 2), {1.875F, 3.75F});
}

TEST(RuntimeResizeBilinear, BatchesAndChannelsAreIndependent) {
  // Batch 0: channels (img, -img); batch 1: (img + 1, -(img + 1)).
  std::vector<float> x;
  for (int b = 0; b < 2; ++b) {
    for (const float v : kImage) {
      x.push_back(v + static_cast<float>(b));
      x.push_back(-(v + static_cast<float>(b)));
    }
  }
  const Result r = run_op(OpType::kResizeBilinear, mode(false, true), {in({2, 2, 3, 2}, x), i32({3, 5})});
  const std::vector<float> g = {0.0F, 0.400000036F, 1.0F, 2.80000019F, 4.0F, 1.0F, 2.4000001F, 4.5F, 3.9000001F, 3.5F, 2.0F,
    4.4000001F, 8.0F, 5.0F, 3.0F};
  std::vector<float> expected;
  for (int b = 0; b < 2; ++b) {
    for (const float v : g) {
      expected.push_back(v + static_cast<float>(b));
      expected.push_back(-(v + static_cast<float>(b)));
    }
  }
  expect_close(r.floats(), expected);
}

TEST(RuntimeResizeBilinear, AlignCornersAndHalfPixelCentersExclude) {
  EXPECT_NE(op_error(OpType::kResizeBilinear, mode(true, true), {in({1, 2, 3, 1}, kImage), i32({3, 5})})
                .find("op 'op' (RESIZE_BILINEAR): align_corners and half_pixel_centers cannot both be set"),
            std::string::npos);
  EXPECT_NE(op_error(OpType::kResizeBilinear, mode(false, false), {in({1, 2, 3, 1}, kImage), i32({0, 5})})
                .find("size must hold two positive values"),
            std::string::npos);
}

TEST(RuntimeResizeNearestNeighbor, Legacy) {
  expect_close(resize(OpType::kResizeNearestNeighbor, mode(false, false), 3, 5), {0.0F, 0.0F, 1.0F, 1.0F, 4.0F, 0.0F, 0.0F, 1.0F, 1.0F, 4.0F, 2.0F, 2.0F, 8.0F, 8.0F, 3.0F});
}

TEST(RuntimeResizeNearestNeighbor, HalfPixelCenters) {
  // floor((dst + 0.5) * in / out) in float, as TF and TFLite compute it. Rows:
  // 0.33, 1.0, 1.67 -> 0, 1, 1 (OpenCV's INTER_NEAREST_EXACT, fixed point,
  // gives 0 for the exact 1.0); columns: 0.3, 0.9, 1.5, 2.1, 2.7 -> 0, 0, 1, 2, 2.
  expect_close(resize(OpType::kResizeNearestNeighbor, mode(false, true), 3, 5),
               {0, 0, 1, 4, 4, 2, 2, 8, 3, 3, 2, 2, 8, 3, 3});
}

TEST(RuntimeResizeNearestNeighbor, AlignCornersRoundsHalfAwayFromZero) {
  // Rows: round(y * 1/2) = 0, 1, 1; columns: round(x * 2/4) = 0, 1, 1, 2, 2.
  expect_close(resize(OpType::kResizeNearestNeighbor, mode(true, false), 3, 5),
               {0, 1, 1, 4, 4, 2, 8, 8, 3, 3, 2, 8, 8, 3, 3});
}

TEST(RuntimeResizeNearestNeighbor, CopiesAnyDtype) {
  const Result r = run_op(OpType::kResizeNearestNeighbor, mode(false, false),
                          {in<std::int8_t>({1, 1, 2, 1}, {-5, 7}), i32({2, 4})});
  EXPECT_EQ(r.values<std::int8_t>(), (std::vector<std::int8_t>{-5, -5, 7, 7, -5, -5, 7, 7}));
}

}  // namespace
}  // namespace octet::test
