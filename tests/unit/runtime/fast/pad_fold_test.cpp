// PAD folded into the convolution that reads it (src/runtime/fast/fold_pad.h):
// PAD + CONV_2D / DEPTHWISE_CONV_2D graphs, float32 and int8, run with the
// reference kernels and with the fast kernels. The fast run must fold the
// PAD (op_kernel "folded") and agree with the reference: int8 byte for byte,
// float32 within the fast kernels' tolerance. PADs that must not fold (a pad
// value the convolution does not pad with, padded channels, an output read
// twice or returned) run as usual.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/graph.h"
#include "runtime/interpreter.h"

namespace octet::test {
namespace {

struct Paddings {
  std::int32_t top, bottom, left, right;
};

struct Case {
  OpType conv;
  DType dtype;
  Shape input;  // NHWC
  Paddings pad;
  int stride;
  int kernel;
  std::int64_t out_channels;  // CONV_2D; DEPTHWISE keeps the input's channels
  Activation activation;
};

QuantParams quant(std::vector<float> scale, std::vector<std::int64_t> zero_point, int axis = 0) {
  QuantParams q;
  q.scale = std::move(scale);
  q.zero_point = std::move(zero_point);
  q.axis = axis;
  return q;
}

constexpr float kInScale = 0.05F;
constexpr std::int64_t kInZeroPoint = -3;

class Builder {
 public:
  Graph g;
  std::mt19937 rng{7};

