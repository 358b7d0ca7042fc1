#pragma once
// The layout pass. The importer brackets every layout-sensitive op (Conv,
// pooling, resize) with NCHW<->NHWC transposes and makes image inputs NHWC.
// This pass pushes each TRANSPOSE down through the ops that do not care about
// layout, rewriting their axis attributes and constant operands into the
// pre-transpose layout, until it meets its inverse and both vanish. A
// transpose that only moves size-1 dimensions becomes a RESHAPE.
//
// Rules (x is the transpose input, P its permutation, y = transpose(x, P)):
//   TRANSPOSE(y, Q)              -> TRANSPOSE(x, P∘Q), dropped if identity
//   unary elementwise f(y)       -> transpose(f(x), P)
//   binary(y, c) with c constant -> transpose(binary(x, c'), P), c' = c laid out as x
//   binary(y, transpose(z, P))   -> transpose(binary(x, z), P)
//   CONCATENATION of transposes with the same P, axis a -> axis P[a]
//   MEAN/SUM/REDUCE_MAX/REDUCE_MIN, PAD/PADV2, SLICE, STRIDED_SLICE (no
//   shrink/new-axis/ellipsis masks), SPLIT/SPLIT_V: axes and per-axis
//   constants permuted to x's layout.

#include "core/graph.h"

namespace octet {

void sink_transposes(Graph& graph);

}  // namespace octet
