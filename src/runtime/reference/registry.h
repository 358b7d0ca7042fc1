#pragma once
// The reference kernel table, filled by one function per op family (each in
// its own file under src/runtime/reference/).

#include <vector>

#include "runtime/kernel.h"

namespace octet::reference {

class KernelTable {
 public:
  KernelTable();
  void add(OpType type, PrepareFn prepare, EvalFn eval);
  // nullptr when the op type has no kernel.
  const Kernel* find(OpType type) const;

 private:
  std::vector<Kernel> kernels_;  // indexed by OpType
};

void add_conv_kernels(KernelTable& table);                // CONV_2D DEPTHWISE_CONV_2D TRANSPOSE_CONV
void add_pool_kernels(KernelTable& table);                // AVERAGE_POOL_2D MAX_POOL_2D
void add_fully_connected_kernels(KernelTable& table);     // FULLY_CONNECTED BATCH_MATMUL
void add_elementwise_binary_kernels(KernelTable& table);  // ADD SUB MUL DIV POW MAXIMUM MINIMUM SQUARED_DIFFERENCE
void add_elementwise_unary_kernels(KernelTable& table);   // activations, math functions, PRELU
void add_softmax_kernels(KernelTable& table);             // SOFTMAX LOG_SOFTMAX
void add_reduce_kernels(KernelTable& table);              // MEAN SUM REDUCE_MAX REDUCE_MIN
void add_shape_kernels(KernelTable& table);               // RESHAPE SQUEEZE EXPAND_DIMS TRANSPOSE CAST
void add_concat_split_kernels(KernelTable& table);        // CONCATENATION PACK SPLIT SPLIT_V
void add_slice_kernels(KernelTable& table);               // SLICE STRIDED_SLICE GATHER
void add_pad_tile_kernels(KernelTable& table);            // PAD PADV2 TILE
void add_resize_kernels(KernelTable& table);              // RESIZE_BILINEAR RESIZE_NEAREST_NEIGHBOR
void add_arg_kernels(KernelTable& table);                 // ARG_MAX ARG_MIN
void add_quantize_kernels(KernelTable& table);            // QUANTIZE DEQUANTIZE

}  // namespace octet::reference
