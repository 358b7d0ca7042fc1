#pragma once
// Differential tests of the fast kernels (src/runtime/fast/) against the
// reference kernels, which stay the ground truth: a one-op graph with seeded
// random inputs runs once with KernelSet::kReference and once with
// KernelSet::kFast (at 1 and 2 threads); the fast run must really have used a
// fast kernel, and the outputs must agree: float32 within a relative 1e-5 of
// the magnitude of each output's sum of products (the reference run on
// absolute values, see magnitudes()), int8 exactly.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "../runtime_test_util.h"

namespace octet::test::fast {

// Relative float32 tolerance, per unit of an output's sum of |products|.
inline constexpr float kRelativeTolerance = 1e-5F;
// The thread counts every case runs at.
inline constexpr int kThreadCounts[] = {1, 2};
// Seed of every random input.
inline constexpr std::uint32_t kSeed = 20261128;

// Seeded uniform values in [lo, hi].
class Random {
 public:
  explicit Random(std::uint32_t seed = kSeed) : engine_(seed) {}
  std::vector<float> floats(std::int64_t count, float lo = -1.0F, float hi = 1.0F) {
    std::uniform_real_distribution<float> d(lo, hi);
    std::vector<float> v(static_cast<std::size_t>(count));
    for (float& x : v) x = d(engine_);
    return v;
  }
  std::vector<std::int8_t> int8s(std::int64_t count, int lo = -128, int hi = 127) {
    std::uniform_int_distribution<int> d(lo, hi);
    std::vector<std::int8_t> v(static_cast<std::size_t>(count));
    for (std::int8_t& x : v) x = static_cast<std::int8_t>(d(engine_));
    return v;
  }

