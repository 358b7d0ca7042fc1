#pragma once
// Folds per-channel scales and shifts (what BatchNormalization becomes on
// import: MUL by a constant, then ADD of a constant) into the preceding
// CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED: the filter rows are scaled
// and the bias absorbs the shift, computed in double.

#include "core/graph.h"

namespace octet {

void fold_batch_norm(Graph& graph);

}  // namespace octet
