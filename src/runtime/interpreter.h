#pragma once
// octet's interpreter: runs an IR graph op by op with the reference kernels.
// Used for calibration (observers see every tensor), for constant folding,
// and to run .tflite files read back into the IR.

#include <functional>
#include <span>
#include <vector>

#include "core/graph.h"
#include "runtime/kernel.h"

namespace octet {

class Interpreter {
 public:
  // Verifies the graph, prepares every op (the graph's declared output dtypes
  // and shapes must equal what Prepare computes) and allocates every
  // non-constant tensor. Constants are read in place: `graph` must outlive the
  // interpreter and stay unchanged while it is used.
  explicit Interpreter(const Graph& graph);
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

 private:
  const Graph& graph_;
  std::vector<Bytes> storage_;        // per tensor; empty for constants
  std::vector<TensorView> views_;     // per tensor
  std::vector<const Kernel*> kernels_;  // per op
  std::vector<std::vector<TensorView>> op_inputs_;   // per op; absent inputs have data == nullptr
  std::vector<std::vector<TensorView>> op_outputs_;  // per op
  OpObserver observer_;
};

}  // namespace octet
