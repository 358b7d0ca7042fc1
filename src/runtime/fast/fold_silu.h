#pragma once
// Folding a LOGISTIC into the MUL that makes it a SiLU (swish): TFLite has no
// SiLU op, so an ONNX Sigmoid + Mul (efficientnet's activation, 65 of them in
// efficientnet_b0) becomes LOGISTIC s = sigmoid(x) and MUL y = x * s. Run as
// written, that is two passes over memory and an intermediate tensor; the
// MUL's fast kernel can compute y = x * sigmoid(x) from x alone, and the
// LOGISTIC does not run at all.
//
// A fold needs: a float32 LOGISTIC whose output is not a graph output and is
// read by exactly one op, a MUL without fused activation whose other input is
// the LOGISTIC's own input, all three tensors of one shape. The interpreter
// then asks make_silu_f32 for the MUL's kernel; if it declines (a CPU without
// AVX-512F, or the baseline kernel set), both ops run as usual. A folded
// LOGISTIC's output is never written (and has fixed int8 quantization, so the
// calibrator never observes it).

#include <cstddef>
#include <memory>
#include <vector>

#include "core/graph.h"
#include "runtime/fast/fast_kernel.h"

namespace octet::fast {

struct SiluFold {
  std::size_t logistic_op = 0;  // index of the LOGISTIC
  std::size_t mul_op = 0;       // index of the MUL reading its output and its input
};

// Every LOGISTIC of `graph` that meets the conditions above, in op order.
std::vector<SiluFold> find_silu_folds(const Graph& graph);

// The MUL's kernel computing y = x * sigmoid(x) from `x` (the LOGISTIC's
// input); nullptr where it is not available. Within a few ulp of the reference
// LOGISTIC then MUL (tests/unit/runtime/fast/silu_fold_test.cpp).
std::unique_ptr<FastKernel> make_silu_f32(const FastContext& mul, const TensorView& x);

}  // namespace octet::fast
