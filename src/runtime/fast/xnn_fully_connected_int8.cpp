// int8 FULLY_CONNECTED with XNNPACK's qs8 fully connected operator where the
// reference follows XNNPACK's fp32 rule (one weight scale, bias absent or with
// one scale: reference::conv_quant decides, int8_rounding.h); per-channel
// weights run ruy's single rounding in TFLite and stay on the reference.
// octet's weights [units, depth] are XNNPACK's [output channels][input
// channels]; every leading input dimension is a batch row.

#include "runtime/fast/registry.h"
#include "runtime/fast/xnnpack_util.h"
#include "runtime/reference/int8_common.h"

namespace octet::fast {

namespace {

constexpr std::size_t kIn = 0;
constexpr std::size_t kWeights = 1;
constexpr std::size_t kBias = 2;

bool has_bias(const FastContext& c) { return c.op.inputs.size() > kBias && c.op.inputs[kBias] != kNoTensor; }

std::int8_t to_int8(std::int32_t v) { return static_cast<std::int8_t>(v); }

std::unique_ptr<FastKernel> make_fully_connected_int8(const FastContext& c) {
  if (!xnnpack_available()) return nullptr;
  const TensorView& in = c.inputs[kIn];
  const TensorView& weights = c.inputs[kWeights];
  const TensorView& out = c.outputs[0];
  if (in.dtype != DType::kInt8 || weights.dtype != DType::kInt8 || out.dtype != DType::kInt8) return nullptr;
  // XNNPACK packs weights and bias once at creation: they must be constants.
  if (!c.graph.tensor(c.op.inputs[kWeights]).is_constant()) return nullptr;
  if (has_bias(c) && !c.graph.tensor(c.op.inputs[kBias]).is_constant()) return nullptr;
  const auto& o = c.op.opts<FullyConnectedOptions>();
  const std::int64_t units = weights.shape[0];
  const std::int64_t depth = weights.shape[1];
  const reference::ConvQuant q = reference::conv_quant(c.op.type, in, weights, has_bias(c) ? &c.inputs[kBias] : nullptr,
                                                       out, units, o.activation);
  if (q.rule != reference::Requantization::kFp32) return nullptr;
  // XNNPACK needs output_min < output_max; a clamp to one value stays on the reference.
  if (q.range.min >= q.range.max) return nullptr;
  const reference::TensorQuant in_q = reference::view_quant(in);
  const reference::TensorQuant out_q = reference::view_quant(out);
  xnn_operator_t op = nullptr;
  check(c,
        xnn_create_fully_connected_nc_qs8(
            static_cast<std::size_t>(depth), static_cast<std::size_t>(units), static_cast<std::size_t>(depth),
            static_cast<std::size_t>(units), to_int8(in_q.zero_point), in_q.scale, weights.quant->scale[0],
            weights.as<const std::int8_t>(), has_bias(c) ? c.inputs[kBias].as<const std::int32_t>() : nullptr,
            to_int8(out_q.zero_point), out_q.scale, to_int8(q.range.min), to_int8(q.range.max), /*flags=*/0, &op),
        "qs8 fully connected create");
  OperatorPtr owned(op);
  const auto rows = static_cast<std::size_t>(static_cast<std::int64_t>(in.count()) / depth);
  check(c,
        xnn_setup_fully_connected_nc_qs8(op, rows, in.as<const std::int8_t>(), out.as<std::int8_t>(), c.threadpool),
        "qs8 fully connected setup");
  return std::make_unique<XnnOperatorKernel>(c, std::move(owned));
}

}  // namespace

void add_xnn_fully_connected_int8_kernels(FastKernelTable& table) {
  table.add(OpType::kFullyConnected, make_fully_connected_int8);
}

}  // namespace octet::fast
