// int8 unary element-wise ops by a 256-entry table: when an op's output byte
// depends only on its input byte (activations, int8 -> int8/uint8 QUANTIZE,
// all quantized per tensor), the kernel runs the op's REFERENCE kernel once at
// creation on the 256 possible input bytes and keeps the 256 results; run()
// then looks every input byte up (byte_lookup.h: AVX512-VBMI permutes or a
// scalar loop). Exact by construction: the table holds the reference's own
// values, whatever its arithmetic (float tables, fixed point, XNNPACK rules).

#include <numeric>

#include "runtime/fast/byte_lookup.h"
#include "runtime/fast/registry.h"
#include "runtime/fast/table_lookup_kernel.h"

namespace octet::fast {

namespace {

bool per_tensor(const TensorView& view) { return view.quant != nullptr && view.quant->scale.size() == 1; }

// The reference's output byte for each of the 256 input bytes.
ByteTable reference_table(const FastContext& c) {
  std::array<std::uint8_t, kByteTableSize> in{};
  std::iota(in.begin(), in.end(), std::uint8_t{0});
  ByteTable table{};
  const Shape shape{static_cast<std::int64_t>(kByteTableSize)};
  const TensorView in_view{c.inputs[0].dtype, shape, reinterpret_cast<std::byte*>(in.data()), c.inputs[0].quant};
  const TensorView out_view{c.outputs[0].dtype, shape, reinterpret_cast<std::byte*>(table.data()), c.outputs[0].quant};
  reference_kernel(c.op.type).eval(KernelContext{c.graph, c.op}, std::span(&in_view, 1), std::span(&out_view, 1));
  return table;
}

std::unique_ptr<FastKernel> make_unary_table_int8(const FastContext& c) {
  if (c.inputs.size() != 1 || c.outputs.size() != 1) return nullptr;
  const TensorView& in = c.inputs[0];
  const TensorView& out = c.outputs[0];
  if (in.dtype != DType::kInt8 || !per_tensor(in) || !per_tensor(out)) return nullptr;
  const bool byte_output = out.dtype == DType::kInt8 || (c.op.type == OpType::kQuantize && out.dtype == DType::kUint8);
  if (!byte_output || out.count() != in.count() || out.count() == 0) return nullptr;
  return std::make_unique<TableLookupKernel>(reference_table(c), in.as<const std::uint8_t>(), out.as<std::uint8_t>(),
                                             out.count(), c.threadpool);
}

}  // namespace

void add_unary_table_int8_kernels(FastKernelTable& table) {
  for (const OpType type : {OpType::kLogistic, OpType::kTanh, OpType::kHardSwish, OpType::kLeakyRelu, OpType::kRelu,
                            OpType::kRelu6, OpType::kReluN1To1, OpType::kGelu, OpType::kQuantize}) {
    table.add(type, make_unary_table_int8);
  }
}

}  // namespace octet::fast
