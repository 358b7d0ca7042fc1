#pragma once
// Fuses RELU, RELU6 and RELU_N1_TO_1 into the op producing their input
// (TFLite's fused_activation_function) when that op's kernel applies it, it
// has no activation yet, and its output feeds nothing else. TANH is never
// fused: TFLite's float kernels compute no range for a fused TANH and would
// silently skip it.

#include "core/graph.h"

namespace octet {

void fuse_activations(Graph& graph);

}  // namespace octet
