#include "runtime/fast/fold_pad.h"

#include <algorithm>
#include <limits>
#include <optional>

namespace octet::fast {

namespace {

constexpr std::size_t kRank4 = 4;
constexpr std::size_t kData = 0;
constexpr std::size_t kPaddings = 1;
constexpr std::size_t kValue = 2;  // PADV2's constant value
constexpr std::size_t kAxisH = 1;
constexpr std::size_t kAxisW = 2;

// The paddings [[before, after] x 4] of a constant int32 / int64 [4, 2] tensor.
std::optional<std::vector<std::int64_t>> constant_paddings(const Tensor& t) {
  if (!t.is_constant() || t.shape != Shape{static_cast<std::int64_t>(kRank4), 2}) return std::nullopt;
  if (t.dtype == DType::kInt32) {
    const std::vector<std::int32_t> v = t.values<std::int32_t>();
    return std::vector<std::int64_t>(v.begin(), v.end());
  }
  if (t.dtype == DType::kInt64) return t.values<std::int64_t>();
  return std::nullopt;
}

bool same_quantization(const Tensor& a, const Tensor& b) {
  return a.quant && b.quant && a.quant->scale == b.quant->scale && a.quant->zero_point == b.quant->zero_point;
}

// Whether a float32 PADV2 pads with the lowest float (or -inf): what a max
// pooling's ignored padding amounts to when every window keeps one real value.
bool pads_with_lowest_float(const Graph& graph, const Op& pad) {
  if (pad.type != OpType::kPadV2 || pad.inputs.size() <= kValue || pad.inputs[kValue] == kNoTensor) return false;
  if (graph.tensor(pad.inputs[kData]).dtype != DType::kFloat32) return false;
  const Tensor& value = graph.tensor(pad.inputs[kValue]);
  if (!value.is_constant() || element_count(value.shape) != 1 || value.dtype != DType::kFloat32) return false;
  const float v = value.values<float>()[0];
  return v == std::numeric_limits<float>::lowest() || v == -std::numeric_limits<float>::infinity();
}

// Whether the pad value is what the convolution pads with.
bool pads_with_convolution_value(const Graph& graph, const Op& pad) {
  const Tensor& in = graph.tensor(pad.inputs[kData]);
  const Tensor& out = graph.tensor(pad.outputs[0]);
  if (in.dtype == DType::kInt8 && (!same_quantization(in, out) || out.quant->scale.size() != 1)) return false;
  if (pad.type == OpType::kPad || pad.inputs.size() <= kValue || pad.inputs[kValue] == kNoTensor) return true;
  const Tensor& value = graph.tensor(pad.inputs[kValue]);
  if (!value.is_constant() || element_count(value.shape) != 1) return false;
  if (in.dtype == DType::kFloat32) return value.dtype == DType::kFloat32 && value.values<float>()[0] == 0.0F;
  return value.dtype == DType::kInt8 && value.values<std::int8_t>()[0] == out.quant->zero_point[0];
}

std::optional<Window> spatial_padding(const Graph& graph, const Op& pad) {
  const Tensor& in = graph.tensor(pad.inputs[kData]);
  if (in.is_constant() || in.shape.size() != kRank4) return std::nullopt;
  if (in.dtype != DType::kFloat32 && in.dtype != DType::kInt8) return std::nullopt;
  const std::optional<std::vector<std::int64_t>> p = constant_paddings(graph.tensor(pad.inputs[kPaddings]));
  if (!p) return std::nullopt;
  for (std::size_t axis = 0; axis < kRank4; ++axis) {
    const std::int64_t before = (*p)[2 * axis];
    const std::int64_t after = (*p)[2 * axis + 1];
    if (before < 0 || after < 0) return std::nullopt;
    if (axis != kAxisH && axis != kAxisW && (before != 0 || after != 0)) return std::nullopt;
  }
  const auto amount = [&](std::size_t axis, std::size_t side) { return static_cast<std::uint32_t>((*p)[2 * axis + side]); };
  return Window{amount(kAxisH, 0), amount(kAxisW, 1), amount(kAxisH, 1), amount(kAxisW, 0)};
}

}  // namespace

std::vector<PadFold> find_pad_folds(const Graph& graph) {
  const std::vector<Op>& ops = graph.ops();
  std::vector<PadFold> folds;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const Op& pad = ops[i];
    if (pad.type != OpType::kPad && pad.type != OpType::kPadV2) continue;
    const TensorId out = pad.outputs[0];
    if (graph.is_output(out)) continue;
    const std::optional<Window> extra = spatial_padding(graph, pad);
    if (!extra) continue;
    std::size_t readers = 0;
    std::size_t consumer = 0;
    for (std::size_t j = 0; j < ops.size(); ++j) {
      for (std::size_t k = 0; k < ops[j].inputs.size(); ++k) {
        if (ops[j].inputs[k] != out) continue;
        ++readers;
        consumer = k == kData ? j : ops.size();  // read as anything but the data input: no fold
      }
    }
    if (readers != 1 || consumer >= ops.size() || consumer <= i) continue;
    const OpType type = ops[consumer].type;
    const bool convolution = type == OpType::kConv2D || type == OpType::kDepthwiseConv2D;
    const bool max_pool = type == OpType::kMaxPool2D;
    if (!(convolution && pads_with_convolution_value(graph, pad)) && !(max_pool && pads_with_lowest_float(graph, pad))) {
      continue;
    }
    folds.push_back({i, consumer, *extra});
  }
  return folds;
}

std::vector<ExtraRead> pad_fold_extra_reads(const Graph& graph, std::span<const PadFold> folds) {
  std::vector<ExtraRead> reads;
  for (const PadFold& f : folds) reads.push_back({graph.ops()[f.pad_op].inputs[0], f.consumer_op});
  return reads;
}

ConvSource conv_source(const FastContext& context, const Window& own_padding) {
  if (context.unpadded_input == nullptr) return {context.inputs[0], own_padding};
  const Window& e = context.extra_padding;
  return {*context.unpadded_input, Window{own_padding.top + e.top, own_padding.right + e.right,
                                          own_padding.bottom + e.bottom, own_padding.left + e.left}};
}

}  // namespace octet::fast
