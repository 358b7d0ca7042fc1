#pragma once
// Helpers shared by the reference kernels: one-line errors naming the op,
// input validation for Prepare, TFLite's padding arithmetic, fused
// activations, and index walking over strided and broadcast shapes.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <fmt/ranges.h>

#include "core/error.h"
#include "runtime/kernel.h"

namespace octet::reference {

// "op 'NAME' (TYPE)", the prefix of every kernel error.
std::string op_label(const Op& op);

template <typename... Args>
Error op_fail(const KernelContext& context, fmt::format_string<Args...> format, Args&&... args) {
  return Error(fmt::format("{}: {}", op_label(context.op), fmt::format(format, std::forward<Args>(args)...)));
}

// Input i, which must be present.
const Tensor& input_tensor(const KernelContext& context, std::size_t i);
// The graph's declared output i (CAST and QUANTIZE read their output dtype from it).
const Tensor& declared_output(const KernelContext& context, std::size_t i);

// "input 1 ('w')" for messages.
std::string input_label(const KernelContext& context, std::size_t i);

void require_rank(const KernelContext& context, std::size_t i, std::size_t rank);
void require_dtype(const KernelContext& context, std::size_t i, DType dtype);
// Input i's dtype must be one of `allowed`.
void require_dtype_in(const KernelContext& context, std::size_t i, std::initializer_list<DType> allowed);
// Input i must be present and constant.
const Tensor& require_constant(const KernelContext& context, std::size_t i);
// The values of constant int32 or int64 input i (axes, shapes, perms, paddings, ...).
std::vector<std::int64_t> constant_ints(const KernelContext& context, std::size_t i);
// A constant int32/int64 input holding exactly one value (a scalar or a 1-element vector).
std::int64_t constant_scalar_int(const KernelContext& context, std::size_t i);
// Maps axis in [-rank, rank) to [0, rank); `what` names it in the message.
std::size_t normalize_axis(const KernelContext& context, std::int64_t axis, std::size_t rank, std::string_view what);

// Integer value of a tensor element of any integer dtype (index tensors in Eval).
std::int64_t read_int(const TensorView& view, std::size_t i);

// TFLite's ComputeOutSize: output extent of a window op along one dimension.
std::int64_t window_output_size(Padding padding, std::int64_t in, std::int64_t filter, std::int64_t stride,
                                std::int64_t dilation);
// TFLite's ComputePaddingWithOffset: the padding before (top/left); any odd
// extra padding goes after (bottom/right).
std::int64_t window_padding_before(std::int64_t in, std::int64_t filter, std::int64_t stride, std::int64_t dilation,
                                   std::int64_t out);
// Validates stride/dilation (>= 1) and that the VALID window fits; returns the output size.
std::int64_t checked_window_output(const KernelContext& context, Padding padding, std::int64_t in,
                                   std::int64_t filter, std::int64_t stride, std::int64_t dilation,
                                   std::string_view axis_name);

// Fused activations. TANH is applied as tanh (TFLite's built-in CONV_2D, ADD,
// ... kernels only clamp, and silently ignore a fused TANH: passes must not
// fuse one into them).
float apply_activation(float x, Activation activation);
template <typename T>
T apply_int_activation(T x, Activation activation) {
  switch (activation) {
    case Activation::kRelu: return std::max<T>(x, 0);
    case Activation::kRelu6: return std::clamp<T>(x, 0, 6);
    case Activation::kReluN1To1: return std::clamp<T>(x, -1, 1);
    case Activation::kNone:
    case Activation::kTanh: return x;
  }
  return x;
}
std::string_view activation_name(Activation activation);
// A fused activation on a non-float output: only the clamping ones make sense.
void require_activation_supported(const KernelContext& context, Activation activation, DType dtype);

// Row-major strides (in elements) of a shape.
std::vector<std::int64_t> strides_of(const Shape& shape);
// Numpy broadcasting of two shapes; throws naming the op on mismatch.
Shape broadcast_shapes(const KernelContext& context, const Shape& a, const Shape& b);
// Strides of `shape` as seen from a broadcast output of rank `rank`: leading
// and size-1 dimensions get stride 0.
std::vector<std::int64_t> broadcast_strides(const Shape& shape, std::size_t rank);

// Row-major walk over the indices of a shape carrying two offsets that
// advance by per-dimension strides (any sign). Out of line: GCC 12 reports a
// false -Wfree-nonheap-object when this loop is inlined at -O3.
class Odometer {
 public:
  Odometer(const Shape& shape, const std::vector<std::int64_t>& strides_a, std::int64_t base_a,
           const std::vector<std::int64_t>& strides_b, std::int64_t base_b);
  std::int64_t a() const { return a_; }
  std::int64_t b() const { return b_; }
  void next();

 private:
  const Shape& shape_;
  const std::vector<std::int64_t>& strides_a_;
  const std::vector<std::int64_t>& strides_b_;
  std::vector<std::int64_t> index_;
  std::int64_t a_;
  std::int64_t b_;
};

// Visits every index of `shape` in row-major order, calling f(out_index,
// offset_a, offset_b) where the offsets advance by strides_a / strides_b
// (one entry per dimension, any sign) from base_a / base_b.
template <typename F>
void walk2(const Shape& shape, const std::vector<std::int64_t>& strides_a, std::int64_t base_a,
           const std::vector<std::int64_t>& strides_b, std::int64_t base_b, F&& f) {
  const std::int64_t total = element_count(shape);
  Odometer odometer(shape, strides_a, base_a, strides_b, base_b);
  for (std::int64_t i = 0; i < total; ++i) {
    f(i, odometer.a(), odometer.b());
    odometer.next();
  }
}

template <typename F>
void walk1(const Shape& shape, const std::vector<std::int64_t>& strides, std::int64_t base, F&& f) {
  const std::vector<std::int64_t> none(shape.size(), 0);
  walk2(shape, strides, base, none, 0, [&](std::int64_t i, std::int64_t a, std::int64_t) { f(i, a); });
}

// Calls f(std::type_identity<T>{}) for the C++ type of `dtype`; float16 has no
// arithmetic type here and is rejected by the callers' Prepare.
template <typename F>
void visit_dtype(DType dtype, F&& f) {
  switch (dtype) {
    case DType::kFloat32: f(std::type_identity<float>{}); return;
    case DType::kInt8: f(std::type_identity<std::int8_t>{}); return;
    case DType::kUint8: f(std::type_identity<std::uint8_t>{}); return;
    case DType::kInt16: f(std::type_identity<std::int16_t>{}); return;
    case DType::kInt32: f(std::type_identity<std::int32_t>{}); return;
    case DType::kInt64: f(std::type_identity<std::int64_t>{}); return;
    case DType::kBool: f(std::type_identity<bool>{}); return;
    case DType::kFloat16: break;
  }
  throw fail("reference kernel: no arithmetic type for {}", dtype_name(dtype));
}

// Copies `count` elements of `size` bytes.
inline void copy_elements(std::byte* dst, const std::byte* src, std::int64_t count, std::size_t size) {
  if (count > 0) std::memcpy(dst, src, static_cast<std::size_t>(count) * size);
}

inline std::size_t to_size(std::int64_t v) { return static_cast<std::size_t>(v); }

}  // namespace octet::reference
