#pragma once
// octet's interpreter: runs an IR graph op by op, each op with a fast kernel
// (src/runtime/fast/) where one covers it and its reference kernel otherwise.
// Used for calibration (observers see every tensor), for constant folding,
// and to run .tflite files read back into the IR.

#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "core/graph.h"
#include "runtime/kernel.h"
#include "runtime/memory_plan.h"

struct pthreadpool;

namespace octet {

namespace fast {
class FastKernel;
}

enum class KernelSet : std::uint8_t {
  kFast,          // fast kernels where they cover an op, reference kernels elsewhere
  kReference,     // reference kernels only (the ground truth)
  kFastBaseline,  // kFast without octet's CPU-specific kernels (AVX512-VNNI): what CPUs without them run
};

struct InterpreterOptions {
  KernelSet kernels = KernelSet::kFast;
  // Threads the fast kernels use (1: the calling thread only).
  int threads = 1;
  // Intermediate tensors share arena memory when their lifetimes do not
  // overlap (memory_plan.h). Then an intermediate tensor is readable only in
  // the observer call of the op that wrote it; graph inputs and outputs are
  // always readable.
  bool share_memory = true;
  // A convolution computing the residual ADD that reads its output
  // (fast/fold_add.h) writes only the ADD's output unless this is set; then
  // it writes its own output too, for an observer (calibration needs the
  // ranges of both).
  bool keep_fused_intermediates = false;
};

class Interpreter {
 public:
  // Verifies the graph, prepares every op (the graph's declared output dtypes
  // and shapes must equal what Prepare computes), plans and allocates every
  // non-constant tensor and creates the fast kernels. Constants are read in
  // place: `graph` must outlive the interpreter and stay unchanged while it is
  // used.
  explicit Interpreter(const Graph& graph, const InterpreterOptions& options = {});
  ~Interpreter();
  Interpreter(const Graph&& graph) = delete;  // would dangle
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  std::size_t input_count() const;
  std::size_t output_count() const;
  // Input i of the graph; write the values before invoke().
  TensorView input(std::size_t i);
  TensorView output(std::size_t i) const;
  // Any tensor's memory (constants included; kernels and observers must not
  // write constants).
  TensorView tensor(TensorId id) const;

  // Called after each op with the op's index; observers read outputs with tensor().
  using OpObserver = std::function<void(std::size_t op_index)>;
  void set_observer(OpObserver observer) { observer_ = std::move(observer); }

  void invoke();

  const Graph& graph() const { return graph_; }
  // Which kernel runs op `op_index`: "fast", "reference", or "folded" for an
  // op another op's fast kernel computes (fast/folds.h): a PAD folded into the
  // convolution or max pooling that reads it, a LOGISTIC into its SiLU MUL
  // (those outputs are never written), a residual ADD into the convolution
  // whose output it adds (its output is written, when that convolution runs).
  std::string_view op_kernel(std::size_t op_index) const;
  // Whether op `op_index`'s outputs hold its values once it has had its turn
  // in invoke(): false only for folded ops whose outputs are never written.
  bool outputs_written(std::size_t op_index) const;
  // The fast kernel's implementation name (FastKernel::name), "" where none runs.
  std::string_view fast_kernel_name(std::size_t op_index) const;
  std::size_t fast_op_count() const;
  // Ops whose fast kernel is one of octet's CPU-specific ones (FastKernel::name not "fast").
  std::size_t cpu_specific_op_count() const;
  std::size_t folded_op_count() const;
  // Bytes of the activation arena (all non-constant tensors).
  std::size_t arena_bytes() const { return plan_.arena_bytes; }
  const MemoryPlan& memory_plan() const { return plan_; }

 private:
  struct ArenaDeleter {
    void operator()(std::byte* p) const;
  };
  struct ThreadPoolDeleter {
    void operator()(pthreadpool* p) const;
  };

  const Graph& graph_;
  MemoryPlan plan_;
  std::unique_ptr<std::byte, ArenaDeleter> arena_;
  std::unique_ptr<pthreadpool, ThreadPoolDeleter> threadpool_;
  std::vector<TensorView> views_;     // per tensor
  std::vector<const Kernel*> kernels_;  // per op
  std::vector<std::vector<TensorView>> op_inputs_;   // per op; absent inputs have data == nullptr
  std::vector<std::vector<TensorView>> op_outputs_;  // per op
  std::vector<std::unique_ptr<fast::FastKernel>> fast_;  // per op; null where the reference kernel runs
  std::vector<bool> folded_;                             // per op: computed by another op's fast kernel
  std::vector<bool> unwritten_;                          // per op: folded, and its outputs never written
  OpObserver observer_;
};

}  // namespace octet
