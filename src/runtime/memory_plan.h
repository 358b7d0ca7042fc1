#pragma once
// Where each non-constant tensor lives in the interpreter's one activation
// arena. Two tensors share bytes only when their lifetimes (from the op that
// writes them to the last op that reads them) do not overlap; graph inputs
// live from before the first op and graph outputs until after the last, so
// callers can write inputs before invoke() and read outputs after it.
// Placement is greedy by size (largest first, lowest offset that fits), as
// TFLite's arena planner does.

#include <cstddef>
#include <span>
#include <vector>

#include "core/graph.h"

namespace octet {

// Every tensor's offset is a multiple of this (whole cache lines; what SIMD
// kernels want for aligned loads).
inline constexpr std::size_t kTensorAlignment = 64;
// Bytes after each tensor that fast kernels may read but never use
// (XNNPACK's XNN_EXTRA_BYTES: its microkernels load whole vectors).
inline constexpr std::size_t kTensorTailPadding = 16;

struct MemoryPlan {
  static constexpr std::size_t kNotPlanned = static_cast<std::size_t>(-1);
  std::vector<std::size_t> offsets;  // per tensor id; kNotPlanned for constants and unused tensors
  std::size_t arena_bytes = 0;
  // What the arena would need if no tensor shared memory.
  std::size_t unshared_bytes = 0;
};

// A read of a tensor that the graph does not show: a fast kernel that reads
// `tensor` when op `op` runs (a convolution reading a folded PAD's input).
struct ExtraRead {
  TensorId tensor = kNoTensor;
  std::size_t op = 0;
};

// With `share` false every tensor gets its own bytes (each tensor stays
// readable after invoke(): for debugging and layer-by-layer comparisons).
MemoryPlan plan_memory(const Graph& graph, bool share, std::span<const ExtraRead> extra_reads = {});

}  // namespace octet
