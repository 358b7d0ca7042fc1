#pragma once
// Rewrites of ONNX subgraphs that exporters spell out op by op into the one
// operator TFLite has for them, done on the ONNX graph before import:
//   GELU: x * 0.5 * (1 + Erf(x / sqrt(2)))  ->  Gelu(x)   (PyTorch's export)

#include <onnx/onnx_pb.h>

namespace octet::onnx_import {

// Returns the number of subgraphs rewritten.
int rewrite_patterns(onnx::GraphProto& graph);

}  // namespace octet::onnx_import
