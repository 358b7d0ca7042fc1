// PAD and PADV2 of 32-bit tensors (float32, int32) with XNNPACK's constant
// pad operator: PAD fills with zero, PADV2 with its constant scalar. The
// paddings are constants (the reference kernel requires that too) read at
// creation. Quantized tensors (whose PAD fills with the zero point) stay on
// the reference kernel.

#include <cstring>

#include "runtime/fast/registry.h"
#include "runtime/fast/xnnpack_util.h"
#include "runtime/reference/common.h"

namespace octet::fast {

namespace {

constexpr std::size_t kPaddings = 1;
constexpr std::size_t kValue = 2;

bool is_32_bit_unquantized(const TensorView& view) {
  return (view.dtype == DType::kFloat32 || view.dtype == DType::kInt32) && view.quant == nullptr;
}

std::unique_ptr<FastKernel> make_pad_x32(const FastContext& c) {
  const TensorView& in = c.inputs[0];
  const TensorView& out = c.outputs[0];
  if (!xnnpack_available() || !is_32_bit_unquantized(in) || !is_32_bit_unquantized(out)) return nullptr;
  if (in.shape.empty() || in.shape.size() > XNN_MAX_TENSOR_DIMS || out.count() == 0) return nullptr;
  if (c.graph.tensor(c.op.inputs[0]).is_constant()) return nullptr;  // XNNPACK may read past a constant's end
  std::uint32_t fill = 0;  // PAD: zero bits, 0.0F and 0 alike
  if (c.op.type == OpType::kPadV2) {
    if (!c.graph.tensor(c.op.inputs[kValue]).is_constant()) return nullptr;
    std::memcpy(&fill, c.inputs[kValue].data, sizeof(fill));
  }
  const KernelContext kernel_context{c.graph, c.op};
  const std::vector<std::int64_t> paddings = reference::constant_ints(kernel_context, kPaddings);
  const std::size_t rank = in.shape.size();
  std::vector<std::size_t> before(rank), after(rank), shape(rank);
  for (std::size_t d = 0; d < rank; ++d) {
    before[d] = static_cast<std::size_t>(paddings.at(2 * d));
    after[d] = static_cast<std::size_t>(paddings.at(2 * d + 1));
    shape[d] = static_cast<std::size_t>(in.shape[d]);
  }
  xnn_operator_t op = nullptr;
  check(c, xnn_create_constant_pad_nd_x32(&fill, /*flags=*/0, &op), "constant pad create");
  OperatorPtr owned(op);
  check(c,
        xnn_setup_constant_pad_nd_x32(op, rank, shape.data(), before.data(), after.data(), in.data, out.data,
                                      c.threadpool),
        "constant pad setup");
  return std::make_unique<XnnOperatorKernel>(c, std::move(owned));
}

}  // namespace

void add_xnn_pad_kernels(FastKernelTable& table) {
  table.add(OpType::kPad, make_pad_x32);
  table.add(OpType::kPadV2, make_pad_x32);
}

}  // namespace octet::fast
