#include "tflite/op_codec.h"

#include <array>
#include <cmath>
#include <limits>

#include "core/error.h"

namespace octet::tfl {

namespace {

using tflite::BuiltinOperator;
using tflite::BuiltinOptions;

// The one table. Rows are in op table order (checked below at compile time).
// clang-format off
//          IR op type                TFLite builtin             TFLite options table
#define OCTET_TFLITE_OP_CODECS(X)                                                       \
  X(kAdd,                   ADD,                     AddOptions)                       \
  X(kSub,                   SUB,                     SubOptions)                       \
  X(kMul,                   MUL,                     MulOptions)                       \
  X(kDiv,                   DIV,                     DivOptions)                       \
  X(kPow,                   POW,                     PowOptions)                       \
  X(kMaximum,               MAXIMUM,                 MaximumMinimumOptions)            \
  X(kMinimum,               MINIMUM,                 MaximumMinimumOptions)            \
  X(kSquaredDifference,     SQUARED_DIFFERENCE,      SquaredDifferenceOptions)         \
  X(kConv2D,                CONV_2D,                 Conv2DOptions)                    \
  X(kDepthwiseConv2D,       DEPTHWISE_CONV_2D,       DepthwiseConv2DOptions)           \
  X(kTransposeConv,         TRANSPOSE_CONV,          TransposeConvOptions)             \
  X(kAveragePool2D,         AVERAGE_POOL_2D,         Pool2DOptions)                    \
  X(kMaxPool2D,             MAX_POOL_2D,             Pool2DOptions)                    \
  X(kFullyConnected,        FULLY_CONNECTED,         FullyConnectedOptions)            \
  X(kBatchMatMul,           BATCH_MATMUL,            BatchMatMulOptions)               \
  X(kReshape,               RESHAPE,                 ReshapeOptions)                   \
  X(kTranspose,             TRANSPOSE,               TransposeOptions)                 \
  X(kConcatenation,         CONCATENATION,           ConcatenationOptions)             \
  X(kSplit,                 SPLIT,                   SplitOptions)                     \
  X(kSplitV,                SPLIT_V,                 SplitVOptions)                    \
  X(kSlice,                 SLICE,                   SliceOptions)                     \
  X(kStridedSlice,          STRIDED_SLICE,           StridedSliceOptions)              \
  X(kGather,                GATHER,                  GatherOptions)                    \
  X(kPad,                   PAD,                     PadOptions)                       \
  X(kPadV2,                 PADV2,                   PadV2Options)                     \
  X(kMean,                  MEAN,                    ReducerOptions)                   \
  X(kSum,                   SUM,                     ReducerOptions)                   \
  X(kReduceMax,             REDUCE_MAX,              ReducerOptions)                   \
  X(kReduceMin,             REDUCE_MIN,              ReducerOptions)                   \
  X(kSoftmax,               SOFTMAX,                 SoftmaxOptions)                   \
  X(kLogSoftmax,            LOG_SOFTMAX,             LogSoftmaxOptions)                \
  X(kLogistic,              LOGISTIC,                NONE)                             \
  X(kTanh,                  TANH,                    NONE)                             \
  X(kRelu,                  RELU,                    NONE)                             \
  X(kRelu6,                 RELU6,                   NONE)                             \
  X(kReluN1To1,             RELU_N1_TO_1,            NONE)                             \
  X(kLeakyRelu,             LEAKY_RELU,              LeakyReluOptions)                 \
  X(kPrelu,                 PRELU,                   NONE)                             \
  X(kHardSwish,             HARD_SWISH,              HardSwishOptions)                 \
  X(kGelu,                  GELU,                    GeluOptions)                      \
  X(kExp,                   EXP,                     ExpOptions)                       \
  X(kLog,                   LOG,                     NONE)                             \
  X(kSqrt,                  SQRT,                    NONE)                             \
  X(kRsqrt,                 RSQRT,                   NONE)                             \
  X(kAbs,                   ABS,                     AbsOptions)                       \
  X(kNeg,                   NEG,                     NegOptions)                       \
  X(kArgMax,                ARG_MAX,                 ArgMaxOptions)                    \
  X(kArgMin,                ARG_MIN,                 ArgMinOptions)                    \
  X(kCast,                  CAST,                    CastOptions)                      \
  X(kQuantize,              QUANTIZE,                QuantizeOptions)                  \
  X(kDequantize,            DEQUANTIZE,              DequantizeOptions)                \
  X(kResizeBilinear,        RESIZE_BILINEAR,         ResizeBilinearOptions)            \
  X(kResizeNearestNeighbor, RESIZE_NEAREST_NEIGHBOR, ResizeNearestNeighborOptions)     \
  X(kSqueeze,               SQUEEZE,                 SqueezeOptions)                   \
  X(kExpandDims,            EXPAND_DIMS,             ExpandDimsOptions)                \
  X(kPack,                  PACK,                    PackOptions)                      \
  X(kTile,                  TILE,                    TileOptions)
// clang-format on

constexpr std::array kCodecs{
#define OCTET_TFLITE_CODEC_ROW(type, builtin, options) \
  OpCodec{OpType::type, BuiltinOperator::builtin, BuiltinOptions::options},
    OCTET_TFLITE_OP_CODECS(OCTET_TFLITE_CODEC_ROW)
#undef OCTET_TFLITE_CODEC_ROW
};

constexpr std::size_t kOpCount = 0
#define OCTET_TFLITE_COUNT_OP(id, name, options, min_in, max_in) +1
    OCTET_OP_TABLE(OCTET_TFLITE_COUNT_OP)
#undef OCTET_TFLITE_COUNT_OP
    ;

constexpr bool rows_follow_op_table() {
  if (kCodecs.size() != kOpCount) return false;
  for (std::size_t i = 0; i < kCodecs.size(); ++i) {
    if (static_cast<std::size_t>(kCodecs[i].type) != i) return false;
  }
  return true;
}
static_assert(rows_follow_op_table(), "the codec table needs one row per IR op type, in op table order");

// ---------------------------------------------------------------------------
// Reading options.

template <typename T>
const T* options_as(const tflite::Operator& op) {
  return op.builtin_options_type() == tflite::BuiltinOptionsTraits<T>::enum_value
             ? static_cast<const T*>(op.builtin_options())
             : nullptr;
}

// The options table of type T; throws when it is missing or of another type.
template <typename T>
const T& require_options(const tflite::Operator& op) {
  const BuiltinOptions expected = tflite::BuiltinOptionsTraits<T>::enum_value;
  const T* options = options_as<T>(op);
  if (op.builtin_options_type() != expected) {
    if (op.builtin_options_type() == BuiltinOptions::NONE) {
      throw fail("builtin options missing (expected {})", options_type_name(expected));
    }
    throw fail("builtin options are {}, expected {}", options_type_name(op.builtin_options_type()),
               options_type_name(expected));
  }
  if (options == nullptr) throw fail("builtin options {} are declared but absent", options_type_name(expected));
  return *options;
}

bool is_hybrid(const Graph& graph, const Op& op) {
  if (op.inputs.size() < 2 || op.inputs[0] == kNoTensor || op.inputs[1] == kNoTensor) return false;
  return graph.tensor(op.inputs[0]).dtype == DType::kFloat32 && graph.tensor(op.inputs[1]).dtype == DType::kInt8;
}

// ---------------------------------------------------------------------------
// The operator signature op_version.cc looks at (op_signature.cc's view of a
// tensor: its type, or none for an omitted input, its dims, and whether a
// quantization table is present, which the writer emits iff scales exist).

struct TensorSig {
  std::optional<DType> type;  // nullopt = kTfLiteNoType (omitted optional input)
  Shape dims;
  const QuantParams* quant = nullptr;  // non-null iff a quantization table is written

