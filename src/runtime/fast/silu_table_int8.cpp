// int8 SiLU (a LOGISTIC folded into its MUL, fold_silu.h) by one 256-entry
// table: the MUL's output byte depends only on x's byte, so the reference
// LOGISTIC runs on the 256 possible bytes, the reference MUL on those bytes
// and the LOGISTIC's results (in the MUL's operand order, with each tensor's
// quantization), and run() looks every x up (byte_lookup.h). The bytes are
// those of the two reference kernels run one after the other.

#include <numeric>

#include "runtime/fast/byte_lookup.h"
#include "runtime/fast/fold_silu.h"
#include "runtime/fast/table_lookup_kernel.h"

namespace octet::fast {

namespace {

ByteTable silu_table(const FastContext& logistic, const FastContext& mul) {
  const Shape shape{static_cast<std::int64_t>(kByteTableSize)};
  std::array<std::uint8_t, kByteTableSize> x{};
  std::iota(x.begin(), x.end(), std::uint8_t{0});
  ByteTable sigmoid{};
  const auto bytes = [](auto& array) { return reinterpret_cast<std::byte*>(array.data()); };
  const TensorView x_view{DType::kInt8, shape, bytes(x), logistic.inputs[0].quant};
  const TensorView s_view{DType::kInt8, shape, bytes(sigmoid), logistic.outputs[0].quant};
  reference_kernel(OpType::kLogistic)
      .eval(KernelContext{logistic.graph, logistic.op}, std::span(&x_view, 1), std::span(&s_view, 1));
  // The MUL's operands in its own order: which one is the LOGISTIC's output.
  const bool sigmoid_first = mul.op.inputs[0] == logistic.op.outputs[0];
  const std::array<TensorView, 2> operands{
      TensorView{DType::kInt8, shape, sigmoid_first ? bytes(sigmoid) : bytes(x), mul.inputs[0].quant},
      TensorView{DType::kInt8, shape, sigmoid_first ? bytes(x) : bytes(sigmoid), mul.inputs[1].quant}};
  ByteTable table{};
  const TensorView y_view{DType::kInt8, shape, bytes(table), mul.outputs[0].quant};
  reference_kernel(OpType::kMul).eval(KernelContext{mul.graph, mul.op}, operands, std::span(&y_view, 1));
  return table;
}

}  // namespace

std::unique_ptr<FastKernel> make_silu_int8(const FastContext& logistic, const FastContext& mul) {
  const TensorView& x = logistic.inputs[0];
  const TensorView& y = mul.outputs[0];
  const auto per_tensor = [](const TensorView& v) { return v.quant != nullptr && v.quant->scale.size() == 1; };
  if (x.dtype != DType::kInt8 || y.dtype != DType::kInt8 || !per_tensor(x) || !per_tensor(y)) return nullptr;
  if (!per_tensor(logistic.outputs[0]) || !per_tensor(mul.inputs[0]) || !per_tensor(mul.inputs[1])) return nullptr;
  if (x.count() != y.count() || y.count() == 0) return nullptr;
  return std::make_unique<TableLookupKernel>(silu_table(logistic, mul), x.as<const std::uint8_t>(),
                                             y.as<std::uint8_t>(), y.count(), mul.threadpool);
}

}  // namespace octet::fast
