#pragma once
// Folding a LOGISTIC into the MUL that makes it a SiLU (swish): TFLite has no
// SiLU op, so an ONNX Sigmoid + Mul (efficientnet's activation, 65 of them in
// efficientnet_b0) becomes LOGISTIC s = sigmoid(x) and MUL y = x * s. Run as
// written, that is two passes over memory and an intermediate tensor; the
// MUL's fast kernel can compute y = x * sigmoid(x) from x alone, and the
// LOGISTIC does not run at all.
//
// A fold needs: a LOGISTIC whose output is not a graph output and is read by
// exactly one op, a MUL without fused activation whose other input is the
// LOGISTIC's own input, all three tensors of one shape and one dtype: float32,
// or int8 quantized per tensor. The interpreter then asks make_silu for the
// MUL's kernel; if it declines, both ops run as usual. A folded LOGISTIC's
// output is never written (and has fixed int8 quantization, so the calibrator
// never observes it).
//   float32: y = x * sigmoid(x) on AVX-512F (avx512_silu_f32.cpp), within a
//     few ulp of the reference LOGISTIC then MUL; declines without AVX-512F
//     and under KernelSet::kFastBaseline.
//   int8: y's byte depends only on x's byte, so the kernel runs the reference
//     LOGISTIC and then the reference MUL once on the 256 possible bytes and
//     looks every x up in the composed table (silu_table_int8.cpp): exact by
//     construction, on every CPU.

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

// The MUL's kernel computing y = x * sigmoid(x) from the LOGISTIC's input
// alone; nullptr where it is not available (tests/unit/runtime/fast/silu_fold_test.cpp).
std::unique_ptr<FastKernel> make_silu(const FastContext& logistic, const FastContext& mul);

// The two forms make_silu picks from by dtype.
std::unique_ptr<FastKernel> make_silu_f32(const FastContext& mul, const TensorView& x);
std::unique_ptr<FastKernel> make_silu_int8(const FastContext& logistic, const FastContext& mul);

}  // namespace octet::fast