  bool is(DType dtype) const { return type == dtype; }
  std::size_t rank() const { return dims.size(); }
};

TensorSig signature_of(const Graph& graph, TensorId id) {
  TensorSig sig;
  if (id == kNoTensor) return sig;
  const Tensor& t = graph.tensor(id);
  sig.type = t.dtype;
  sig.dims = t.shape;
  if (t.quant && !t.quant->scale.empty()) sig.quant = &*t.quant;
  return sig;
}

struct OpSig {
  std::vector<TensorSig> inputs;
  std::vector<TensorSig> outputs;

  // op_sig.inputs.at(i) / outputs.at(i); an index past the end reads as an
  // absent tensor (TFLite would throw std::out_of_range; see CONV_2D below).
  const TensorSig& in(std::size_t i) const { return i < inputs.size() ? inputs[i] : kNone; }
  const TensorSig& out(std::size_t i) const { return i < outputs.size() ? outputs[i] : kNone; }
  static const TensorSig kNone;
};
const TensorSig OpSig::kNone{};

bool need_broadcast_for_binary_inputs(const OpSig& sig) {
  if (sig.inputs.size() < 2) return false;
  return sig.inputs[0].dims != sig.inputs[1].dims;
}

std::size_t input_max_dims(const OpSig& sig) {
  std::size_t max_dims = 0;
  for (const TensorSig& t : sig.inputs) max_dims = std::max(max_dims, t.rank());
  return max_dims;
}

std::size_t scale_count(const TensorSig& t) { return t.quant ? t.quant->scale.size() : 0; }

// op_signature.cc: a filter/weight is per-channel when its scale count equals
// the given dimension (CONV_2D: dim 0; DEPTHWISE_CONV_2D: dim 3).
bool per_channel_along(const TensorSig& t, std::size_t dim) {
  const std::size_t count = scale_count(t);
  return count != 0 && dim < t.rank() && static_cast<std::int64_t>(count) == t.dims[dim];
}

// DEQUANTIZE / QUANTIZE: more than one scale, as many as the quantized dimension.
bool per_channel_on_axis(const TensorSig& t) {
  const std::size_t count = scale_count(t);
  if (count <= 1) return false;
  const auto axis = static_cast<std::size_t>(t.quant->axis);
  return t.quant->axis >= 0 && axis < t.rank() && static_cast<std::int64_t>(count) == t.dims[axis];
}

}  // namespace

std::span<const OpCodec> op_codecs() { return kCodecs; }

const OpCodec& op_codec(OpType type) {
  const auto index = static_cast<std::size_t>(type);
  if (index >= kCodecs.size()) throw fail("op type #{}: not in the op table", index);
  return kCodecs[index];
}

std::optional<OpType> op_type_from_builtin(tflite::BuiltinOperator builtin) {
  for (const OpCodec& codec : kCodecs) {
    if (codec.builtin == builtin) return codec.type;
  }
  return std::nullopt;
}

std::string builtin_name(tflite::BuiltinOperator builtin) {
  const char* name = tflite::EnumNameBuiltinOperator(builtin);
  if (name == nullptr || *name == '\0') return fmt::format("BUILTIN_OPERATOR_{}", static_cast<std::int32_t>(builtin));
  return name;
}

std::string options_type_name(tflite::BuiltinOptions options) {
  const char* name = tflite::EnumNameBuiltinOptions(options);
  if (name == nullptr || *name == '\0') return fmt::format("BuiltinOptions #{}", static_cast<unsigned>(options));
  return name;
}

tflite::TensorType tensor_type(DType dtype) {
  switch (dtype) {
    case DType::kFloat32: return tflite::TensorType::FLOAT32;
    case DType::kFloat16: return tflite::TensorType::FLOAT16;
    case DType::kInt8: return tflite::TensorType::INT8;
    case DType::kUint8: return tflite::TensorType::UINT8;
    case DType::kInt16: return tflite::TensorType::INT16;
    case DType::kInt32: return tflite::TensorType::INT32;
    case DType::kInt64: return tflite::TensorType::INT64;
    case DType::kBool: return tflite::TensorType::BOOL;
  }
  throw fail("dtype #{}: no TFLite tensor type", static_cast<unsigned>(dtype));
}

std::optional<DType> dtype_from_tensor_type(tflite::TensorType type) {
  switch (type) {
    case tflite::TensorType::FLOAT32: return DType::kFloat32;
    case tflite::TensorType::FLOAT16: return DType::kFloat16;
    case tflite::TensorType::INT8: return DType::kInt8;
    case tflite::TensorType::UINT8: return DType::kUint8;
    case tflite::TensorType::INT16: return DType::kInt16;
    case tflite::TensorType::INT32: return DType::kInt32;
    case tflite::TensorType::INT64: return DType::kInt64;
    case tflite::TensorType::BOOL: return DType::kBool;
    default: return std::nullopt;
  }
}

std::string tensor_type_name(tflite::TensorType type) {
  const char* name = tflite::EnumNameTensorType(type);
  if (name == nullptr || *name == '\0') return fmt::format("TensorType #{}", static_cast<int>(type));
  return name;
}

tflite::ActivationFunctionType activation_type(Activation activation) {
  switch (activation) {
    case Activation::kNone: return tflite::ActivationFunctionType::NONE;
    case Activation::kRelu: return tflite::ActivationFunctionType::RELU;
    case Activation::kReluN1To1: return tflite::ActivationFunctionType::RELU_N1_TO_1;
    case Activation::kRelu6: return tflite::ActivationFunctionType::RELU6;
    case Activation::kTanh: return tflite::ActivationFunctionType::TANH;
  }
  throw fail("activation #{}: no TFLite equivalent", static_cast<unsigned>(activation));
}

Activation activation_from_type(tflite::ActivationFunctionType type) {
  switch (type) {
    case tflite::ActivationFunctionType::NONE: return Activation::kNone;
    case tflite::ActivationFunctionType::RELU: return Activation::kRelu;
    case tflite::ActivationFunctionType::RELU_N1_TO_1: return Activation::kReluN1To1;
    case tflite::ActivationFunctionType::RELU6: return Activation::kRelu6;
    case tflite::ActivationFunctionType::TANH: return Activation::kTanh;
    case tflite::ActivationFunctionType::SIGN_BIT: throw fail("fused activation SIGN_BIT is not supported");
  }
  throw fail("fused activation #{} is not a TFLite activation", static_cast<int>(type));
}

tflite::Padding padding_type(Padding padding) {
  return padding == Padding::kSame ? tflite::Padding::SAME : tflite::Padding::VALID;
}

Padding padding_from_type(tflite::Padding padding) {
  switch (padding) {
    case tflite::Padding::SAME: return Padding::kSame;
    case tflite::Padding::VALID: return Padding::kValid;
  }
  throw fail("padding #{} is not a TFLite padding", static_cast<int>(padding));
}

// ---------------------------------------------------------------------------
// Writing options.

flatbuffers::Offset<void> write_builtin_options(flatbuffers::FlatBufferBuilder& b, const Graph& graph, const Op& op) {
  switch (op.type) {
    case OpType::kAdd: return tflite::CreateAddOptions(b, activation_type(op.opts<BinaryOptions>().activation)).Union();
    case OpType::kSub: return tflite::CreateSubOptions(b, activation_type(op.opts<BinaryOptions>().activation)).Union();
    case OpType::kMul: return tflite::CreateMulOptions(b, activation_type(op.opts<BinaryOptions>().activation)).Union();
    case OpType::kDiv: return tflite::CreateDivOptions(b, activation_type(op.opts<BinaryOptions>().activation)).Union();
    case OpType::kPow: return tflite::CreatePowOptions(b).Union();
    case OpType::kMaximum:
    case OpType::kMinimum: return tflite::CreateMaximumMinimumOptions(b).Union();
    case OpType::kSquaredDifference: return tflite::CreateSquaredDifferenceOptions(b).Union();
    case OpType::kConv2D: {
      const auto& o = op.opts<Conv2DOptions>();
      return tflite::CreateConv2DOptions(b, padding_type(o.padding), o.stride_w, o.stride_h,
                                         activation_type(o.activation), o.dilation_w, o.dilation_h)
          .Union();
    }
    case OpType::kDepthwiseConv2D: {
      const auto& o = op.opts<DepthwiseConv2DOptions>();
      return tflite::CreateDepthwiseConv2DOptions(b, padding_type(o.padding), o.stride_w, o.stride_h,
                                                  o.depth_multiplier, activation_type(o.activation), o.dilation_w,
                                                  o.dilation_h)
          .Union();
    }
    case OpType::kTransposeConv: {
      const auto& o = op.opts<TransposeConvOptions>();
      return tflite::CreateTransposeConvOptions(b, padding_type(o.padding), o.stride_w, o.stride_h,
                                                activation_type(o.activation))
          .Union();
    }
    case OpType::kAveragePool2D:
    case OpType::kMaxPool2D: {
      const auto& o = op.opts<Pool2DOptions>();
      return tflite::CreatePool2DOptions(b, padding_type(o.padding), o.stride_w, o.stride_h, o.filter_w, o.filter_h,
                                         activation_type(o.activation))
          .Union();
    }
    case OpType::kFullyConnected: {
      const auto& o = op.opts<FullyConnectedOptions>();
      return tflite::CreateFullyConnectedOptions(b, activation_type(o.activation),
                                                 tflite::FullyConnectedOptionsWeightsFormat::DEFAULT, o.keep_num_dims)
          .Union();
    }
    case OpType::kBatchMatMul: {
      const auto& o = op.opts<BatchMatMulOptions>();
      return tflite::CreateBatchMatMulOptions(b, o.adj_x, o.adj_y).Union();
    }
    case OpType::kReshape: {
      // new_shape repeats a constant int32 shape input (as TOCO wrote it; the
      // kernel reads the input tensor when there is one). ParseReshape takes
      // at most 8 dimensions.
      flatbuffers::Offset<flatbuffers::Vector<std::int32_t>> new_shape = 0;
      if (op.inputs.size() == 2 && op.inputs[1] != kNoTensor) {
        const Tensor& shape = graph.tensor(op.inputs[1]);
        if (shape.is_constant() && shape.dtype == DType::kInt32 && shape.shape.size() == 1 && shape.shape[0] >= 1 &&
            shape.shape[0] <= 8) {
          new_shape = b.CreateVector(shape.values<std::int32_t>());
        }
      }
      return tflite::CreateReshapeOptions(b, new_shape).Union();
    }
    case OpType::kTranspose: return tflite::CreateTransposeOptions(b).Union();
    case OpType::kConcatenation: {
      const auto& o = op.opts<ConcatenationOptions>();
      return tflite::CreateConcatenationOptions(b, o.axis, activation_type(o.activation)).Union();
    }
    case OpType::kSplit: return tflite::CreateSplitOptions(b, op.opts<SplitOptions>().num_splits).Union();
    case OpType::kSplitV: return tflite::CreateSplitVOptions(b, op.opts<SplitOptions>().num_splits).Union();
    case OpType::kSlice: return tflite::CreateSliceOptions(b).Union();
    case OpType::kStridedSlice: {
      const auto& o = op.opts<StridedSliceOptions>();
      return tflite::CreateStridedSliceOptions(b, o.begin_mask, o.end_mask, o.ellipsis_mask, o.new_axis_mask,
                                               o.shrink_axis_mask)
          .Union();
    }
    case OpType::kGather: {
      const auto& o = op.opts<GatherOptions>();
      return tflite::CreateGatherOptions(b, o.axis, o.batch_dims).Union();
    }
    case OpType::kPad: return tflite::CreatePadOptions(b).Union();
    case OpType::kPadV2: return tflite::CreatePadV2Options(b).Union();
    case OpType::kMean:
    case OpType::kSum:
    case OpType::kReduceMax:
    case OpType::kReduceMin: return tflite::CreateReducerOptions(b, op.opts<ReducerOptions>().keep_dims).Union();
    case OpType::kSoftmax: return tflite::CreateSoftmaxOptions(b, op.opts<SoftmaxOptions>().beta).Union();
    case OpType::kLogSoftmax: return tflite::CreateLogSoftmaxOptions(b).Union();
    case OpType::kLeakyRelu: return tflite::CreateLeakyReluOptions(b, op.opts<LeakyReluOptions>().alpha).Union();
    case OpType::kHardSwish: return tflite::CreateHardSwishOptions(b).Union();
    case OpType::kGelu: return tflite::CreateGeluOptions(b, op.opts<GeluOptions>().approximate).Union();
    case OpType::kExp: return tflite::CreateExpOptions(b).Union();
    case OpType::kAbs: return tflite::CreateAbsOptions(b).Union();
    case OpType::kNeg: return tflite::CreateNegOptions(b).Union();
    case OpType::kArgMax: return tflite::CreateArgMaxOptions(b, tensor_type(op.opts<ArgOptions>().output_type)).Union();
    case OpType::kArgMin: return tflite::CreateArgMinOptions(b, tensor_type(op.opts<ArgOptions>().output_type)).Union();
    case OpType::kCast: {
      const DType in = graph.tensor(op.inputs.at(0)).dtype;
      return tflite::CreateCastOptions(b, tensor_type(in), tensor_type(op.opts<CastOptions>().output_type)).Union();
    }
    case OpType::kQuantize: return tflite::CreateQuantizeOptions(b).Union();
    case OpType::kDequantize: return tflite::CreateDequantizeOptions(b).Union();
    case OpType::kResizeBilinear: {
      const auto& o = op.opts<ResizeOptions>();
      return tflite::CreateResizeBilinearOptions(b, o.align_corners, o.half_pixel_centers).Union();
    }
    case OpType::kResizeNearestNeighbor: {
      const auto& o = op.opts<ResizeOptions>();
      return tflite::CreateResizeNearestNeighborOptions(b, o.align_corners, o.half_pixel_centers).Union();
    }
    case OpType::kSqueeze: {
      const auto& dims = op.opts<SqueezeOptions>().squeeze_dims;
      const std::vector<std::int32_t> values(dims.begin(), dims.end());
      return tflite::CreateSqueezeOptions(b, values.empty() ? 0 : b.CreateVector(values)).Union();
    }
    case OpType::kExpandDims: return tflite::CreateExpandDimsOptions(b).Union();
    case OpType::kPack: {
      const auto& o = op.opts<PackOptions>();
      return tflite::CreatePackOptions(b, o.values_count, o.axis).Union();
    }
    case OpType::kTile: return tflite::CreateTileOptions(b).Union();
    case OpType::kLogistic:
    case OpType::kTanh:
    case OpType::kRelu:
    case OpType::kRelu6:
    case OpType::kReluN1To1:
    case OpType::kPrelu:
    case OpType::kLog:
    case OpType::kSqrt:
    case OpType::kRsqrt: return 0;
  }
  throw fail("op '{}': type #{} is not in the op table", op.name, static_cast<unsigned>(op.type));
}

// ---------------------------------------------------------------------------
// Reading options.

OpOptions read_builtin_options(const tflite::Operator& op, const Graph& graph, const Op& ir_op) {
  const OpCodec& codec = op_codec(ir_op.type);
  const BuiltinOptions type = op.builtin_options_type();
  if (op.builtin_options_2_type() != tflite::BuiltinOptions2::NONE) {
    throw fail("builtin_options_2 ({}) is not used by this operator",
               tflite::EnumNameBuiltinOptions2(op.builtin_options_2_type()));
  }
  // Operators whose IR options are empty accept their (field-less or
  // redundant) options table or none at all, as TFLite does.
  if (std::holds_alternative<NoOptions>(default_options(ir_op.type))) {
    if (type != BuiltinOptions::NONE && type != codec.options) {
      throw fail("builtin options are {}, expected {}", options_type_name(type),
                 codec.options == BuiltinOptions::NONE ? std::string("none") : options_type_name(codec.options));
    }
    return NoOptions{};
  }

  switch (ir_op.type) {
    case OpType::kAdd:
    case OpType::kSub: {
      bool pot_scale_int16 = true;
      Activation activation = Activation::kNone;
      if (ir_op.type == OpType::kAdd) {
        const auto& o = require_options<tflite::AddOptions>(op);
        activation = activation_from_type(o.fused_activation_function());
        pot_scale_int16 = o.pot_scale_int16();
      } else {
        const auto& o = require_options<tflite::SubOptions>(op);
        activation = activation_from_type(o.fused_activation_function());
        pot_scale_int16 = o.pot_scale_int16();
      }
      // Only int16 kernels read pot_scale_int16; octet's IR has the default.
      if (!pot_scale_int16 && ir_op.inputs.at(0) != kNoTensor && graph.tensor(ir_op.inputs[0]).dtype == DType::kInt16) {
        throw fail("pot_scale_int16 = false (general int16 scaling) is not supported");
      }
      return BinaryOptions{activation};
    }
    case OpType::kMul:
      return BinaryOptions{activation_from_type(require_options<tflite::MulOptions>(op).fused_activation_function())};
    case OpType::kDiv:
      return BinaryOptions{activation_from_type(require_options<tflite::DivOptions>(op).fused_activation_function())};
    case OpType::kConv2D: {
      const auto& o = require_options<tflite::Conv2DOptions>(op);
      Conv2DOptions r;
      r.padding = padding_from_type(o.padding());
      r.stride_w = o.stride_w();
      r.stride_h = o.stride_h();
      r.dilation_w = o.dilation_w_factor();
      r.dilation_h = o.dilation_h_factor();
      r.activation = activation_from_type(o.fused_activation_function());
      return r;
    }
    case OpType::kDepthwiseConv2D: {
      const auto& o = require_options<tflite::DepthwiseConv2DOptions>(op);
      DepthwiseConv2DOptions r;
      r.padding = padding_from_type(o.padding());
      r.stride_w = o.stride_w();
      r.stride_h = o.stride_h();
      r.dilation_w = o.dilation_w_factor();
      r.dilation_h = o.dilation_h_factor();
      r.depth_multiplier = o.depth_multiplier();
      r.activation = activation_from_type(o.fused_activation_function());
      return r;
    }
    case OpType::kTransposeConv: {
      const auto& o = require_options<tflite::TransposeConvOptions>(op);
      TransposeConvOptions r;
      r.padding = padding_from_type(o.padding());
      r.stride_w = o.stride_w();
      r.stride_h = o.stride_h();
      r.activation = activation_from_type(o.fused_activation_function());
      return r;
    }
    case OpType::kAveragePool2D:
    case OpType::kMaxPool2D: {
      const auto& o = require_options<tflite::Pool2DOptions>(op);
      Pool2DOptions r;
      r.padding = padding_from_type(o.padding());
      r.stride_w = o.stride_w();
      r.stride_h = o.stride_h();
      r.filter_w = o.filter_width();
      r.filter_h = o.filter_height();
      r.activation = activation_from_type(o.fused_activation_function());
      return r;
    }
    case OpType::kFullyConnected: {
      const auto& o = require_options<tflite::FullyConnectedOptions>(op);
      if (o.weights_format() != tflite::FullyConnectedOptionsWeightsFormat::DEFAULT) {
        throw fail("weights_format {} is not supported",
                   tflite::EnumNameFullyConnectedOptionsWeightsFormat(o.weights_format()));
      }
      if (o.asymmetric_quantize_inputs() && is_hybrid(graph, ir_op)) {
        throw fail("asymmetric_quantize_inputs (hybrid quantization) is not supported");
      }
      return FullyConnectedOptions{activation_from_type(o.fused_activation_function()), o.keep_num_dims()};
    }
    case OpType::kBatchMatMul: {
      const auto& o = require_options<tflite::BatchMatMulOptions>(op);
      if (o.asymmetric_quantize_inputs() && is_hybrid(graph, ir_op)) {
        throw fail("asymmetric_quantize_inputs (hybrid quantization) is not supported");
      }
      return BatchMatMulOptions{o.adj_x(), o.adj_y()};
    }
    case OpType::kConcatenation: {
      const auto& o = require_options<tflite::ConcatenationOptions>(op);
      return ConcatenationOptions{o.axis(), activation_from_type(o.fused_activation_function())};
    }
    case OpType::kSplit: return SplitOptions{require_options<tflite::SplitOptions>(op).num_splits()};
    case OpType::kSplitV: return SplitOptions{require_options<tflite::SplitVOptions>(op).num_splits()};
    case OpType::kStridedSlice: {
      const auto& o = require_options<tflite::StridedSliceOptions>(op);
      if (o.offset()) throw fail("offset = true (end as sizes) is not supported");
      return StridedSliceOptions{o.begin_mask(), o.end_mask(), o.ellipsis_mask(), o.new_axis_mask(),
                                 o.shrink_axis_mask()};
    }
    case OpType::kGather: {
      const auto& o = require_options<tflite::GatherOptions>(op);
      return GatherOptions{o.axis(), o.batch_dims()};
    }
    case OpType::kMean:
    case OpType::kSum:
    case OpType::kReduceMax:
    case OpType::kReduceMin: return ReducerOptions{require_options<tflite::ReducerOptions>(op).keep_dims()};
    case OpType::kSoftmax: return SoftmaxOptions{require_options<tflite::SoftmaxOptions>(op).beta()};
    case OpType::kLeakyRelu: return LeakyReluOptions{require_options<tflite::LeakyReluOptions>(op).alpha()};
    case OpType::kGelu: return GeluOptions{require_options<tflite::GeluOptions>(op).approximate()};
    case OpType::kArgMax:
    case OpType::kArgMin: {
      const tflite::TensorType out = ir_op.type == OpType::kArgMax
                                         ? require_options<tflite::ArgMaxOptions>(op).output_type()
                                         : require_options<tflite::ArgMinOptions>(op).output_type();
      if (out != tflite::TensorType::INT32 && out != tflite::TensorType::INT64) {
        throw fail("output_type {} is not INT32 or INT64", tensor_type_name(out));
      }
      return ArgOptions{*dtype_from_tensor_type(out)};
    }
    case OpType::kCast: {
      // TFLite's CAST kernel converts to its output tensor's type (the
      // options, when present, only restate it).
      if (type != BuiltinOptions::NONE && type != BuiltinOptions::CastOptions) {
        throw fail("builtin options are {}, expected CastOptions", options_type_name(type));
      }
      if (ir_op.outputs.empty()) throw fail("has no outputs");
      return CastOptions{graph.tensor(ir_op.outputs[0]).dtype};
    }
    case OpType::kResizeBilinear: {
      const auto& o = require_options<tflite::ResizeBilinearOptions>(op);
      return ResizeOptions{o.align_corners(), o.half_pixel_centers()};
    }
    case OpType::kResizeNearestNeighbor: {
      const auto& o = require_options<tflite::ResizeNearestNeighborOptions>(op);
      return ResizeOptions{o.align_corners(), o.half_pixel_centers()};
    }
    case OpType::kSqueeze: {
      SqueezeOptions r;
      if (const auto* dims = require_options<tflite::SqueezeOptions>(op).squeeze_dims()) {
        r.squeeze_dims.assign(dims->begin(), dims->end());
      }
      return r;
    }
    case OpType::kPack: {
      const auto& o = require_options<tflite::PackOptions>(op);
      return PackOptions{o.values_count(), o.axis()};
    }
    default: break;
  }
  throw fail("no options reader for {}", op_name(ir_op.type));
}

// ---------------------------------------------------------------------------
// Versions: GetBuiltinOperatorVersion() of op_version.cc, case by case and in
// its order. Branches on types octet's IR cannot hold (INT4, UINT32, UINT16,
// STRING, COMPLEX64, FLOAT64, BFLOAT16) and on options octet never writes
// (quantized_bias_type, asymmetric_quantize_inputs, SHUFFLED4x16INT8 weights,
// pot_scale_int16 = false, sparse weights, StridedSlice offset) can never be
// taken, and are left out with a note where they sit.

int op_version(const Graph& graph, const Op& op) {
  OpSig sig;
  for (const TensorId id : op.inputs) sig.inputs.push_back(signature_of(graph, id));
  for (const TensorId id : op.outputs) sig.outputs.push_back(signature_of(graph, id));
  const auto in = [&](std::size_t i) -> const TensorSig& { return sig.in(i); };
  const auto out = [&](std::size_t i) -> const TensorSig& { return sig.out(i); };
  constexpr DType f32 = DType::kFloat32, f16 = DType::kFloat16, i8 = DType::kInt8, u8 = DType::kUint8,
                  i16 = DType::kInt16, i32 = DType::kInt32, i64 = DType::kInt64, boolean = DType::kBool;

  switch (op.type) {
    case OpType::kConv2D: {
      // (int16 x int8 -> int16 with quantized_bias_type: 8; never written.)
      const TensorSig& input = in(0);
      const TensorSig& filter = in(1);
      const bool grouped =
          input.rank() != 0 && input.rank() > 3 && filter.rank() > 3 && input.dims[3] != filter.dims[3];
      if (grouped) return 6;
      // op_version.cc tests outputs.at(1) here, which a one-output CONV_2D
      // does not have (TFLite would throw); read as "no such output".
      if (input.is(i16) && filter.is(i16) && out(1).is(i16)) return 4;
      if (input.is(i8) && filter.is(i8) && out(0).is(i8)) return 3;
      // (int8 x int4 -> int8: 7.)
      if (input.is(f32) && filter.is(i8) && out(0).is(f32)) return per_channel_along(filter, 0) ? 5 : 2;
      return 1;
    }
    case OpType::kDepthwiseConv2D: {
      if (in(0).is(i16) && in(1).is(i16) && out(1).is(i16)) return 5;  // outputs.at(1): see CONV_2D
      if (in(0).is(f32) && in(1).is(i8) && out(0).is(f32)) return per_channel_along(in(1), 3) ? 6 : 4;
      if (in(0).is(i8) && in(1).is(i8) && out(0).is(i8)) return 3;
      // (int8 x int4 -> int8: 7.)
      const auto& o = op.opts<DepthwiseConv2DOptions>();
      if (o.dilation_w != 1 || o.dilation_h != 1) return 2;
      return 1;
    }
    case OpType::kFullyConnected: {
      const auto& o = op.opts<FullyConnectedOptions>();
      const TensorSig& weights = in(1);
      if (in(0).is(f32) && weights.is(i8) && out(0).is(f32)) {
        const std::size_t count = scale_count(weights);
        if (count > 1 && weights.rank() != 0 && static_cast<std::int64_t>(count) == weights.dims[0]) return 12;
      }
      // (int16 x int8 -> int16 with quantized_bias_type: 11; sparse weights: 8.)
      if (in(0).is(i16) && weights.is(i16) && out(0).is(i16)) return 7;
      if (sig.inputs.size() == 2) return 6;
      if (o.keep_num_dims) return 5;
      if (in(0).is(i8) && weights.is(i8) && out(0).is(i8)) return 4;
      // (int8 x int4 -> int8: 10.)
      if (in(0).is(f32) && weights.is(i8) && out(0).is(f32)) return 3;  // (9 with asymmetric_quantize_inputs)
      // (SHUFFLED4x16INT8 weights: 2.)
      return 1;
    }
    case OpType::kGather: {
      // (int4 params: 7.)
      if (in(1).is(i16)) return 6;
      if (op.opts<GatherOptions>().batch_dims != 0) return 5;
      if (in(0).is(i16)) return 4;
      if (in(0).is(boolean)) return 3;
      if (in(0).is(i8)) return 2;
      return 1;
    }
    case OpType::kMul: {
      const bool input_quantized = in(0).quant != nullptr || in(1).quant != nullptr;
      if (in(0).is(i16) && !input_quantized) return 7;  // (or uint32)
      // (complex64: 6.)
      if (in(0).is(i64)) return 5;
      if (in(0).is(i16)) return 4;
      if (in(0).quant && in(1).quant && out(0).quant) {
        const float input1_scale = in(0).quant->scale[0];
        const float input2_scale = in(1).quant->scale[0];
        const float output_scale = out(0).quant->scale[0];
        if (input1_scale != 0.0F && input2_scale != 0.0F && output_scale != 0.0F &&
            (input1_scale * input2_scale / output_scale) >= 1.0F) {
          return 3;
        }
      }
      if (in(0).is(i8)) return 2;
      return 1;
    }
    case OpType::kMaxPool2D:
    case OpType::kAveragePool2D:
      if (in(0).is(i16) && out(0).is(i16)) return 3;
      if (in(0).is(i8)) return 2;
      return 1;
    case OpType::kTranspose:
      if (in(0).rank() > 5) return 6;
      if (in(0).is(i16)) return 5;
      if (in(0).rank() > 4) return 4;
      if (in(0).is(boolean)) return 3;
      if (in(0).is(i8)) return 2;
      return 1;
    case OpType::kTransposeConv: {
      // (int16 x int8 -> int16 with quantized_bias_type: 5.)
      if (op.opts<TransposeConvOptions>().activation != Activation::kNone) return 4;
      if (sig.inputs.size() == 4 && in(3).type.has_value()) return 3;
      if (in(1).is(i8)) return 2;
      return 1;
    }
    case OpType::kSplit:
      // The data is input 1 (input 0 is the axis).
      if (in(1).is(i16)) return 4;
      if (in(1).is(i32)) return 3;
      if (in(1).is(i8)) return 2;
      return 1;
    case OpType::kSlice:
      // (uint32: 6; string: 3.)
      if (in(0).rank() > 4) return 5;
      if (in(0).is(i16)) return 4;
      if (in(0).is(i8)) return 2;
      return 1;
    case OpType::kDequantize:
      // (int4: 6.)
      if (in(0).is(i16) || in(0).is(f16)) return 3;
      if (in(0).is(i8)) return per_channel_on_axis(in(0)) ? 5 : 2;
      return 1;
    case OpType::kQuantize:
      // (int4: 4.)
      if (per_channel_on_axis(out(0))) return 3;
      if (out(0).is(i16)) return 2;
      return 1;
    case OpType::kAbs:
      if (in(0).is(i32)) return 5;
      if (in(0).is(i16)) return in(0).quant != nullptr ? 3 : 4;
      if (in(0).is(i8) || in(0).is(u8)) return 2;
      return 1;
    case OpType::kRelu:
      if (in(0).is(i16)) return 3;
      if (in(0).is(i8) || in(0).is(u8)) return 2;
      return 1;
    case OpType::kStridedSlice: {
      // (offset: 8; uint32: 7; string: 5.)
      const auto& o = op.opts<StridedSliceOptions>();
      if (o.ellipsis_mask != 0 || o.new_axis_mask != 0) return 6;
      if (in(0).rank() > 4) return 4;
      if (in(0).is(boolean)) return 3;
      if (in(0).is(i8)) return 2;
      return 1;
    }
    case OpType::kResizeBilinear:
      if (in(0).is(i16)) return 4;
      if (op.opts<ResizeOptions>().half_pixel_centers) return 3;
      if (in(0).is(i8)) return 2;
      return 1;
    case OpType::kResizeNearestNeighbor: {
      if (in(0).is(i16)) return 4;
      const auto& o = op.opts<ResizeOptions>();
      if (o.half_pixel_centers || o.align_corners) return 3;
      if (in(0).is(i8)) return 2;
      return 1;
    }
    case OpType::kMaximum:
    case OpType::kMinimum:
      if (in(0).is(i16) && out(0).is(i16)) return 4;
      if (need_broadcast_for_binary_inputs(sig) && input_max_dims(sig) > 4) return 3;
      if (in(0).is(i8)) return 2;
      return 1;
    case OpType::kPack:
      if (in(0).is(i8)) return 2;
      if (in(0).is(i16) && out(0).is(i16)) return 3;
      // (uint32: 4.)
      return 1;
    case OpType::kTile:
      if (in(0).is(i8)) return 3;
      // (string: 2.)
      return 1;
    case OpType::kAdd:
      if (in(0).is(i16) && in(0).quant == nullptr) return 5;
      if (in(0).is(i64)) return 4;
      // (int16 with pot_scale_int16 = false: 3.)
      if (in(0).is(i8)) return 2;
      return 1;
    case OpType::kSub:
      // (int16 with pot_scale_int16 = false: 5.)
      if (in(0).is(i64)) return 4;
      if (need_broadcast_for_binary_inputs(sig) && input_max_dims(sig) > 4) return 3;
      if (in(0).is(i8)) return 2;
      return 1;
    case OpType::kDiv:
      if (need_broadcast_for_binary_inputs(sig) && input_max_dims(sig) > 4) return 2;
      return 1;
    case OpType::kTanh:
    case OpType::kLogistic:
      if (in(0).is(i16) && out(0).is(i16)) return 3;
      if (in(0).is(i8)) return 2;
      return 1;
    case OpType::kLeakyRelu:
      if (in(0).is(i16)) return 2;
      return 1;
    case OpType::kBatchMatMul:
      if (in(0).is(i16)) return 3;
      if (in(0).is(i8)) return 2;
      // (hybrid with asymmetric_quantize_inputs: 4.)
      return 1;
    case OpType::kPad:
    case OpType::kPadV2:
      if (in(0).rank() > 4) return 4;
      if (in(0).is(i16)) return 3;
      if (in(0).is(i8)) return 2;
      return 1;
    case OpType::kConcatenation:
      // (uint32: 4.)
      if (in(0).is(i16)) return 3;
      if (in(0).is(i8)) return 2;
      return 1;
    case OpType::kSoftmax:
    case OpType::kMean:
    case OpType::kReduceMax:
    case OpType::kReduceMin:
    case OpType::kRelu6:
    case OpType::kRsqrt:
      if (in(0).is(i16)) return 3;
      if (in(0).is(i8)) return 2;
      return 1;
    case OpType::kArgMax:
    case OpType::kArgMin:
      if (in(0).is(boolean)) return 3;
      if (in(0).is(i8)) return 2;
      return 1;
    case OpType::kSplitV:
    case OpType::kSum:
    case OpType::kLogSoftmax:
    case OpType::kSquaredDifference:
      if (in(0).is(i8)) return 2;
      return 1;
    case OpType::kExp:
    case OpType::kLog:
      if (in(0).is(i8) || in(0).is(i16)) return 2;
      return 1;
    case OpType::kCast:
      // (bfloat16: 7; int4 -> float32: 6; float64: 5; uint16: 4; uint32: 2.)
      if (in(0).is(f16) || out(0).is(f16)) return 5;
      if (in(0).is(i8) || out(0).is(i8)) return 3;
      return 1;
    case OpType::kGelu:
      if (in(0).is(i8) || in(0).is(u8)) return 2;
      return 1;
    // No case in op_version.cc: always version 1.
    case OpType::kPow:
    case OpType::kReshape:
    case OpType::kReluN1To1:
    case OpType::kPrelu:
    case OpType::kHardSwish:
    case OpType::kSqrt:
    case OpType::kNeg:
    case OpType::kSqueeze:  // (string: 2.)
    case OpType::kExpandDims: return 1;
  }
  return 1;
}

}  // namespace octet::tfl
