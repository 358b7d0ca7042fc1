// A residual ADD folded into the convolution whose output it adds
// (src/runtime/fast/fold_add.h): in -> RELU -> x -> CONV_2D -> c, ADD(c, r)
// -> y graphs, the convolution's input an intermediate tensor (which the
// ADD's output must not overwrite while the convolution reads it) and the
// residual r a graph input, a constant, or written before the convolution.
// Where the CPU has AVX-512F the fast run folds the ADD (op_kernel "folded",
// its output still written) and gives the bytes the unfused fast path gives
// (the same graph with c also returned, so nothing folds), with c too when
// InterpreterOptions::keep_fused_intermediates is set; both agree with the
// reference kernels. ADDs that must not fold (c returned or read twice, the
// convolution's own activation, a broadcast residual, a residual written
// after the convolution, int8) run as written and agree too; a convolution
// XNNPACK runs (<= 32 channels) declines the fold.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "../../graph_builder.h"
#include "core/graph.h"
#include "runtime/fast/avx512_gemm_f32.h"
#include "runtime/interpreter.h"

namespace octet::test {
namespace {

enum class Residual : std::uint8_t {
  kInput,         // a graph input
  kInputSwapped,  // a graph input, ADD(r, c)
  kConstant,
  kEarlier,       // RELU of a graph input, before the convolution
  kLater,         // RELU of a graph input, after the convolution: must not fold
  kBroadcast,     // a graph input of shape [1, 1, 1, C]: must not fold
};

enum class Blocker : std::uint8_t { kNone, kConvAlsoOutput, kConvReadTwice, kConvActivation };

struct Case {
  Shape input;  // NHWC
  std::int64_t out_channels = 0;
  int kernel = 1;
  Residual residual = Residual::kInput;
  Activation activation = Activation::kNone;  // the ADD's
  Blocker blocker = Blocker::kNone;
};

std::string label(const Case& c) {
  return fmt::format("{} k{} -> {} residual {} activation {} blocker {}", shape_string(c.input), c.kernel,
                     c.out_channels, static_cast<int>(c.residual), static_cast<int>(c.activation),
                     static_cast<int>(c.blocker));
}

std::vector<float> uniform(std::size_t count, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.0F, 1.0F);
  std::vector<float> v(count);
  for (float& x : v) x = d(rng);
  return v;
}

// The graph of case c; with `return_conv` the convolution's output is a graph output too (nothing folds).
Graph conv_add_graph(const Case& c, bool return_conv) {
  Graph g;
  const Shape out_shape{c.input[0], c.input[1], c.input[2], c.out_channels};  // SAME, stride 1
  const TensorId in = add_float_tensor(g, "in", c.input);
  g.inputs().push_back(in);
  const Shape r_shape = c.residual == Residual::kBroadcast ? Shape{1, 1, 1, c.out_channels} : out_shape;
  TensorId r = kNoTensor;
  TensorId r_source = kNoTensor;
  if (c.residual == Residual::kConstant) {
    r = g.add_constant<float>("r", DType::kFloat32, r_shape,
                              uniform(static_cast<std::size_t>(element_count(r_shape)), 5));
  } else {
    r_source = add_float_tensor(g, "r_in", r_shape);
    g.inputs().push_back(r_source);
    r = r_source;
  }
  const bool relu_residual = c.residual == Residual::kEarlier || c.residual == Residual::kLater;
  if (relu_residual) r = add_float_tensor(g, "r", r_shape);
  if (c.residual == Residual::kEarlier) g.add_op(OpType::kRelu, "relu_r", {r_source}, {r});
  // The convolution reads an intermediate tensor, dead after it.
  const TensorId x = add_float_tensor(g, "x", c.input);
  g.add_op(OpType::kRelu, "relu_x", {in}, {x});
  const std::size_t weights = static_cast<std::size_t>(c.out_channels * c.kernel * c.kernel * c.input[3]);
  const TensorId w = g.add_constant<float>("w", DType::kFloat32, {c.out_channels, c.kernel, c.kernel, c.input[3]},
                                           uniform(weights, 3));
  const TensorId b = g.add_constant<float>("b", DType::kFloat32, {c.out_channels},
                                           uniform(static_cast<std::size_t>(c.out_channels), 4));
  const TensorId conv = add_float_tensor(g, "c", out_shape);
  const Activation conv_activation = c.blocker == Blocker::kConvActivation ? Activation::kRelu : Activation::kNone;
  g.add_op(OpType::kConv2D, "conv", {x, w, b}, {conv}, Conv2DOptions{.padding = Padding::kSame, .activation = conv_activation});
  if (c.residual == Residual::kLater) g.add_op(OpType::kRelu, "relu_r", {r_source}, {r});
  const TensorId y = add_float_tensor(g, "y", out_shape);
  const std::vector<TensorId> operands =
      c.residual == Residual::kInputSwapped ? std::vector<TensorId>{r, conv} : std::vector<TensorId>{conv, r};
  g.add_op(OpType::kAdd, "add", operands, {y}, BinaryOptions{.activation = c.activation});
  g.outputs().push_back(y);
  if (c.blocker == Blocker::kConvReadTwice) {
    const TensorId z = add_float_tensor(g, "z", out_shape);
    g.add_op(OpType::kRelu, "relu_c", {conv}, {z});
    g.outputs().push_back(z);
  }
  if (return_conv || c.blocker == Blocker::kConvAlsoOutput) g.outputs().push_back(conv);
  return g;
}

struct Outcome {
  std::vector<float> y, conv;  // conv: the convolution's output, where readable
  std::string add_kernel;
  bool add_output_written = false;
};

std::vector<float> floats_of(const TensorView& v) {
  const auto* p = reinterpret_cast<const float*>(v.data);
  return {p, p + v.count()};
}

Outcome run(const Graph& g, KernelSet kernels, int threads, bool keep_intermediates) {
  Interpreter interpreter(g, InterpreterOptions{.kernels = kernels, .threads = threads,
                                                .keep_fused_intermediates = keep_intermediates});
  for (std::size_t i = 0; i < interpreter.input_count(); ++i) {
    const TensorView in = interpreter.input(i);
    const std::vector<float> v = uniform(in.count(), 7 + static_cast<unsigned>(i));
    std::memcpy(in.data, v.data(), v.size() * sizeof(float));
  }
  std::size_t conv_op = 0, add_op = 0;
  for (std::size_t i = 0; i < g.ops().size(); ++i) {
    if (g.ops()[i].type == OpType::kConv2D) conv_op = i;
    if (g.ops()[i].type == OpType::kAdd) add_op = i;
  }
  Outcome o;
  // The convolution's output is read by an observer right after the convolution (as calibration does).
  interpreter.set_observer([&](std::size_t op) {
    if (op == conv_op) o.conv = floats_of(interpreter.tensor(g.ops()[op].outputs[0]));
  });
  interpreter.invoke();
  o.y = floats_of(interpreter.output(0));
  o.add_kernel = std::string(interpreter.op_kernel(add_op));
  o.add_output_written = interpreter.outputs_written(add_op);
  return o;
}

// Inputs and weights in [-1, 1], at most 3 x 3 x 40 products: summation order stays far below this.
::testing::AssertionResult close(const std::vector<float>& a, const std::vector<float>& b) {
  constexpr float kTolerance = 1e-4F;
  if (a.size() != b.size()) return ::testing::AssertionFailure() << "sizes differ";
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!(std::fabs(a[i] - b[i]) <= kTolerance)) {
      return ::testing::AssertionFailure() << "output " << i << ": " << a[i] << " against " << b[i];
    }
  }
  return ::testing::AssertionSuccess();
}

