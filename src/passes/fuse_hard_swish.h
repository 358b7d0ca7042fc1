#pragma once
// Turns x * HardSigmoid(x) into one HARD_SWISH op. PyTorch exports
// nn.Hardswish at opsets below 14 as Mul(x, HardSigmoid(x, alpha=1/6,
// beta=0.5)); the importer makes that HardSigmoid MUL(x, alpha) -> ADD(beta)
// -> MAXIMUM(0) -> MINIMUM(1) (src/onnx/ops/activation.cpp). The chain is
// fused only when alpha is 1/6 and beta 0.5 (within kHardSwishParamTolerance),
// the multiplied operand is the very tensor the HardSigmoid reads, no op
// carries a fused activation, and no intermediate tensor is used elsewhere.

#include "core/graph.h"

namespace octet {

// Absolute tolerance on alpha and beta: float32's 1/6 is 0.16666667, and an
// exporter computing it differently is still within a few ulps.
inline constexpr float kHardSwishParamTolerance = 1e-6F;

void fuse_hard_swish(Graph& graph);

}  // namespace octet
