#pragma once
// Typed options of IR operators. IR operators follow TensorFlow Lite's
// semantics (NHWC activations, OHWI convolution filters, 1HWO depthwise
// filters, [out, in] fully-connected weights), so the TFLite writer and reader
// map them one to one; the ONNX importer and the passes produce them.

#include <cstdint>
#include <variant>
#include <vector>

#include "core/dtype.h"

namespace octet {

// An activation fused into the op that produces a tensor.
enum class Activation : std::uint8_t { kNone, kRelu, kReluN1To1, kRelu6, kTanh };
enum class Padding : std::uint8_t { kSame, kValid };

struct NoOptions {
  bool operator==(const NoOptions&) const = default;
};
struct Conv2DOptions {
  Padding padding = Padding::kValid;
  int stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  Activation activation = Activation::kNone;
  bool operator==(const Conv2DOptions&) const = default;
};
struct DepthwiseConv2DOptions {
  Padding padding = Padding::kValid;
  int stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int depth_multiplier = 1;
  Activation activation = Activation::kNone;
  bool operator==(const DepthwiseConv2DOptions&) const = default;
};
struct TransposeConvOptions {
  Padding padding = Padding::kValid;
  int stride_h = 1, stride_w = 1;
  Activation activation = Activation::kNone;
  bool operator==(const TransposeConvOptions&) const = default;
};
struct Pool2DOptions {
  Padding padding = Padding::kValid;
  int stride_h = 1, stride_w = 1, filter_h = 1, filter_w = 1;
  Activation activation = Activation::kNone;
  bool operator==(const Pool2DOptions&) const = default;
};
struct FullyConnectedOptions {
  Activation activation = Activation::kNone;
  bool keep_num_dims = false;
  bool operator==(const FullyConnectedOptions&) const = default;
};
struct BatchMatMulOptions {
  bool adj_x = false, adj_y = false;
  bool operator==(const BatchMatMulOptions&) const = default;
};
// ADD, SUB, MUL, DIV.
struct BinaryOptions {
  Activation activation = Activation::kNone;
  bool operator==(const BinaryOptions&) const = default;
};
struct ConcatenationOptions {
  int axis = 0;
  Activation activation = Activation::kNone;
  bool operator==(const ConcatenationOptions&) const = default;
};
struct SoftmaxOptions {
  float beta = 1.0F;
  bool operator==(const SoftmaxOptions&) const = default;
};
// MEAN, SUM, REDUCE_MAX, REDUCE_MIN; the axes are the second input.
struct ReducerOptions {
  bool keep_dims = false;
  bool operator==(const ReducerOptions&) const = default;
};
struct LeakyReluOptions {
  float alpha = 0.2F;
  bool operator==(const LeakyReluOptions&) const = default;
};
struct ResizeOptions {
  bool align_corners = false;
  bool half_pixel_centers = false;
  bool operator==(const ResizeOptions&) const = default;
};
struct GatherOptions {
  int axis = 0;
  int batch_dims = 0;
  bool operator==(const GatherOptions&) const = default;
};
struct SplitOptions {
  int num_splits = 1;
  bool operator==(const SplitOptions&) const = default;
};
struct StridedSliceOptions {
  int begin_mask = 0, end_mask = 0, ellipsis_mask = 0, new_axis_mask = 0, shrink_axis_mask = 0;
  bool operator==(const StridedSliceOptions&) const = default;
};
struct SqueezeOptions {
  std::vector<int> squeeze_dims;
  bool operator==(const SqueezeOptions&) const = default;
};
// ARG_MAX, ARG_MIN.
struct ArgOptions {
  DType output_type = DType::kInt32;
  bool operator==(const ArgOptions&) const = default;
};
struct PackOptions {
  int values_count = 0;
  int axis = 0;
  bool operator==(const PackOptions&) const = default;
};
struct CastOptions {
  DType output_type = DType::kFloat32;
  bool operator==(const CastOptions&) const = default;
};
struct GeluOptions {
  bool approximate = false;
  bool operator==(const GeluOptions&) const = default;
};

using OpOptions =
    std::variant<NoOptions, Conv2DOptions, DepthwiseConv2DOptions, TransposeConvOptions, Pool2DOptions,
                 FullyConnectedOptions, BatchMatMulOptions, BinaryOptions, ConcatenationOptions,
                 SoftmaxOptions, ReducerOptions, LeakyReluOptions, ResizeOptions, GatherOptions,
                 SplitOptions, StridedSliceOptions, SqueezeOptions, ArgOptions, PackOptions, CastOptions, GeluOptions>;

}  // namespace octet
