#pragma once
// Differential-test helpers for the int8 fast kernels: one op run by the
// reference kernels (the ground truth) and by the fast kernels (at a given
// thread count) on the same inputs, compared byte for byte.

#include <fmt/ranges.h>

#include <random>
#include <string>

#include "../int8_test_util.h"

namespace octet::test {

struct DiffResult {
  std::vector<std::int8_t> reference;
  std::vector<std::int8_t> fast;
  std::string fast_kernel;  // Interpreter::op_kernel of the op in the fast run
  std::string fast_name;    // Interpreter::fast_kernel_name of the op in the fast run
};

namespace detail {

inline std::vector<std::int8_t> run_graph(const Graph& g, const std::vector<Arg>& args, const InterpreterOptions& options,
                                          std::string* kernel, std::string* name = nullptr) {
  Interpreter interpreter(g, options);
  std::size_t next_input = 0;
  for (const Arg& a : args) {
    if (a.absent || a.constant) continue;
    const TensorView view = interpreter.input(next_input++);
    if (!a.bytes.empty()) std::memcpy(view.data, a.bytes.data(), a.bytes.size());
  }
  interpreter.invoke();
  if (kernel != nullptr) *kernel = std::string(interpreter.op_kernel(0));
  if (name != nullptr) *name = std::string(interpreter.fast_kernel_name(0));
  const TensorView out = interpreter.output(0);
  const auto* data = out.as<const std::int8_t>();
  return {data, data + out.count()};
}

}  // namespace detail

// Runs the one-op graph with the reference kernels and with the fast kernels
// (`fast`: all of them, or the baseline without CPU-specific ones) on
// `threads` threads; output 0 is declared int8 with `out` quantization.
inline DiffResult run_differential(OpType type, const OpOptions& options, const std::vector<Arg>& args,
                                   const OutDecl& out, int threads, KernelSet fast = KernelSet::kFast) {
  Graph g = build_graph(type, options, args, 1, {out});
  const std::vector<TensorSpec> specs = infer_outputs(g, g.ops()[0]);
  Tensor& t = g.tensor(g.outputs()[0]);
  t.dtype = specs[0].dtype;
  t.shape = specs[0].shape;
  DiffResult r;
  r.reference = detail::run_graph(g, args, InterpreterOptions{.kernels = KernelSet::kReference}, nullptr);
  r.fast = detail::run_graph(g, args, InterpreterOptions{.kernels = fast, .threads = threads}, &r.fast_kernel,
                             &r.fast_name);
  return r;
}

// Byte equality with the first differing element named.
inline ::testing::AssertionResult same_bytes(const DiffResult& r) {
  if (r.fast.size() != r.reference.size()) {
    return ::testing::AssertionFailure() << "sizes differ: fast " << r.fast.size() << ", reference "
                                         << r.reference.size();
  }
  std::size_t differing = 0;
  std::size_t first = 0;
  for (std::size_t i = 0; i < r.fast.size(); ++i) {
    if (r.fast[i] != r.reference[i] && differing++ == 0) first = i;
  }
  if (differing == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << differing << " of " << r.fast.size() << " values differ, first at " << first
                                       << ": fast " << int{r.fast[first]} << ", reference "
                                       << int{r.reference[first]};
}

// The fast kernel must run the op, except where XNNPACK refuses a fused
// activation clamp that collapses to one value (output_min == output_max,
// e.g. RELU with output zero point 127): then the reference runs, and its
// output is that one value everywhere.
inline ::testing::AssertionResult fast_or_one_value(const DiffResult& r) {
  if (r.fast_kernel == "fast") return ::testing::AssertionSuccess();
  for (const std::int8_t v : r.reference) {
    if (v != r.reference.front()) {
      return ::testing::AssertionFailure() << "ran on the " << r.fast_kernel << " kernel";
    }
  }
  return ::testing::AssertionSuccess();
}

inline std::vector<std::int8_t> random_int8(std::size_t count, std::mt19937& rng, int lo = -128, int hi = 127) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<std::int8_t> v(count);
  for (auto& x : v) x = static_cast<std::int8_t>(d(rng));
  return v;
}

inline std::vector<std::int32_t> random_int32(std::size_t count, std::mt19937& rng, int lo, int hi) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<std::int32_t> v(count);
  for (auto& x : v) x = d(rng);
  return v;
}

inline std::vector<float> random_scales(std::size_t count, std::mt19937& rng, float lo, float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(count);
  for (auto& x : v) x = d(rng);
  return v;
}

inline std::size_t size_of(const Shape& s) { return static_cast<std::size_t>(element_count(s)); }

}  // namespace octet::test