bool same_bytes(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(FastAddFold, ResidualAddFoldsIntoTheConvolutionAndGivesTheUnfusedBytes) {
  if (!fast::avx512::cpu_supported()) GTEST_SKIP() << "this CPU has no AVX-512F: the convolution's kernel declines";
  const std::vector<Case> cases = {
      {{1, 7, 9, 13}, 40, 1, Residual::kInput, Activation::kRelu},
      {{1, 5, 6, 16}, 70, 3, Residual::kInputSwapped, Activation::kNone},
      {{2, 3, 5, 7}, 33, 3, Residual::kConstant, Activation::kRelu6},
      {{1, 6, 7, 31}, 130, 1, Residual::kEarlier, Activation::kReluN1To1},
      {{1, 1, 1, 17}, 64, 1, Residual::kInput, Activation::kRelu},
      {{1, 9, 4, 3}, 48, 3, Residual::kEarlier, Activation::kNone},
  };
  for (const Case& c : cases) {
    const Graph folded = conv_add_graph(c, false);
    const Graph unfused = conv_add_graph(c, true);
    const Outcome reference = run(folded, KernelSet::kReference, 1, false);
    for (const int threads : {1, 2}) {
      const std::string what = label(c) + fmt::format(", threads {}", threads);
      const Outcome separate = run(unfused, KernelSet::kFast, threads, false);
      ASSERT_EQ(separate.add_kernel, "fast") << what;
      for (const bool keep : {false, true}) {
        const Outcome fused = run(folded, KernelSet::kFast, threads, keep);
        EXPECT_EQ(fused.add_kernel, "folded") << what;
        EXPECT_TRUE(fused.add_output_written) << what;
        EXPECT_TRUE(same_bytes(fused.y, separate.y)) << what << ", keep " << keep;
        EXPECT_TRUE(close(fused.y, reference.y)) << what;
        if (keep) {
          EXPECT_TRUE(same_bytes(fused.conv, separate.conv)) << what << ": the convolution's own output";
        }
      }
    }
  }
}

TEST(FastAddFold, AddsThatMustNotFoldRunAsWritten) {
  const std::vector<Case> cases = {
      {{1, 7, 9, 13}, 40, 1, Residual::kInput, Activation::kRelu, Blocker::kConvAlsoOutput},
      {{1, 7, 9, 13}, 40, 1, Residual::kInput, Activation::kRelu, Blocker::kConvReadTwice},
      {{1, 7, 9, 13}, 40, 3, Residual::kInput, Activation::kNone, Blocker::kConvActivation},
      {{1, 7, 9, 13}, 40, 1, Residual::kBroadcast, Activation::kRelu},
      {{1, 7, 9, 13}, 40, 1, Residual::kLater, Activation::kRelu6},
      {{1, 7, 9, 13}, 16, 3, Residual::kInput, Activation::kRelu},  // XNNPACK's convolution: declines
  };
  for (const Case& c : cases) {
    const Graph g = conv_add_graph(c, false);
    const Outcome reference = run(g, KernelSet::kReference, 1, false);
    for (const int threads : {1, 2}) {
      const Outcome fast = run(g, KernelSet::kFast, threads, false);
      EXPECT_EQ(fast.add_kernel, "fast") << label(c);
      EXPECT_TRUE(close(fast.y, reference.y)) << label(c);
    }
  }
}

TEST(FastAddFold, TheBaselineKernelSetDoesNotFold) {
  const Case c{{1, 7, 9, 13}, 40, 1, Residual::kInput, Activation::kRelu};
  const Graph g = conv_add_graph(c, false);
  const Outcome fast = run(g, KernelSet::kFastBaseline, 1, false);
  EXPECT_EQ(fast.add_kernel, "fast");
  EXPECT_TRUE(close(fast.y, run(g, KernelSet::kReference, 1, false).y));
}

}  // namespace
}  // namespace octet::test
