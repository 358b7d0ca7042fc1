#pragma once
// RESHAPE of a RESHAPE reads the first one's input directly, and a RESHAPE
// that does not change the shape is dropped (unless it produces a graph output).

#include "core/graph.h"

namespace octet {

void merge_reshapes(Graph& graph);

}  // namespace octet
