// FULLY_CONNECTED on float32 with XNNPACK's fully connected operator. octet's
// weights [units, depth] are XNNPACK's [output channels][input channels]
// layout; XNNPACK packs them (and the bias) at creation, so both must be
// constants. The input is read as rows of `depth` values, as the reference
// kernel reads it (keep_num_dims only changes the output's shape, not its
// memory).

#include "runtime/fast/registry.h"
#include "runtime/fast/xnnpack_util.h"

namespace octet::fast {

namespace {

constexpr std::size_t kIn = 0;
constexpr std::size_t kWeights = 1;
constexpr std::size_t kBias = 2;

std::unique_ptr<FastKernel> make_fully_connected_f32(const FastContext& c) {
  if (!xnnpack_available()) return nullptr;
  if (c.inputs[kIn].dtype != DType::kFloat32 || c.inputs[kWeights].dtype != DType::kFloat32) return nullptr;
  if (!c.graph.tensor(c.op.inputs[kWeights]).is_constant()) return nullptr;
  const bool has_bias = c.op.inputs.size() > kBias && c.op.inputs[kBias] != kNoTensor;
  if (has_bias && !c.graph.tensor(c.op.inputs[kBias]).is_constant()) return nullptr;
  const auto range = activation_range(c.op.opts<FullyConnectedOptions>().activation);
  if (!range) return nullptr;
  const auto units = static_cast<std::size_t>(c.inputs[kWeights].shape[0]);
  const auto depth = static_cast<std::size_t>(c.inputs[kWeights].shape[1]);
  const std::size_t rows = c.inputs[kIn].count() / depth;
  if (rows == 0) return nullptr;  // an empty input: nothing to compute
  xnn_operator_t op = nullptr;
  check(c,
        xnn_create_fully_connected_nc_f32(depth, units, /*input_stride=*/depth, /*output_stride=*/units,
                                          c.inputs[kWeights].as<const float>(),
                                          has_bias ? c.inputs[kBias].as<const float>() : nullptr, range->first,
                                          range->second, /*flags=*/0, &op),
        "fully connected create");
  OperatorPtr owned(op);
  check(c,
        xnn_setup_fully_connected_nc_f32(op, rows, c.inputs[kIn].as<const float>(), c.outputs[0].as<float>(),
                                         c.threadpool),
        "fully connected setup");
  return std::make_unique<XnnOperatorKernel>(c, std::move(owned));
}

}  // namespace

void add_xnn_fully_connected_kernels(FastKernelTable& table) {
  table.add(OpType::kFullyConnected, make_fully_connected_f32);
}

}  // namespace octet::fast
