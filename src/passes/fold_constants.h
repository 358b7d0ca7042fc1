#pragma once
// Constant folding: an op whose inputs are all constants is evaluated once
// with its reference kernel and replaced by the constants it produces.

#include <cstddef>

#include "core/graph.h"

namespace octet {

// Folds op `index` if it can be folded; the op is removed from the graph and
// its outputs become constants. Returns whether it folded. The inputs are
// left alone: the caller may still hold them (the ONNX importer folds while
// a converter is reusing its constants); see ImportContext::node_done.
bool fold_if_constant(Graph& graph, std::size_t index);

// The pass: folds every foldable op, in order, and frees the bytes of the
// constants no op reads any more.
void fold_constants(Graph& graph);

}  // namespace octet
