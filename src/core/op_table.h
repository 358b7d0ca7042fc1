#pragma once
// The one table of IR operators. Each row: the enumerator, the TFLite
// builtin name it corresponds to, the options struct it carries, and how many
// inputs it takes (optional inputs are kNoTensor). Adding an operator adds a
// row here; its kernel, importer rule and writer options live in small files
// of their own modules (src/runtime, src/onnx, src/tflite).

#include <cstdint>
#include <span>
#include <string_view>

#include "core/op_options.h"

namespace octet {

//        enumerator               name                        options                 inputs(min,max)
#define OCTET_OP_TABLE(X)                                                                                 \
  X(kAdd,                   "ADD",                      BinaryOptions,          2, 2)                    \
  X(kSub,                   "SUB",                      BinaryOptions,          2, 2)                    \
  X(kMul,                   "MUL",                      BinaryOptions,          2, 2)                    \
  X(kDiv,                   "DIV",                      BinaryOptions,          2, 2)                    \
  X(kPow,                   "POW",                      NoOptions,              2, 2)                    \
  X(kMaximum,               "MAXIMUM",                  NoOptions,              2, 2)                    \
  X(kMinimum,               "MINIMUM",                  NoOptions,              2, 2)                    \
  X(kSquaredDifference,     "SQUARED_DIFFERENCE",       NoOptions,              2, 2)                    \
  X(kConv2D,                "CONV_2D",                  Conv2DOptions,          2, 3)                    \
  X(kDepthwiseConv2D,       "DEPTHWISE_CONV_2D",        DepthwiseConv2DOptions, 2, 3)                    \
  X(kTransposeConv,         "TRANSPOSE_CONV",           TransposeConvOptions,   3, 4)                    \
  X(kAveragePool2D,         "AVERAGE_POOL_2D",          Pool2DOptions,          1, 1)                    \
  X(kMaxPool2D,             "MAX_POOL_2D",              Pool2DOptions,          1, 1)                    \
  X(kFullyConnected,        "FULLY_CONNECTED",          FullyConnectedOptions,  2, 3)                    \
  X(kBatchMatMul,           "BATCH_MATMUL",             BatchMatMulOptions,     2, 2)                    \
  X(kReshape,               "RESHAPE",                  NoOptions,              2, 2)                    \
  X(kTranspose,             "TRANSPOSE",                NoOptions,              2, 2)                    \
  X(kConcatenation,         "CONCATENATION",            ConcatenationOptions,   1, 1024)                 \
  X(kSplit,                 "SPLIT",                    SplitOptions,           2, 2)                    \
  X(kSplitV,                "SPLIT_V",                  SplitOptions,           3, 3)                    \
  X(kSlice,                 "SLICE",                    NoOptions,              3, 3)                    \
  X(kStridedSlice,          "STRIDED_SLICE",            StridedSliceOptions,    4, 4)                    \
  X(kGather,                "GATHER",                   GatherOptions,          2, 2)                    \
  X(kPad,                   "PAD",                      NoOptions,              2, 2)                    \
  X(kPadV2,                 "PADV2",                    NoOptions,              3, 3)                    \
  X(kMean,                  "MEAN",                     ReducerOptions,         2, 2)                    \
  X(kSum,                   "SUM",                      ReducerOptions,         2, 2)                    \
  X(kReduceMax,             "REDUCE_MAX",               ReducerOptions,         2, 2)                    \
  X(kReduceMin,             "REDUCE_MIN",               ReducerOptions,         2, 2)                    \
  X(kSoftmax,               "SOFTMAX",                  SoftmaxOptions,         1, 1)                    \
  X(kLogSoftmax,            "LOG_SOFTMAX",              NoOptions,              1, 1)                    \
  X(kLogistic,              "LOGISTIC",                 NoOptions,              1, 1)                    \
  X(kTanh,                  "TANH",                     NoOptions,              1, 1)                    \
  X(kRelu,                  "RELU",                     NoOptions,              1, 1)                    \
  X(kRelu6,                 "RELU6",                    NoOptions,              1, 1)                    \
  X(kReluN1To1,             "RELU_N1_TO_1",             NoOptions,              1, 1)                    \
  X(kLeakyRelu,             "LEAKY_RELU",               LeakyReluOptions,       1, 1)                    \
  X(kPrelu,                 "PRELU",                    NoOptions,              2, 2)                    \
  X(kHardSwish,             "HARD_SWISH",               NoOptions,              1, 1)                    \
  X(kGelu,                  "GELU",                     GeluOptions,            1, 1)                    \
  X(kExp,                   "EXP",                      NoOptions,              1, 1)                    \
  X(kLog,                   "LOG",                      NoOptions,              1, 1)                    \
  X(kSqrt,                  "SQRT",                     NoOptions,              1, 1)                    \
  X(kRsqrt,                 "RSQRT",                    NoOptions,              1, 1)                    \
  X(kAbs,                   "ABS",                      NoOptions,              1, 1)                    \
  X(kNeg,                   "NEG",                      NoOptions,              1, 1)                    \
  X(kArgMax,                "ARG_MAX",                  ArgOptions,             2, 2)                    \
  X(kArgMin,                "ARG_MIN",                  ArgOptions,             2, 2)                    \
  X(kCast,                  "CAST",                     CastOptions,            1, 1)                    \
  X(kQuantize,              "QUANTIZE",                 NoOptions,              1, 1)                    \
  X(kDequantize,            "DEQUANTIZE",               NoOptions,              1, 1)                    \
  X(kResizeBilinear,        "RESIZE_BILINEAR",          ResizeOptions,          2, 2)                    \
  X(kResizeNearestNeighbor, "RESIZE_NEAREST_NEIGHBOR",  ResizeOptions,          2, 2)                    \
  X(kSqueeze,               "SQUEEZE",                  SqueezeOptions,         1, 1)                    \
  X(kExpandDims,            "EXPAND_DIMS",              NoOptions,              2, 2)                    \
  X(kPack,                  "PACK",                     PackOptions,            1, 1024)                 \
  X(kTile,                  "TILE",                     NoOptions,              2, 2)

enum class OpType : std::uint16_t {
#define OCTET_OP_ENUM(id, name, options, min_in, max_in) id,
  OCTET_OP_TABLE(OCTET_OP_ENUM)
#undef OCTET_OP_ENUM
};

struct OpInfo {
  OpType type;
  std::string_view name;
  std::size_t options_index;  // index of the options struct in OpOptions
  int min_inputs;
  int max_inputs;
};

const OpInfo& op_info(OpType type);
std::string_view op_name(OpType type);
// Every row, in table order.
std::span<const OpInfo> all_ops();
// The default-constructed options struct of an op type.
OpOptions default_options(OpType type);

}  // namespace octet
