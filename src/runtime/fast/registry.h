#pragma once
// The fast kernel table: per op type, the factories to try in order (the
// first that returns a kernel wins). Filled by one function per kernel file.

#include <vector>

#include "runtime/fast/fast_kernel.h"

namespace octet::fast {

using FastFactory = std::unique_ptr<FastKernel> (*)(const FastContext& context);

class FastKernelTable {
 public:
  FastKernelTable();
  void add(OpType type, FastFactory factory);
  std::span<const FastFactory> find(OpType type) const;

 private:
  std::vector<std::vector<FastFactory>> factories_;  // indexed by OpType
};

void add_avx512_conv_f32_kernels(FastKernelTable& table);  // CONV_2D (float32, AVX-512F, one group)
void add_xnn_conv_kernels(FastKernelTable& table);  // CONV_2D DEPTHWISE_CONV_2D (float32)
void add_xnn_fully_connected_kernels(FastKernelTable& table);  // FULLY_CONNECTED (float32)
void add_xnn_pool_kernels(FastKernelTable& table);  // AVERAGE_POOL_2D MAX_POOL_2D, MEAN over {1,2} (float32)
void add_xnn_elementwise_kernels(FastKernelTable& table);  // ADD SUB MUL, RELU* HARD_SWISH LOGISTIC LEAKY_RELU (float32)
void add_xnn_pad_kernels(FastKernelTable& table);  // PAD PADV2 (float32, int32)
void add_concat_kernels(FastKernelTable& table);  // CONCATENATION (unquantized dtypes)
void add_transpose_kernels(FastKernelTable& table);  // TRANSPOSE (every dtype of 1, 2, 4 or 8 bytes)
void add_xnn_resize_kernels(FastKernelTable& table);  // RESIZE_BILINEAR (float32)
void add_xnn_transpose_conv_kernels(FastKernelTable& table);  // TRANSPOSE_CONV (float32)
void add_vnni_conv_int8_kernels(FastKernelTable& table);  // CONV_2D (int8, AVX512-VNNI, every rule)
void add_xnn_conv_int8_kernels(FastKernelTable& table);  // CONV_2D DEPTHWISE_CONV_2D (int8, fp32 rule)
void add_xnn_fully_connected_int8_kernels(FastKernelTable& table);  // FULLY_CONNECTED (int8, fp32 rule)
void add_xnn_pool_int8_kernels(FastKernelTable& table);  // MAX_POOL_2D, MEAN {1, 2} (int8)
void add_simd_binary_int8_kernels(FastKernelTable& table);  // ADD SUB MUL (int8, AVX2, the reference's arithmetic)
void add_unary_table_int8_kernels(FastKernelTable& table);  // activations, QUANTIZE (int8, 256-entry table of the reference)
void add_table_binary_int8_kernels(FastKernelTable& table);  // ADD SUB MUL MAXIMUM MINIMUM (int8, look-up)
void add_pad_int8_kernels(FastKernelTable& table);  // PAD PADV2 (int8, row copies)

}  // namespace octet::fast
