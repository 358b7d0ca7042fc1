#pragma once
// FP16 conversion as TFLite's converter does it: every float32 constant that
// an op reads (filters, biases, other constant operands) is stored as float16
// and expanded back to float32 by a DEQUANTIZE op at the start of the graph,
// so the file is half the size and runs in stock TFLite.

#include "core/graph.h"

namespace octet {

void store_weights_fp16(Graph& graph);

}  // namespace octet
