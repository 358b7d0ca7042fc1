#pragma once
// Every fold the fast interpreter may make (one op computed by the kernel of
// a neighbour; each kind in its own file): found once per graph, since the
// memory plan needs their extra reads before any kernel exists, and the plan
// `octet inspect` reports must be the interpreter's.

#include <vector>

#include "core/graph.h"
#include "runtime/fast/fold_add.h"
#include "runtime/fast/fold_pad.h"
#include "runtime/fast/fold_silu.h"
#include "runtime/memory_plan.h"

namespace octet::fast {

struct Folds {
  std::vector<PadFold> pads;    // a PAD into the convolution or max pooling reading it
  std::vector<AddFold> adds;    // a residual ADD into the convolution whose output it adds
  std::vector<SiluFold> silus;  // a LOGISTIC into the MUL making x * sigmoid(x)
};

Folds find_folds(const Graph& graph);

// Every tensor a fold makes an op read or write beyond what the graph shows.
std::vector<ExtraRead> fold_extra_reads(const Graph& graph, const Folds& folds);

}  // namespace octet::fast
