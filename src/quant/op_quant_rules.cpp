#include "quant/op_quant_rules.h"

#include <algorithm>

#include <fmt/format.h>


namespace octet::quant {

namespace {

using enum InputRole;
using enum OutputRule;

constexpr std::string_view kNoTfliteInt8 = "TFLite has no int8 kernel for it";
constexpr std::string_view kNotQuantizable = "it is not an arithmetic op on real values";
// Output-channel axes of TFLite's weight layouts.
constexpr int kOhwiAxis = 0;       // CONV_2D, TRANSPOSE_CONV, FULLY_CONNECTED: [O, ...]
constexpr int kDepthwiseAxis = 3;  // DEPTHWISE_CONV_2D: [1, H, W, O]

OpQuantRule int8(OutputRule output, std::vector<InputRole> inputs = {}, int primary = 0, int weight_axis = -1) {
  return {true, {}, output, std::move(inputs), primary, weight_axis, kActivation, nullptr};
}
OpQuantRule float_only(std::string_view why) { return {false, why, kCalibrated, {}, 0, -1, kActivation, nullptr}; }

// CONCATENATION, PACK: any number of inputs, all sharing the output's quantization.
OpQuantRule int8_join() {
  OpQuantRule rule = int8(kCalibrated);
  rule.rest = kSharedWithOutput;
  return rule;
}

OpQuantRule make_rule(OpType type) {
  switch (type) {
    // Arithmetic with rescaling.
    case OpType::kAdd:
    case OpType::kSub:
    case OpType::kMul: return int8(kCalibrated);
    case OpType::kMaximum:
    case OpType::kMinimum: return int8(kCalibrated, {kSharedWithOutput, kSharedWithOutput});
    case OpType::kDiv:
    case OpType::kPow:
    case OpType::kSquaredDifference:
    case OpType::kExp:
    case OpType::kLog:
    case OpType::kSqrt:
    case OpType::kRsqrt:
    case OpType::kAbs:
    case OpType::kNeg:
    case OpType::kSum:
    case OpType::kReduceMin: return float_only(kNoTfliteInt8);
    // Weighted ops.
    case OpType::kConv2D: return int8(kCalibrated, {kActivation, kWeight, kBias}, 0, kOhwiAxis);
    case OpType::kDepthwiseConv2D: return int8(kCalibrated, {kActivation, kWeight, kBias}, 0, kDepthwiseAxis);
    case OpType::kTransposeConv: return int8(kCalibrated, {kIndex, kWeight, kActivation, kBias}, 2, kOhwiAxis);
    case OpType::kFullyConnected: return int8(kCalibrated, {kActivation, kWeight, kBias}, 0, kOhwiAxis);
    // Both operands per tensor with their own ranges (TFLite's int8 BatchMatMul takes any zero points).
    case OpType::kBatchMatMul: return int8(kCalibrated, {kActivation, kActivation});
    // Ops whose output must keep the input's quantization.
    case OpType::kAveragePool2D:
    case OpType::kMaxPool2D:
    case OpType::kSqueeze:
    case OpType::kReduceMax: return int8(kSameAsInput, {kActivation, kIndex});
    case OpType::kReshape:
    case OpType::kTranspose:
    case OpType::kExpandDims:
    case OpType::kTile:
    case OpType::kGather:
    case OpType::kPad:
    case OpType::kResizeBilinear:
    case OpType::kResizeNearestNeighbor: return int8(kSameAsInput, {kActivation, kIndex});
    case OpType::kPadV2: return int8(kSameAsInput, {kActivation, kIndex, kSharedWithOutput});
    case OpType::kSlice: return int8(kSameAsInput, {kActivation, kIndex, kIndex});
    case OpType::kStridedSlice: return int8(kSameAsInput, {kActivation, kIndex, kIndex, kIndex});
    case OpType::kSplit: return int8(kSameAsInput, {kIndex, kActivation}, 1);
    case OpType::kSplitV: return int8(kSameAsInput, {kActivation, kIndex, kIndex});
    // Joins: every input takes the output's quantization.
    case OpType::kConcatenation:
    case OpType::kPack: return int8_join();
    case OpType::kMean: return int8(kCalibrated, {kActivation, kIndex});
    // Activations.
    case OpType::kRelu:
    case OpType::kRelu6:
    case OpType::kReluN1To1:
    case OpType::kLeakyRelu:
    case OpType::kHardSwish:
    case OpType::kGelu: return int8(kCalibrated);
    case OpType::kPrelu: return int8(kCalibrated, {kActivation, kActivation});
    case OpType::kLogistic: return int8(kLogistic);
    case OpType::kTanh: return int8(kTanh);
    case OpType::kSoftmax: return int8(kSoftmax);
    case OpType::kLogSoftmax: return int8(kLogSoftmax);
    case OpType::kArgMax:
    case OpType::kArgMin: return int8(kInteger, {kActivation, kIndex});
    case OpType::kCast:
    case OpType::kQuantize:
    case OpType::kDequantize: return float_only(kNotQuantizable);
  }
  return float_only(kNoTfliteInt8);
}

}  // namespace

const OpQuantRule& quant_rule(OpType type) {
  static const auto table = [] {
    std::vector<OpQuantRule> rules;
    for (const OpInfo& info : all_ops()) rules.push_back(make_rule(info.type));
    return rules;
  }();
  return table.at(static_cast<std::size_t>(type));
}

std::string int8_refusal(const Graph& graph, const Op& op) {
  const OpQuantRule& rule = quant_rule(op.type);
  if (!rule.int8) return std::string(rule.why_not);
  if (rule.limit != nullptr) {
    std::string why = rule.limit(graph, op);
    if (!why.empty()) return why;
  }
  for (std::size_t i = 0; i < op.inputs.size(); ++i) {
    const InputRole role = rule.role(i);
    if ((role == InputRole::kWeight || role == InputRole::kBias) && op.inputs[i] != kNoTensor &&
        !graph.tensor(op.inputs[i]).is_constant()) {
      return fmt::format("its {} '{}' is not a constant", role == InputRole::kWeight ? "weight" : "bias",
                         graph.tensor(op.inputs[i]).name);
    }
  }
  return "";
}

bool outputs_need_calibration(const Graph& graph, const Op& op) {
  return quant_rule(op.type).output == OutputRule::kCalibrated || !int8_refusal(graph, op).empty();
}

}  // namespace octet::quant
