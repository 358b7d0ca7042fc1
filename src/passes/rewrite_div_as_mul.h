#pragma once
// Rewrites a DIV by a float32 constant as a MUL by its reciprocal (what
// TFLite's converter does too): TFLite has no int8 DIV, and MUL by a constant
// is cheaper in float. Constants with a zero or non-finite value are left
// alone. The reciprocal differs from the division by at most one rounding.

#include "core/graph.h"

namespace octet {

void rewrite_div_as_mul(Graph& graph);

}  // namespace octet
