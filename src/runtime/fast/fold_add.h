#pragma once
// Folding a residual ADD into the convolution whose output it adds: ResNets
// and MobileNetV2's inverted residuals end a block with y = act(conv(x) + r).
// Run as written, the convolution writes its output and the ADD reads it back
// with r and writes y: two more passes over memory, and with several threads
// the ADD reads what the other core wrote. The convolution's epilogue can add
// r and clamp while its output is still in registers, and the ADD does not
// run at all.
//
// A fold needs: a float32 ADD without broadcasting (both inputs and the
// output of one shape), one input of it the output of a CONV_2D without fused
// activation that no other op reads and that is not a graph output, and the
// other input (the residual) available when the convolution runs: a graph
// input, a constant, or written by an op before it. The interpreter then asks
// the convolution's fast kernel (octet's AVX-512 float convolution) for the
// fused form; if it declines, both ops run as usual. The convolution writes
// the ADD's output, so that tensor lives from the convolution on (the memory
// plan is told); the convolution's own output is written only when asked
// (InterpreterOptions::keep_fused_intermediates: calibration observes it).
// The sum is rounded as the two ops round it: conv, then conv + r, then the
// ADD's activation, so the result is the unfused fast path's, bit for bit.

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "core/graph.h"
#include "runtime/fast/fast_kernel.h"
#include "runtime/memory_plan.h"

namespace octet::fast {

struct AddFold {
  std::size_t conv_op = 0;         // index of the CONV_2D
  std::size_t add_op = 0;          // index of the ADD reading its output
  TensorId residual = kNoTensor;   // the ADD's other input
};

// Every ADD of `graph` that meets the conditions above, in op order.
std::vector<AddFold> find_add_folds(const Graph& graph);

// What the folds add to the memory plan: the convolution reads the residual
// and writes the ADD's output.
std::vector<ExtraRead> add_fold_extra_reads(const Graph& graph, std::span<const AddFold> folds);

// The ADD's side of a fold, for the convolution's kernel.
struct ResidualAdd {
  const TensorView* residual = nullptr;  // r
  const TensorView* sum = nullptr;       // the ADD's output, which the kernel writes
  Activation activation = Activation::kNone;
  bool write_conv_output = false;        // also write the convolution's own output
};

// The convolution's kernel computing the ADD too, or nullptr where none does
// (avx512_conv_f32.cpp; tests/unit/runtime/fast/add_fold_test.cpp).
std::unique_ptr<FastKernel> make_conv_add(const FastContext& conv, const ResidualAdd& add);

}  // namespace octet::fast
