#pragma once
// The int8 quantizer: rewrites a calibrated float graph into TFLite's
// full-integer form (the 8-bit specification, see quant_math.h), following
// each op's row of the quantization rule table (op_quant_rules.h).
//
//   * activations: int8 per tensor from their calibrated range, except where
//     TFLite fixes the output (LOGISTIC, SOFTMAX, TANH) or requires it to equal
//     the input (pooling, reshapes, pads, slices, resizes...);
//   * joins (CONCATENATION, PACK, MAXIMUM, MINIMUM): inputs share the output's
//     quantization: a producer used only by the join is quantized with the
//     join's parameters directly, any other input gets a requantizing QUANTIZE;
//   * weights: int8 symmetric, per channel (CONV_2D axis 0, DEPTHWISE axis 3,
//     TRANSPOSE_CONV axis 0), FULLY_CONNECTED per tensor unless asked; biases
//     int32 (a weight scale is raised where a bias would not fit int32);
//   * other float constants feeding int8 ops: int8 per tensor over their values;
//   * model inputs/outputs: int8, uint8 or float32 interfaces (QUANTIZE /
//     DEQUANTIZE at the edges keep the user-facing names);
//   * an op with no int8 form fails the conversion with the list of all such
//     ops, unless float fallback is allowed: then it runs in float between
//     DEQUANTIZE and QUANTIZE and the report says so.

#include <map>
#include <string>
#include <vector>

#include "core/graph.h"
#include "quant/quant_math.h"

namespace octet::quant {

struct QuantizeOptions {
  DType input_type = DType::kInt8;   // kInt8, kUint8 or kFloat32
  DType output_type = DType::kInt8;  // kInt8, kUint8 or kFloat32
  bool per_tensor = false;           // per-tensor weights everywhere
  bool per_channel_fc = false;       // per-channel FULLY_CONNECTED weights
  bool allow_float_fallback = false;
};

// The calibrated range of every float activation, by tensor name.
using TensorRanges = std::map<std::string, Range>;

struct QuantizedTensorRecord {
  std::string name;
  Range range;  // calibrated (or fixed) real range
  float scale = 0.0F;
  std::int64_t zero_point = 0;
  std::string rule;  // "calibrated", "same as input", "fixed (LOGISTIC)", "shared with join", ...
};

struct QuantizedOpRecord {
  std::string name;
  std::string type;
  std::string dtype;  // "int8", "float32" (fallback) or the integer type of an integer op
  std::string note;   // why it stayed float, or empty
};

struct QuantizeResult {
  Graph graph;
  std::vector<QuantizedTensorRecord> tensors;
  std::vector<QuantizedOpRecord> ops;
  std::vector<std::string> notes;  // decisions taken for the user (fallbacks, requantizations)
};

// `graph` must be a verified float32 graph whose every float activation has a
// range in `ranges`. Throws octet::Error (listing every op without an int8
// form when fallback is not allowed).
QuantizeResult quantize_graph(const Graph& graph, const TensorRanges& ranges, const QuantizeOptions& options);

// Parses "int8", "uint8", "float32" for --input-type / --output-type.
DType parse_interface_type(std::string_view text, std::string_view option);

}  // namespace octet::quant
