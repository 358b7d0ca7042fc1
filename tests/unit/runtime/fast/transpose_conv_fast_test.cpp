// TRANSPOSE_CONV: the XNNPACK deconvolution kernel (xnn_transpose_conv.cpp)
// against the reference kernel over odd and boundary sizes and channel
// counts, filters, strides, SAME/VALID, output shapes at, above and below
// the nominal size, every fused activation, with and without bias, at 1 and
// 2 threads.

#include "fast_test_util.h"
#include "runtime/reference/common.h"

namespace octet::test::fast {
namespace {

constexpr int kFilters[] = {1, 2, 3, 4};
constexpr int kStrides[] = {1, 2, 3};
// Output size minus the nominal one (VALID: (in - 1) stride + filter, SAME: in stride).
constexpr std::int64_t kExtra[] = {0, 1, -1, 0};
constexpr int kCases = 32;

// Whether XNNPACK's deconvolution can produce `out` pixels: its output is
// stride (in - 1) + filter cropped by TFLite's padding, plus fewer than
// `stride` rows of bias only.
bool expressible(std::int64_t in, std::int64_t out, std::int64_t filter, int stride, Padding padding) {
  const std::int64_t before = reference::window_padding_before(
      out, filter, stride, 1, reference::window_output_size(padding, out, filter, stride, 1));
  const std::int64_t missing = out + before - (stride * (in - 1) + filter);
  return missing < stride;
}

template <typename T, std::size_t N>
T pick(const T (&values)[N], int i) {
  return values[static_cast<std::size_t>(i) % N];
}

TEST(FastTransposeConv, MatchesReference) {
  Random random;
  for (int i = 0; i < kCases; ++i) {
    TransposeConvOptions o;
    o.padding = i % 2 == 0 ? Padding::kSame : Padding::kValid;
    o.stride_h = pick(kStrides, i / 2);
    o.stride_w = pick(kStrides, i / 3);
    o.activation = pick(kActivations, i);
    TransposeConvOptions linear = o;
    linear.activation = Activation::kNone;
    const int filter = pick(kFilters, i / 4);
    const std::int64_t in_h = pick(kSizes, i * 5) % 9 + 1;
    const std::int64_t in_w = pick(kSizes, i * 3 + 1) % 9 + 1;
    const std::int64_t in_c = pick(kSizes, i);
    const std::int64_t out_c = pick(kSizes, i * 7 + 2);
    const auto nominal = [&](std::int64_t in, int stride) {
      return o.padding == Padding::kSame ? in * stride : (in - 1) * stride + filter;
    };
    const std::int64_t out_h = std::max<std::int64_t>(1, nominal(in_h, o.stride_h) + pick(kExtra, i / 2));
    const std::int64_t out_w = std::max<std::int64_t>(1, nominal(in_w, o.stride_w) + pick(kExtra, i / 5));
    const bool bias = i % 4 != 3;
    std::vector<Arg> args = {
        i32({1, static_cast<std::int32_t>(out_h), static_cast<std::int32_t>(out_w), static_cast<std::int32_t>(out_c)}),
        random_constant(random, {out_c, filter, filter, in_c}), random_in(random, {1, in_h, in_w, in_c})};
    if (bias) args.push_back(random_constant(random, {out_c}));
    // XNNPACK can add fewer than `stride` rows no input reaches; TANH is no clamp.
    const bool fast = expressible(in_h, out_h, filter, o.stride_h, o.padding) &&
                      expressible(in_w, out_w, filter, o.stride_w, o.padding) && o.activation != Activation::kTanh;
    expect_fast_matches(fmt::format("case {}: {}x{}x{} -> {}x{}x{} filter {} stride {}x{} {} {} {}", i, in_h, in_w,
                                    in_c, out_h, out_w, out_c, filter, o.stride_h, o.stride_w,
                                    o.padding == Padding::kSame ? "SAME" : "VALID", activation_label(o.activation),
                                    bias ? "bias" : "no bias"),
                        OpType::kTransposeConv, o, linear, args, fast ? Expect::kFast : Expect::kReference);
  }
}

}  // namespace
}  // namespace octet::test::fast