 private:
  std::mt19937 engine_;
};

inline std::int64_t element_count(const Shape& shape) {
  std::int64_t n = 1;
  for (const std::int64_t d : shape) n *= d;
  return n;
}

// A float32 graph input / constant of `shape` filled with seeded values.
inline Arg random_in(Random& random, Shape shape, float lo = -1.0F, float hi = 1.0F) {
  const std::int64_t n = element_count(shape);
  return in(std::move(shape), random.floats(n, lo, hi));
}
inline Arg random_constant(Random& random, Shape shape, float lo = -1.0F, float hi = 1.0F) {
  const std::int64_t n = element_count(shape);
  return constant(std::move(shape), random.floats(n, lo, hi));
}

struct Run {
  Result result;
  std::string kernel;  // Interpreter::op_kernel(0)
  std::string name;    // Interpreter::fast_kernel_name(0)
};

// Runs the one-op graph with the given kernel set and thread count.
inline Run run_with(OpType type, const OpOptions& options, const std::vector<Arg>& args, KernelSet kernels,
                    int threads, const std::vector<OutDecl>& decls = {}) {
  Graph g = build_graph(type, options, args, 1, decls);
  Run run;
  run.result.specs = infer_outputs(g, g.ops()[0]);
  Tensor& out = g.tensor(g.outputs()[0]);
  out.dtype = run.result.specs[0].dtype;
  out.shape = run.result.specs[0].shape;
  Interpreter interpreter(g, InterpreterOptions{.kernels = kernels, .threads = threads});
  std::size_t next_input = 0;
  for (const Arg& a : args) {
    if (a.absent || a.constant) continue;
    const TensorView view = interpreter.input(next_input++);
    if (!a.bytes.empty()) std::memcpy(view.data, a.bytes.data(), a.bytes.size());
  }
  interpreter.invoke();
  const TensorView view = interpreter.output(0);
  const std::size_t bytes = view.count() * dtype_size(view.dtype);
  run.result.data.emplace_back(view.data, view.data + bytes);
  run.kernel = std::string(interpreter.op_kernel(0));
  run.name = std::string(interpreter.fast_kernel_name(0));
  return run;
}

// `args` with every float32 value replaced by its absolute value.
inline std::vector<Arg> absolute(std::vector<Arg> args) {
  for (Arg& a : args) {
    if (a.absent || a.dtype != DType::kFloat32) continue;
    auto* values = reinterpret_cast<float*>(a.bytes.data());
    for (std::size_t i = 0; i < a.bytes.size() / sizeof(float); ++i) values[i] = std::fabs(values[i]);
  }
  return args;
}

// Per output, the magnitude its rounding error scales with: for sums of
// products (convolutions, fully connected, pooling, elementwise ops) the
// reference output on absolute inputs with `linear_options` (the op's options
// without a fused activation); never below the output's own magnitude.
inline std::vector<float> magnitudes(OpType type, const OpOptions& linear_options, const std::vector<Arg>& args,
                                     const std::vector<float>& expected) {
  const std::vector<float> m = run_with(type, linear_options, absolute(args), KernelSet::kReference, 1).result.floats();
  std::vector<float> out(expected.size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = std::max(std::fabs(m.at(i)), std::fabs(expected[i]));
  return out;
}

// What a case expects of the fast kernel set.
enum class Expect : std::uint8_t {
  kFast,       // a fast kernel runs the op
  kReference,  // no fast kernel covers the op: it stays on the reference kernel
};

// The differential check of one case (float32 output): `linear_options` as
// in magnitudes(). `what` names the case in failures.
inline void expect_fast_matches(const std::string& what, OpType type, const OpOptions& options,
                                const OpOptions& linear_options, const std::vector<Arg>& args,
                                Expect expect = Expect::kFast) {
  const Run reference = run_with(type, options, args, KernelSet::kReference, 1);
  ASSERT_EQ(reference.kernel, "reference") << what;
  const std::vector<float> expected = reference.result.floats();
  const std::vector<float> magnitude = magnitudes(type, linear_options, args, expected);
  // Both fast sets: with octet's CPU-specific kernels (AVX-512 convolution) where the CPU has them, and without.
  for (const KernelSet set : {KernelSet::kFast, KernelSet::kFastBaseline}) {
  for (const int threads : kThreadCounts) {
    const Run fast = run_with(type, options, args, set, threads);
    ASSERT_EQ(fast.kernel, expect == Expect::kFast ? "fast" : "reference") << what << ", threads " << threads;
    ASSERT_EQ(fast.result.shape(), reference.result.shape()) << what;
    const std::vector<float> actual = fast.result.floats();
    ASSERT_EQ(actual.size(), expected.size()) << what;
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < actual.size(); ++i) {
      const float tolerance = kRelativeTolerance * magnitude[i] + std::numeric_limits<float>::min();
      if (std::isnan(expected[i]) != std::isnan(actual[i]) || std::fabs(actual[i] - expected[i]) > tolerance) {
        if (++mismatches <= 3) {
          ADD_FAILURE() << what << ", threads " << threads << ": at " << i << " fast " << actual[i] << " reference "
                        << expected[i] << " (tolerance " << tolerance << ")";
        }
      }
    }
    ASSERT_EQ(mismatches, 0U) << what << ", threads " << threads << (set == KernelSet::kFast ? "" : ", baseline");
  }
  }
}

// The same for ops without a sum of products (activations, copies): the
// tolerance scales with each output's own magnitude (at least 1).
inline void expect_fast_matches(const std::string& what, OpType type, const OpOptions& options,
                                const std::vector<Arg>& args, Expect expect = Expect::kFast) {
  const Run reference = run_with(type, options, args, KernelSet::kReference, 1);
  const std::vector<float> expected = reference.result.floats();
  for (const int threads : kThreadCounts) {
    const Run fast = run_with(type, options, args, KernelSet::kFast, threads);
    ASSERT_EQ(fast.kernel, expect == Expect::kFast ? "fast" : "reference") << what << ", threads " << threads;
    ASSERT_EQ(fast.result.shape(), reference.result.shape()) << what;
    const std::vector<float> actual = fast.result.floats();
    ASSERT_EQ(actual.size(), expected.size()) << what;
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < actual.size(); ++i) {
      const float tolerance = kRelativeTolerance * std::max(1.0F, std::fabs(expected[i]));
      if (std::isnan(expected[i]) != std::isnan(actual[i]) || std::fabs(actual[i] - expected[i]) > tolerance) {
        if (++mismatches <= 3) {
          ADD_FAILURE() << what << ", threads " << threads << ": at " << i << " fast " << actual[i] << " reference "
                        << expected[i] << " (tolerance " << tolerance << ")";
        }
      }
    }
    ASSERT_EQ(mismatches, 0U) << what << ", threads " << threads;
  }
}

// The int8 check: outputs equal bit for bit.
inline void expect_fast_matches_exactly(const std::string& what, OpType type, const OpOptions& options,
                                        const std::vector<Arg>& args, const std::vector<OutDecl>& decls,
                                        Expect expect = Expect::kFast) {
  const Run reference = run_with(type, options, args, KernelSet::kReference, 1, decls);
  for (const int threads : kThreadCounts) {
    const Run fast = run_with(type, options, args, KernelSet::kFast, threads, decls);
    ASSERT_EQ(fast.kernel, expect == Expect::kFast ? "fast" : "reference") << what << ", threads " << threads;
    ASSERT_EQ(fast.result.shape(), reference.result.shape()) << what;
    EXPECT_EQ(fast.result.data.at(0), reference.result.data.at(0)) << what << ", threads " << threads;
  }
}

// Every fused activation; TANH is not a clamp, so fast kernels leave it to the reference.
inline constexpr Activation kActivations[] = {Activation::kNone, Activation::kRelu, Activation::kReluN1To1,
                                              Activation::kRelu6, Activation::kTanh};
inline const char* activation_label(Activation a) {
  switch (a) {
    case Activation::kNone: return "none";
    case Activation::kRelu: return "relu";
    case Activation::kReluN1To1: return "relu_n1_to_1";
    case Activation::kRelu6: return "relu6";
    case Activation::kTanh: return "tanh";
  }
  return "?";
}
// The odd and boundary sizes every fast kernel is tested over.
inline constexpr std::int64_t kSizes[] = {1, 3, 7, 13, 16, 17, 24, 31};

}  // namespace octet::test::fast