  TensorId activation(const std::string& name, DType dtype, Shape shape) {
    Tensor t;
    t.name = name;
    t.dtype = dtype;
    t.shape = std::move(shape);
    if (dtype == DType::kInt8) t.quant = quant({kInScale}, {kInZeroPoint});
    return g.add_tensor(std::move(t));
  }
  TensorId paddings(const Paddings& p, std::int32_t channel_before = 0) {
    const std::vector<std::int32_t> v{0, 0, p.top, p.bottom, p.left, p.right, channel_before, 0};
    return g.add_constant<std::int32_t>(name("paddings"), DType::kInt32, {4, 2}, v);
  }
  // Weights [O, KH, KW, I] (CONV_2D) or [1, KH, KW, O] (DEPTHWISE) and bias.
  std::pair<TensorId, TensorId> weights(const Case& c, std::int64_t in_channels, std::int64_t out_channels) {
    const Shape shape = c.conv == OpType::kConv2D ? Shape{out_channels, c.kernel, c.kernel, in_channels}
                                                  : Shape{1, c.kernel, c.kernel, out_channels};
    const auto count = static_cast<std::size_t>(element_count(shape));
    const int axis = c.conv == OpType::kConv2D ? 0 : 3;
    if (c.dtype == DType::kFloat32) {
      std::uniform_real_distribution<float> d(-1.0F, 1.0F);
      std::vector<float> w(count), b(static_cast<std::size_t>(out_channels));
      for (float& x : w) x = d(rng);
      for (float& x : b) x = d(rng);
      return {g.add_constant<float>(name("w"), DType::kFloat32, shape, w),
              g.add_constant<float>(name("b"), DType::kFloat32, {out_channels}, b)};
    }
    std::uniform_int_distribution<int> d(-127, 127);
    std::vector<std::int8_t> w(count);
    for (std::int8_t& x : w) x = static_cast<std::int8_t>(d(rng));
    std::vector<float> scales(static_cast<std::size_t>(out_channels));
    std::vector<std::int32_t> b(static_cast<std::size_t>(out_channels));
    std::uniform_real_distribution<float> s(0.002F, 0.01F);
    std::uniform_int_distribution<int> bias(-2000, 2000);
    std::vector<float> bias_scales;
    for (std::size_t o = 0; o < scales.size(); ++o) {
      scales[o] = s(rng);
      b[o] = bias(rng);
      bias_scales.push_back(scales[o] * kInScale);
    }
    const TensorId wid = g.add_constant<std::int8_t>(name("w"), DType::kInt8, shape, w);
    g.tensor(wid).quant = quant(scales, std::vector<std::int64_t>(scales.size(), 0), axis);
    const TensorId bid = g.add_constant<std::int32_t>(name("b"), DType::kInt32, {out_channels}, b);
    g.tensor(bid).quant = quant(bias_scales, std::vector<std::int64_t>(scales.size(), 0));
    return {wid, bid};
  }
  std::string name(const std::string& base) { return base + std::to_string(g.tensor_count()); }
};

// x -> PAD -> conv -> y; returns the graph. `tweak` may change the PAD before the conv is added.
Graph pad_conv_graph(const Case& c, bool output_pad_too = false) {
  Builder b;
  const TensorId x = b.activation("x", c.dtype, c.input);
  const Shape padded{c.input[0], c.input[1] + c.pad.top + c.pad.bottom, c.input[2] + c.pad.left + c.pad.right,
                     c.input[3]};
  const TensorId p = b.activation("padded", c.dtype, padded);
  b.g.add_op(OpType::kPad, "pad", {x, b.paddings(c.pad)}, {p}, NoOptions{});
  const std::int64_t out_channels = c.conv == OpType::kConv2D ? c.out_channels : c.input[3];
  const auto [w, bias] = b.weights(c, c.input[3], out_channels);
  const std::int64_t oh = (padded[1] - c.kernel) / c.stride + 1;
  const std::int64_t ow = (padded[2] - c.kernel) / c.stride + 1;
  const TensorId y = b.activation("y", c.dtype, {c.input[0], oh, ow, out_channels});
  if (c.dtype == DType::kInt8) b.g.tensor(y).quant = quant({0.1F}, {5});
  if (c.conv == OpType::kConv2D) {
    b.g.add_op(OpType::kConv2D, "conv", {p, w, bias}, {y},
               Conv2DOptions{.stride_h = c.stride, .stride_w = c.stride, .activation = c.activation});
  } else {
    b.g.add_op(OpType::kDepthwiseConv2D, "conv", {p, w, bias}, {y},
               DepthwiseConv2DOptions{.stride_h = c.stride, .stride_w = c.stride, .activation = c.activation});
  }
  b.g.inputs().push_back(x);
  b.g.outputs().push_back(y);
  if (output_pad_too) b.g.outputs().push_back(p);
  return std::move(b.g);
}

struct Outcome {
  std::vector<std::byte> reference, fast;
  std::string pad_kernel;
};

Outcome run_both(const Graph& g, const Case& c, int threads, KernelSet fast = KernelSet::kFast) {
  std::mt19937 rng(11);
  const auto count = static_cast<std::size_t>(element_count(c.input));
  std::vector<std::byte> input(count * (c.dtype == DType::kInt8 ? 1 : sizeof(float)));
  if (c.dtype == DType::kInt8) {
    std::uniform_int_distribution<int> d(-128, 127);
    for (std::byte& v : input) v = static_cast<std::byte>(d(rng));
  } else {
    std::uniform_real_distribution<float> d(-1.0F, 1.0F);
    for (std::size_t i = 0; i < count; ++i) {
      const float v = d(rng);
      std::memcpy(input.data() + i * sizeof(float), &v, sizeof(float));
    }
  }
  Outcome o;
  for (const KernelSet kernels : {KernelSet::kReference, fast}) {
    Interpreter interpreter(g, InterpreterOptions{.kernels = kernels, .threads = threads});
    std::memcpy(interpreter.input(0).data, input.data(), input.size());
    interpreter.invoke();
    const TensorView out = interpreter.output(0);
    const std::size_t bytes = out.count() * (c.dtype == DType::kInt8 ? 1 : sizeof(float));
    (kernels == KernelSet::kReference ? o.reference : o.fast).assign(out.data, out.data + bytes);
    if (kernels == fast) o.pad_kernel = std::string(interpreter.op_kernel(0));
  }
  return o;
}

::testing::AssertionResult agree(const Outcome& o, DType dtype) {
  if (o.reference.size() != o.fast.size()) return ::testing::AssertionFailure() << "sizes differ";
  if (dtype == DType::kInt8) {
    for (std::size_t i = 0; i < o.fast.size(); ++i) {
      if (o.fast[i] != o.reference[i]) {
        return ::testing::AssertionFailure() << "int8 output " << i << " differs: fast "
                                             << int(static_cast<std::int8_t>(o.fast[i])) << ", reference "
                                             << int(static_cast<std::int8_t>(o.reference[i]));
      }
    }
    return ::testing::AssertionSuccess();
  }
  // Inputs and weights in [-1, 1], at most 3 x 3 x 16 products: summation
  // order differences stay far below this.
  constexpr float kTolerance = 1e-4F;
  for (std::size_t i = 0; i < o.fast.size() / sizeof(float); ++i) {
    float a = 0.0F, b = 0.0F;
    std::memcpy(&a, o.fast.data() + i * sizeof(float), sizeof(float));
    std::memcpy(&b, o.reference.data() + i * sizeof(float), sizeof(float));
    if (!(std::fabs(a - b) <= kTolerance)) {
      return ::testing::AssertionFailure() << "float output " << i << ": fast " << a << ", reference " << b;
    }
  }
  return ::testing::AssertionSuccess();
}

TEST(FastPadFold, PadBeforeAConvolutionFoldsAndAgreesWithTheReference) {
  const std::vector<Case> cases = {
      {OpType::kConv2D, DType::kFloat32, {1, 7, 9, 3}, {1, 1, 1, 1}, 2, 3, 8, Activation::kRelu6},
      {OpType::kConv2D, DType::kFloat32, {1, 13, 13, 16}, {0, 1, 0, 1}, 2, 3, 17, Activation::kNone},
      // over 32 channels: octet's AVX-512 convolution where the CPU has it (XNNPACK's below)
      {OpType::kConv2D, DType::kFloat32, {1, 9, 11, 5}, {1, 1, 1, 1}, 2, 3, 40, Activation::kRelu6},
      {OpType::kDepthwiseConv2D, DType::kFloat32, {1, 8, 8, 13}, {1, 1, 1, 1}, 1, 3, 0, Activation::kRelu},
      {OpType::kDepthwiseConv2D, DType::kFloat32, {1, 17, 16, 7}, {2, 0, 1, 3}, 2, 5, 0, Activation::kNone},
      {OpType::kConv2D, DType::kInt8, {1, 7, 9, 3}, {1, 1, 1, 1}, 2, 3, 8, Activation::kRelu6},
      {OpType::kConv2D, DType::kInt8, {1, 13, 13, 16}, {0, 1, 0, 1}, 2, 3, 17, Activation::kNone},
      {OpType::kDepthwiseConv2D, DType::kInt8, {1, 8, 8, 13}, {1, 1, 1, 1}, 1, 3, 0, Activation::kRelu},
      {OpType::kDepthwiseConv2D, DType::kInt8, {1, 17, 16, 7}, {2, 0, 1, 3}, 2, 5, 0, Activation::kNone},
  };
  for (const Case& c : cases) {
    const Graph g = pad_conv_graph(c);
    for (const int threads : {1, 2}) {
      // kFast: octet's VNNI convolution for int8 CONV_2D on a CPU with it; the baseline: XNNPACK's.
      for (const KernelSet fast : {KernelSet::kFast, KernelSet::kFastBaseline}) {
        const Outcome o = run_both(g, c, threads, fast);
        const std::string what = fmt::format("{} {} input {} pads {} {} {} {} threads {} {}", op_name(c.conv),
                                             dtype_name(c.dtype), shape_string(c.input), c.pad.top, c.pad.bottom,
                                             c.pad.left, c.pad.right, threads,
                                             fast == KernelSet::kFast ? "fast" : "baseline");
        EXPECT_EQ(o.pad_kernel, "folded") << what;
        EXPECT_TRUE(agree(o, c.dtype)) << what;
      }
    }
  }
}

TEST(FastPadFold, PadsThatMustNotFoldRunAsUsual) {
  const Case c{OpType::kConv2D, DType::kFloat32, {1, 6, 6, 4}, {1, 1, 1, 1}, 1, 3, 5, Activation::kNone};
  {
    // The padded tensor is also a graph output: it must be written.
    const Graph g = pad_conv_graph(c, /*output_pad_too=*/true);
    const Outcome o = run_both(g, c, 1);
    EXPECT_NE(o.pad_kernel, "folded");
    EXPECT_TRUE(agree(o, c.dtype));
  }
  {
    // PADV2 with a value the convolution does not pad with.
    Graph g = pad_conv_graph(c);
    Op& pad = g.ops()[0];
    pad.type = OpType::kPadV2;
    const std::vector<float> one{1.0F};
    pad.inputs.push_back(g.add_constant<float>("value", DType::kFloat32, {}, one));
    const Outcome o = run_both(g, c, 1);
    EXPECT_NE(o.pad_kernel, "folded");
    EXPECT_TRUE(agree(o, c.dtype));
  }
  {
    // PADV2 with 0: folds.
    Graph g = pad_conv_graph(c);
    Op& pad = g.ops()[0];
    pad.type = OpType::kPadV2;
    const std::vector<float> zero{0.0F};
    pad.inputs.push_back(g.add_constant<float>("value", DType::kFloat32, {}, zero));
    const Outcome o = run_both(g, c, 1);
    EXPECT_EQ(o.pad_kernel, "folded");
    EXPECT_TRUE(agree(o, c.dtype));
  }
}

// x -> PAD/PADV2(value) -> MAX_POOL_2D (VALID) -> y, float32: ONNX MaxPool's explicit padding.
Graph pad_max_pool_graph(const Shape& input, const Paddings& p, int filter, int stride, OpType pad_type, float value) {
  Builder b;
  const TensorId x = b.activation("x", DType::kFloat32, input);
  const Shape padded{input[0], input[1] + p.top + p.bottom, input[2] + p.left + p.right, input[3]};
  const TensorId padded_id = b.activation("padded", DType::kFloat32, padded);
  std::vector<TensorId> pad_inputs{x, b.paddings(p)};
  if (pad_type == OpType::kPadV2) {
    const std::vector<float> v{value};
    pad_inputs.push_back(b.g.add_constant<float>("value", DType::kFloat32, {}, v));
  }
  b.g.add_op(pad_type, "pad", pad_inputs, {padded_id}, NoOptions{});
  const Shape out{input[0], (padded[1] - filter) / stride + 1, (padded[2] - filter) / stride + 1, input[3]};
  const TensorId y = b.activation("y", DType::kFloat32, out);
  b.g.add_op(OpType::kMaxPool2D, "pool", {padded_id}, {y},
             Pool2DOptions{.padding = Padding::kValid, .stride_h = stride, .stride_w = stride, .filter_h = filter,
                           .filter_w = filter});
  b.g.inputs().push_back(x);
  b.g.outputs().push_back(y);
  return std::move(b.g);
}

// Runs `g` on the reference and the fast kernels (random input in [-1, 1]); the PAD's kernel.
Outcome run_pool(const Graph& g, const Shape& input, int threads) {
  Case c{};
  c.dtype = DType::kFloat32;
  c.input = input;
  return run_both(g, c, threads);
}

TEST(FastPadFold, LowestFloatPadBeforeAMaxPoolFoldsAndAgreesExactly) {
  const float lowest = std::numeric_limits<float>::lowest();
  struct PoolCase {
    Shape input;
    Paddings pad;
    int filter, stride;
  };
  // resnet's stem pooling (3x3 s2, pads 1), asymmetric pads, odd sizes and channel counts.
  const std::vector<PoolCase> cases = {{{1, 112, 112, 64}, {1, 1, 1, 1}, 3, 2},
                                       {{1, 7, 9, 13}, {0, 1, 2, 0}, 3, 2},
                                       {{2, 6, 5, 17}, {1, 1, 1, 1}, 2, 1}};
  for (const PoolCase& pc : cases) {
    for (const float value : {lowest, -std::numeric_limits<float>::infinity()}) {
      const Graph g = pad_max_pool_graph(pc.input, pc.pad, pc.filter, pc.stride, OpType::kPadV2, value);
      for (const int threads : {1, 2}) {
        const Outcome o = run_pool(g, pc.input, threads);
        const std::string what = fmt::format("input {} pads {} {} {} {} filter {} stride {} value {} threads {}",
                                             shape_string(pc.input), pc.pad.top, pc.pad.bottom, pc.pad.left,
                                             pc.pad.right, pc.filter, pc.stride, value, threads);
        EXPECT_EQ(o.pad_kernel, "folded") << what;
        EXPECT_EQ(o.fast, o.reference) << what;  // a max is exact
      }
    }
  }
}

TEST(FastPadFold, PadsThatMustNotFoldIntoAMaxPoolRunAsUsual) {
  const Shape input{1, 8, 8, 5};
  const auto check = [&](const Graph& g, const char* what) {
    const Outcome o = run_pool(g, input, 1);
    EXPECT_NE(o.pad_kernel, "folded") << what;
    EXPECT_EQ(o.fast, o.reference) << what;
  };
  // Zeros can win a max over negative values: they must be written.
  check(pad_max_pool_graph(input, {1, 1, 1, 1}, 3, 2, OpType::kPadV2, 0.0F), "PADV2 with 0");
  check(pad_max_pool_graph(input, {1, 1, 1, 1}, 3, 2, OpType::kPad, 0.0F), "PAD (zeros)");
  // A window wholly in the padding: the lowest float, which XNNPACK's ignored padding would not give.
  check(pad_max_pool_graph(input, {3, 0, 0, 0}, 3, 2, OpType::kPadV2, std::numeric_limits<float>::lowest()),
        "padding as wide as the window");
}

}  // namespace
}  // namespace octet::test
