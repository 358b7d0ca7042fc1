// LOGISTIC folded into the MUL that makes it a SiLU (src/runtime/fast/fold_silu.h):
// x -> LOGISTIC -> MUL(x, s) graphs run with the reference kernels and with the
// fast kernels. Where the CPU has AVX-512F the fast run must fold the LOGISTIC
// (op_kernel "folded") and agree with the reference interpreter and with
// x * sigmoid(x) in double precision within a few ulp, over odd sizes (vector
// tails), both operand orders, values across exp's whole range and non-finite
// values. LOGISTICs that must not fold (output also returned or read twice,
// the MUL's other input not the LOGISTIC's input, a fused activation, the
// baseline kernel set) run as written and agree too.

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
#include "util/cpu_features.h"

namespace octet::test {
namespace {

enum class Variant { kSilu, kSiluSwapped, kAlsoOutput, kReadTwice, kOtherOperand, kFusedRelu };

TensorId activation(Graph& g, const std::string& name, const Shape& shape) {
  Tensor t;
  t.name = name;
  t.dtype = DType::kFloat32;
  t.shape = shape;
  return g.add_tensor(std::move(t));
}

// x (and z for kOtherOperand) -> LOGISTIC -> MUL -> y.
Graph silu_graph(const Shape& shape, Variant variant) {
  Graph g;
  const TensorId x = activation(g, "x", shape);
  g.inputs().push_back(x);
  TensorId other = x;
  if (variant == Variant::kOtherOperand) {
    other = activation(g, "z", shape);
    g.inputs().push_back(other);
  }
  const TensorId s = activation(g, "s", shape);
  g.add_op(OpType::kLogistic, "sigmoid", {x}, {s});
  const TensorId y = activation(g, "y", shape);
  const Activation fused = variant == Variant::kFusedRelu ? Activation::kRelu : Activation::kNone;
  const std::vector<TensorId> operands =
      variant == Variant::kSiluSwapped ? std::vector<TensorId>{s, other} : std::vector<TensorId>{other, s};
  g.add_op(OpType::kMul, "mul", operands, {y}, BinaryOptions{.activation = fused});
  g.outputs().push_back(y);
  if (variant == Variant::kAlsoOutput) g.outputs().push_back(s);
  if (variant == Variant::kReadTwice) {
    const TensorId w = activation(g, "w", shape);
    g.add_op(OpType::kAdd, "add", {s, s}, {w}, BinaryOptions{});
    g.outputs().push_back(w);
  }
  return g;
}

// Random values spread over exp's range, then the edge cases.
std::vector<float> inputs(std::size_t count, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0F, 6.0F);
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> special{0.0F,   -0.0F,   1e-30F, -1e-30F, 1e-3F, -1e-3F, 0.5F,  -0.5F, 20.0F, -20.0F,
                                   87.0F,  -87.0F,  88.7F,  -88.7F,  95.0F, -95.0F, 104.F, -104.F, 200.F, -200.F,
                                   3e38F,  -3e38F,  inf,    -inf,    std::numeric_limits<float>::quiet_NaN()};
  std::vector<float> v(count);
  for (std::size_t i = 0; i < count; ++i) v[i] = i < special.size() ? special[i] : normal(rng);
  return v;
}

struct Outcome {
  std::vector<float> reference, fast;
  std::string logistic_kernel;
};

Outcome run_both(const Graph& g, const std::vector<float>& x, KernelSet fast) {
  Outcome o;
  for (const KernelSet kernels : {KernelSet::kReference, fast}) {
    Interpreter interpreter(g, InterpreterOptions{.kernels = kernels, .threads = 1});
    for (std::size_t i = 0; i < interpreter.input_count(); ++i) {
      std::memcpy(interpreter.input(i).data, x.data(), x.size() * sizeof(float));
    }
    interpreter.invoke();
    const TensorView out = interpreter.output(0);
    std::vector<float>& dst = kernels == KernelSet::kReference ? o.reference : o.fast;
    dst.assign(out.as<const float>(), out.as<const float>() + out.count());
    if (kernels == fast) o.logistic_kernel = std::string(interpreter.op_kernel(0));
  }
  return o;
}

// Where exp(-|x|) underflows (x below about -87), implementations differ
// between 0 and denormals: x * sigmoid(x) is then under this in magnitude
// (104 x 2^-126 < 1e-35), and differences below it count as equal.
constexpr double kUnderflow = 1e-35;

// Within `ulps` units in the last place of `want`, or both under kUnderflow apart.
bool close(double got, double want, double ulps) {
  if (std::isnan(want)) return std::isnan(got);
  if (std::isinf(want)) return got == want;
  const double ulp = std::fabs(want) * static_cast<double>(std::numeric_limits<float>::epsilon());
  return std::fabs(got - want) <= ulps * ulp || std::fabs(got - want) <= kUnderflow;
}

// Of the reference's x * (1 / (1 + exp(-x))) in float, and of the exact value.
constexpr double kUlpsFromReference = 4.0;
constexpr double kUlpsFromExact = 3.0;

double silu_exact(float x) {
  const auto d = static_cast<double>(x);
  return d / (1.0 + std::exp(-d));
}

TEST(FastSiluFold, LogisticFoldsIntoItsMulAndMatchesTheReference) {
  const bool foldable = cpu_has_avx512f();
  const std::vector<Shape> shapes = {{1, 1, 1, 1},  {1, 1, 1, 3},  {1, 1, 1, 7},  {1, 1, 1, 13},
                                     {1, 1, 1, 16}, {1, 1, 1, 17}, {1, 1, 1, 24}, {1, 1, 1, 31},
                                     {1, 5, 7, 13}, {1, 28, 28, 40}};
  for (const Variant variant : {Variant::kSilu, Variant::kSiluSwapped}) {
    for (const Shape& shape : shapes) {
      const Graph g = silu_graph(shape, variant);
      const std::vector<float> x = inputs(static_cast<std::size_t>(element_count(shape)), 3);
      const Outcome o = run_both(g, x, KernelSet::kFast);
      const std::string what = fmt::format("{} {}", shape_string(shape), variant == Variant::kSilu ? "x*s" : "s*x");
      if (foldable) {
        EXPECT_EQ(o.logistic_kernel, "folded") << what;
      }
      ASSERT_EQ(o.fast.size(), x.size()) << what;
      for (std::size_t i = 0; i < x.size(); ++i) {
        ASSERT_TRUE(close(o.fast[i], o.reference[i], kUlpsFromReference))
            << what << " x " << x[i] << ": fast " << o.fast[i] << ", reference " << o.reference[i];
        ASSERT_TRUE(close(o.fast[i], silu_exact(x[i]), kUlpsFromExact))
            << what << " x " << x[i] << ": fast " << o.fast[i] << ", exact " << silu_exact(x[i]);
      }
    }
  }
}

TEST(FastSiluFold, LogisticsThatMustNotFoldRunAsWritten) {
  const Shape shape{1, 3, 5, 7};
  // Finite values: XNNPACK's clamp (the fused RELU, unfolded) turns a NaN into 0, the reference keeps it.
  std::vector<float> x = inputs(static_cast<std::size_t>(element_count(shape)), 5);
  for (float& v : x) v = std::isfinite(v) ? v : 1.0F;
  const auto check = [&](Variant variant, KernelSet kernels, const char* what) {
    const Outcome o = run_both(silu_graph(shape, variant), x, kernels);
    EXPECT_NE(o.logistic_kernel, "folded") << what;
    for (std::size_t i = 0; i < x.size(); ++i) {
      ASSERT_TRUE(close(o.fast[i], o.reference[i], kUlpsFromReference))
          << what << " x " << x[i] << ": fast " << o.fast[i] << ", reference " << o.reference[i];
    }
  };
  check(Variant::kAlsoOutput, KernelSet::kFast, "sigmoid also a graph output");
  check(Variant::kReadTwice, KernelSet::kFast, "sigmoid read by another op");
  check(Variant::kOtherOperand, KernelSet::kFast, "MUL of another tensor by the sigmoid (squeeze-excitation)");
  check(Variant::kFusedRelu, KernelSet::kFast, "MUL with a fused RELU");
  check(Variant::kSilu, KernelSet::kFastBaseline, "baseline kernel set");
}

}  // namespace
}  // namespace octet::test
