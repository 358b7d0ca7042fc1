#pragma once
// How each IR operator is quantized to int8: octet's counterpart of TFLite's
// operator_property table. One row per op type (op_quant_rules.cpp); the
// quantizer (quantize_graph.cpp) reads nothing else about an op's int8 form.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/graph.h"
#include "core/op_table.h"

namespace octet::quant {

// What an op input is, for quantization.
enum class InputRole : std::uint8_t {
  kActivation,        // int8 asymmetric per tensor with its own calibrated range
  kSharedWithOutput,  // int8 with exactly the output's scale and zero point (TFLite
                      // checks equality: CONCATENATION, PACK, MAXIMUM, MINIMUM, PADV2's value)
  kWeight,            // constant, int8 symmetric, per channel along `weight_axis`
  kBias,              // constant, int32, scale = input scale x weight scale
  kIndex,             // integer operand (shape, axes, perm, paddings...): left as is
};

// How an op's int8 outputs get their scale and zero point.
enum class OutputRule : std::uint8_t {
  kCalibrated,   // from the calibrated range of the output
  kSameAsInput,  // equal to the primary input's (TFLite requires it: pooling, reshapes...)
  kLogistic,     // fixed 1/256, -128
  kSoftmax,      // fixed 1/256, -128
  kTanh,         // fixed 1/128, 0
  kLogSoftmax,   // fixed 16/256, 127
  kInteger,      // not a quantized value (ARG_MAX's int32 indices)
};

// For ops whose int8 form covers only some configurations: the reason this
// op cannot run in int8, or an empty string when it can.
using Int8Limit = std::string (*)(const Graph& graph, const Op& op);

struct OpQuantRule {
  bool int8 = false;          // TFLite and octet both run this op in int8
  std::string_view why_not;   // when !int8: the reason, for the error / report
  OutputRule output = OutputRule::kCalibrated;
  std::vector<InputRole> inputs;  // per input index
  int primary_input = 0;      // the data input (kSameAsInput follows it; bias scale uses it)
  int weight_axis = -1;       // the output-channel axis of the kWeight input
  InputRole rest = InputRole::kActivation;  // inputs past the end of `inputs` (variadic joins)
  Int8Limit limit = nullptr;                // configuration limits of the int8 form, if any

  InputRole role(std::size_t input) const { return input < inputs.size() ? inputs[input] : rest; }
};

const OpQuantRule& quant_rule(OpType type);

// Why `op` cannot run in int8 (its rule, a configuration limit, weights or
// bias that are not constants), or "" when it can.
std::string int8_refusal(const Graph& graph, const Op& op);

// Whether the quantizer reads a calibrated range for `op`'s float outputs:
// true for ops kept in float and for int8 ops whose outputs are calibrated;
// false where TFLite fixes the output quantization or takes the input's. The
// calibrator observes only these (and the graph inputs).
bool outputs_need_calibration(const Graph& graph, const Op& op);

}  // namespace octet::quant
