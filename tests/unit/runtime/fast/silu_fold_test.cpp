// LOGISTIC folded into the MUL that makes it a SiLU (src/runtime/fast/fold_silu.h):
// x -> LOGISTIC -> MUL(x, s) graphs run with the reference kernels and with the
// fast kernels. Where the CPU has AVX-512F the fast run must fold the LOGISTIC
// (op_kernel "folded") and agree with the reference interpreter and with
// x * sigmoid(x) in double precision within a few ulp, over odd sizes (vector
// tails), both operand orders, values across exp's whole range and non-finite
// values. LOGISTICs that must not fold (output also returned or read twice,
// the MUL's other input not the LOGISTIC's input, a fused activation, the
// baseline kernel set) run as written and agree too. int8: the folded table
// gives the reference interpreter's bytes under both fast kernel sets.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "../../graph_builder.h"
#include "core/graph.h"
#include "runtime/interpreter.h"
#include "util/cpu_features.h"

namespace octet::test {
namespace {

enum class Variant { kSilu, kSiluSwapped, kAlsoOutput, kReadTwice, kOtherOperand, kFusedRelu };

// x (and z for kOtherOperand) -> LOGISTIC -> MUL -> y.
Graph silu_graph(const Shape& shape, Variant variant) {
  Graph g;
  const TensorId x = add_float_tensor(g, "x", shape);
  g.inputs().push_back(x);
  TensorId other = x;
  if (variant == Variant::kOtherOperand) {
    other = add_float_tensor(g, "z", shape);
    g.inputs().push_back(other);
  }
  const TensorId s = add_float_tensor(g, "s", shape);
  g.add_op(OpType::kLogistic, "sigmoid", {x}, {s});
  const TensorId y = add_float_tensor(g, "y", shape);
  const Activation fused = variant == Variant::kFusedRelu ? Activation::kRelu : Activation::kNone;
  const std::vector<TensorId> operands =
      variant == Variant::kSiluSwapped ? std::vector<TensorId>{s, other} : std::vector<TensorId>{other, s};
  g.add_op(OpType::kMul, "mul", operands, {y}, BinaryOptions{.activation = fused});
  g.outputs().push_back(y);
  if (variant == Variant::kAlsoOutput) g.outputs().push_back(s);
  if (variant == Variant::kReadTwice) {
    const TensorId w = add_float_tensor(g, "w", shape);
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

// The float kernel splits large tensors over the thread pool in chunks:
// two threads give one thread's bytes, the chunk edges and the tail included.
TEST(FastSiluFold, FloatSiluOnTwoThreadsGivesOneThreadsBytes) {
  if (!cpu_has_avx512f()) GTEST_SKIP() << "this CPU has no AVX-512F: the LOGISTIC does not fold";
  const Shape shape{1, 61, 67, 13};  // 53 131 values: three chunks of 16 Ki and a partial fourth
  const Graph g = silu_graph(shape, Variant::kSilu);
  const std::vector<float> x = inputs(static_cast<std::size_t>(element_count(shape)), 9);
  std::vector<std::vector<float>> results;
  for (const int threads : {1, 2}) {
    Interpreter interpreter(g, InterpreterOptions{.kernels = KernelSet::kFast, .threads = threads});
    std::memcpy(interpreter.input(0).data, x.data(), x.size() * sizeof(float));
    interpreter.invoke();
    ASSERT_EQ(interpreter.op_kernel(0), "folded") << threads;
    const TensorView out = interpreter.output(0);
    results.emplace_back(out.as<const float>(), out.as<const float>() + out.count());
  }
  ASSERT_EQ(results[0].size(), results[1].size());
  EXPECT_EQ(std::memcmp(results[0].data(), results[1].data(), results[0].size() * sizeof(float)), 0);
  const Outcome o = run_both(g, x, KernelSet::kFast);
  for (std::size_t i = 0; i < o.fast.size(); ++i) {
    ASSERT_TRUE(close(static_cast<double>(results[1][i]), static_cast<double>(o.reference[i]), kUlpsFromReference))
        << "at " << i << ": x " << x[i] << " two threads " << results[1][i] << " reference " << o.reference[i];
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

// ---- int8: the folded MUL looks x up in the table of the reference LOGISTIC
// then MUL, so its bytes must equal the reference interpreter's, on every CPU
// and under both fast kernel sets.

struct Int8Case {
  float x_scale;
  std::int64_t x_zero_point;
  float y_scale;
  std::int64_t y_zero_point;
};

QuantParams per_tensor(float scale, std::int64_t zero_point) {
  QuantParams q;
  q.scale = {scale};
  q.zero_point = {zero_point};
  return q;
}

Graph silu_graph_int8(const Shape& shape, const Int8Case& c, bool swapped) {
  Graph g;
  const auto add = [&](const std::string& name, const QuantParams& q) {
    Tensor t;
    t.name = name;
    t.dtype = DType::kInt8;
    t.shape = shape;
    t.quant = q;
    return g.add_tensor(std::move(t));
  };
  const TensorId x = add("x", per_tensor(c.x_scale, c.x_zero_point));
  constexpr float kLogisticScale = 1.0F / 256.0F;  // TFLite's fixed LOGISTIC output
  constexpr std::int64_t kLogisticZeroPoint = -128;
  const TensorId s = add("s", per_tensor(kLogisticScale, kLogisticZeroPoint));
  const TensorId y = add("y", per_tensor(c.y_scale, c.y_zero_point));
  g.add_op(OpType::kLogistic, "sigmoid", {x}, {s});
  g.add_op(OpType::kMul, "mul", swapped ? std::vector<TensorId>{s, x} : std::vector<TensorId>{x, s}, {y},
           BinaryOptions{});
  g.inputs().push_back(x);
  g.outputs().push_back(y);
  return g;
}

TEST(FastSiluFold, Int8LogisticFoldsIntoItsMulByteForByte) {
  // efficientnet_b0-like ranges (SiLU outputs in about [-0.28, 6]) and extremes.
  const std::vector<Int8Case> cases = {{0.05F, -3, 0.03F, -119}, {0.1F, 20, 0.02F, -100},
                                       {0.003F, 0, 0.002F, 5},   {0.5F, -128, 0.25F, 127}};
  const Shape shape{1, 5, 7, 33};  // every byte value, odd size
  const auto count = static_cast<std::size_t>(element_count(shape));
  std::vector<std::int8_t> x(count);
  for (std::size_t i = 0; i < count; ++i) x[i] = static_cast<std::int8_t>(static_cast<int>(i % 256) - 128);
  for (const Int8Case& c : cases) {
    for (const bool swapped : {false, true}) {
      const Graph g = silu_graph_int8(shape, c, swapped);
      std::vector<std::int8_t> reference;
      for (const KernelSet kernels : {KernelSet::kReference, KernelSet::kFast, KernelSet::kFastBaseline}) {
        for (const int threads : {1, 2}) {
          Interpreter interpreter(g, InterpreterOptions{.kernels = kernels, .threads = threads});
          std::memcpy(interpreter.input(0).data, x.data(), x.size());
          interpreter.invoke();
          const TensorView out = interpreter.output(0);
          const std::vector<std::int8_t> got(out.as<const std::int8_t>(), out.as<const std::int8_t>() + out.count());
          const std::string what = fmt::format("x {} {} y {} {} {} kernels {} threads {}", c.x_scale, c.x_zero_point,
                                               c.y_scale, c.y_zero_point, swapped ? "s*x" : "x*s",
                                               static_cast<int>(kernels), threads);
          if (kernels == KernelSet::kReference) {
            reference = got;
            continue;
          }
          EXPECT_EQ(interpreter.op_kernel(0), "folded") << what;
          ASSERT_EQ(got, reference) << what;
        }
      }
      // The reference's bytes are a real SiLU: within one step of round(x * sigmoid(x) / s_y) + z_y.
      for (std::size_t i = 0; i < 256; ++i) {
        const double xv = static_cast<double>(c.x_scale) * static_cast<double>(x[i] - c.x_zero_point);
        const double want = std::clamp(std::round(xv / (1.0 + std::exp(-xv)) / static_cast<double>(c.y_scale)) + static_cast<double>(c.y_zero_point),
                                       -128.0, 127.0);
        EXPECT_LE(std::fabs(static_cast<double>(reference[i]) - want), 1.0) << "x byte " << int(x[i]);
      }
    }
  }
}

}  // namespace
}  // namespace octet::test
