#include "runtime/fast/registry.h"

#include "core/op_table.h"

namespace octet::fast {

FastKernelTable::FastKernelTable() : factories_(all_ops().size()) {}

void FastKernelTable::add(OpType type, FastFactory factory) {
  factories_.at(static_cast<std::size_t>(type)).push_back(factory);
}

std::span<const FastFactory> FastKernelTable::find(OpType type) const {
  const auto index = static_cast<std::size_t>(type);
  if (index >= factories_.size()) return {};
  return factories_[index];
}

namespace {

const FastKernelTable& table() {
  static const FastKernelTable instance = [] {
    FastKernelTable t;
    add_avx512_conv_f32_kernels(t);  // before XNNPACK's: preferred where the CPU has AVX-512
    add_xnn_conv_kernels(t);
    add_xnn_fully_connected_kernels(t);
    add_xnn_pool_kernels(t);
    add_xnn_elementwise_kernels(t);
    add_xnn_pad_kernels(t);
    add_concat_kernels(t);
    add_transpose_kernels(t);
    add_xnn_resize_kernels(t);
    add_xnn_transpose_conv_kernels(t);
    add_vnni_conv_int8_kernels(t);  // before XNNPACK's: preferred where the CPU has VNNI
    add_xnn_conv_int8_kernels(t);
    add_xnn_fully_connected_int8_kernels(t);
    add_xnn_pool_int8_kernels(t);
    add_simd_binary_int8_kernels(t);  // before the table kernel: preferred where it applies
    add_unary_table_int8_kernels(t);
    add_table_binary_int8_kernels(t);
    add_pad_int8_kernels(t);
    return t;
  }();
  return instance;
}

}  // namespace

std::unique_ptr<FastKernel> make_fast_kernel(const FastContext& context) {
  for (const FastFactory factory : table().find(context.op.type)) {
    if (std::unique_ptr<FastKernel> kernel = factory(context)) return kernel;
  }
  return nullptr;
}

}  // namespace octet::fast
