#pragma once
// Fast kernels: octet's interpreter runs an op with one of these when one
// covers the op's configuration, and with its reference kernel otherwise (the
// reference kernels stay the ground truth; tests/unit/runtime/fast/ checks
// every fast kernel against them). Unlike the stateless reference kernels, a
// fast kernel is created once per op when the interpreter is built: it packs
// its weights then and binds the op's tensor memory, which never moves; run()
// only computes.
//
// A factory returns nullptr when its kernel does not cover the op (a dtype,
// activation or layout it does not implement). Which ops run fast is no
// secret: Interpreter::op_kernel() names the kernel of every op, and `octet
// bench` prints the counts.

#include <memory>
#include <span>
#include <string_view>

#include "runtime/fast/window.h"
#include "runtime/kernel.h"

struct pthreadpool;  // pthreadpool.h: the thread pool XNNPACK runs on

namespace octet::fast {

class FastKernel {
 public:
  FastKernel() = default;
  FastKernel(const FastKernel&) = delete;
  FastKernel& operator=(const FastKernel&) = delete;
  virtual ~FastKernel() = default;
  // Computes the op's outputs from its inputs (the views given at creation).
  virtual void run() = 0;
  // Which implementation this is, where an op has several (for tests and
  // profiles): "vnni" for octet's own VNNI convolution, else "fast".
  virtual std::string_view name() const { return kGenericName; }
  static constexpr std::string_view kGenericName = "fast";
};

struct FastContext {
  const Graph& graph;
  const Op& op;
  // The op's tensors; their memory stays put for the kernel's lifetime.
  // Non-constant tensors are followed by kTensorTailPadding readable bytes
  // (memory_plan.h); constants are not: a kernel that lets a library read a
  // constant operand with over-reads must copy it into padded memory first.
  std::span<const TensorView> inputs;
  std::span<const TensorView> outputs;
  pthreadpool* threadpool = nullptr;  // nullptr: run on the calling thread
  // Set when the op's data input is the output of a PAD folded into it
  // (fold_pad.h): the PAD's input, read instead, and the PAD's amounts, added
  // to the op's own padding. inputs[0] stays the PAD's output view: its shape
  // is what the op computes with. Only the convolution factories and float32
  // max pooling's accept it; any other factory declines.
  const TensorView* unpadded_input = nullptr;
  Window extra_padding{};
  // False: kernels that need a CPU extension beyond the baseline (AVX512-VNNI)
  // decline, so tests can compare both paths on one machine.
  bool cpu_specific = true;
};

// The fast kernel for `context.op`, or nullptr when none covers it.
std::unique_ptr<FastKernel> make_fast_kernel(const FastContext& context);

}  // namespace octet::fast
