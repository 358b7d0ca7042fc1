#pragma once
// Sample IR graphs for the TFLite writer/reader tests (unit tests and the
// e2e tool tests/e2e_tflite/octet_tflite_tool.cpp). Output dtypes and shapes
// come from the reference kernels' Prepare (infer_outputs), so every graph is
// valid for octet's interpreter by construction. Constants are pseudo-random
// with a fixed seed: the graphs are the same on every run.

#include <cstdint>
#include <functional>
#include <ostream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/graph.h"
#include "runtime/float16.h"
#include "runtime/kernel.h"

namespace octet::tflite_samples {

class GraphBuilder {
 public:
  explicit GraphBuilder(std::uint32_t seed = 7) : rng_(seed) {}

  Graph& graph() { return graph_; }
  Graph take() { return std::move(graph_); }

  TensorId input(const std::string& name, Shape shape, DType dtype = DType::kFloat32) {
    Tensor t;
    t.name = name;
    t.dtype = dtype;
    t.shape = std::move(shape);
    const TensorId id = graph_.add_tensor(std::move(t));
    graph_.inputs().push_back(id);
    return id;
  }
  void output(TensorId id) { graph_.outputs().push_back(id); }

  std::vector<float> random_floats(std::int64_t count, float lo, float hi) {
    std::vector<float> v(static_cast<std::size_t>(count));
    for (float& x : v) x = lo + (hi - lo) * static_cast<float>(static_cast<double>(rng_()) / 4294967296.0);
    return v;
  }
  TensorId weights(const std::string& name, Shape shape, float lo = -0.5F, float hi = 0.5F) {
    const std::vector<float> v = random_floats(element_count(shape), lo, hi);
    return graph_.add_constant<float>(name, DType::kFloat32, std::move(shape), v);
  }
  // Float16 weights expanded by a DEQUANTIZE op (TFLite's fp16 weight form).
  TensorId fp16_weights(const std::string& name, Shape shape, float lo = -0.5F, float hi = 0.5F) {
    const std::vector<float> v = random_floats(element_count(shape), lo, hi);
    std::vector<std::uint16_t> halves;
    for (const float x : v) halves.push_back(float_to_half(x));
    const TensorId half = graph_.add_constant<std::uint16_t>(name + "/fp16", DType::kFloat16, shape, halves);
    return op(OpType::kDequantize, name, {half});
  }
  TensorId ints(const std::string& name, Shape shape, const std::vector<std::int32_t>& values) {
    return graph_.add_constant<std::int32_t>(name, DType::kInt32, std::move(shape), values);
  }
  TensorId ints(const std::string& name, const std::vector<std::int32_t>& values) {
    return ints(name, Shape{static_cast<std::int64_t>(values.size())}, values);
  }
  TensorId scalar(const std::string& name, std::int32_t value) { return ints(name, Shape{}, {value}); }
  TensorId floats(const std::string& name, Shape shape, const std::vector<float>& values) {
    return graph_.add_constant<float>(name, DType::kFloat32, std::move(shape), values);
  }

  // Adds an op whose outputs take the dtypes and shapes Prepare computes.
  std::vector<TensorId> op_n(OpType type, const std::string& name, std::vector<TensorId> inputs, OpOptions options,
                             std::size_t outputs) {
    std::vector<TensorId> ids;
    for (std::size_t i = 0; i < outputs; ++i) {
      Tensor t;
      t.name = outputs == 1 ? name : name + "_" + std::to_string(i);
      ids.push_back(graph_.add_tensor(std::move(t)));
    }
    Op& added = graph_.add_op(type, name, std::move(inputs), ids, std::move(options));
    const std::vector<TensorSpec> specs = infer_outputs(graph_, added);
    for (std::size_t i = 0; i < outputs; ++i) {
      graph_.tensor(ids[i]).dtype = specs[i].dtype;
      graph_.tensor(ids[i]).shape = specs[i].shape;
    }
    return ids;
  }
  TensorId op(OpType type, const std::string& name, std::vector<TensorId> inputs, OpOptions options) {
    return op_n(type, name, std::move(inputs), std::move(options), 1)[0];
  }
  TensorId op(OpType type, const std::string& name, std::vector<TensorId> inputs) {
    return op(type, name, std::move(inputs), default_options(type));
  }
  // QUANTIZE takes its output dtype and quantization from the declared output.
  TensorId quantize(const std::string& name, TensorId input, DType dtype, QuantParams quant) {
    Tensor t;
    t.name = name;
    t.dtype = dtype;
    t.shape = graph_.tensor(input).shape;
    t.quant = std::move(quant);
    const TensorId id = graph_.add_tensor(std::move(t));
    graph_.add_op(OpType::kQuantize, name, {input}, {id}, NoOptions{});
    infer_outputs(graph_, graph_.ops().back());
    return id;
  }

 private:
  Graph graph_;
  std::mt19937 rng_;
};

inline Conv2DOptions conv(Padding padding, int stride, Activation activation, int dilation = 1) {
  Conv2DOptions o;
  o.padding = padding;
  o.stride_h = o.stride_w = stride;
  o.dilation_h = o.dilation_w = dilation;
  o.activation = activation;
  return o;
}

inline Pool2DOptions pool(Padding padding, int filter, int stride, Activation activation = Activation::kNone) {
  Pool2DOptions o;
  o.padding = padding;
  o.filter_h = o.filter_w = filter;
  o.stride_h = o.stride_w = stride;
  o.activation = activation;
  return o;
}

// conv + relu + pool + fc + softmax.
inline Graph cnn() {
  GraphBuilder b(1);
  const TensorId x = b.input("image", {1, 16, 16, 3});
  TensorId y = b.op(OpType::kConv2D, "conv1", {x, b.weights("conv1/w", {8, 3, 3, 3}), b.weights("conv1/b", {8})},
                    conv(Padding::kSame, 1, Activation::kRelu));
  y = b.op(OpType::kMaxPool2D, "pool1", {y}, pool(Padding::kValid, 2, 2));
  y = b.op(OpType::kConv2D, "conv2", {y, b.weights("conv2/w", {12, 3, 3, 8}), b.weights("conv2/b", {12})},
           conv(Padding::kValid, 2, Activation::kRelu6));
  y = b.op(OpType::kAveragePool2D, "pool2", {y}, pool(Padding::kSame, 2, 1));
  y = b.op(OpType::kReshape, "flatten", {y, b.ints("flatten/shape", {1, -1})});
  y = b.op(OpType::kFullyConnected, "fc", {y, b.weights("fc/w", {10, 108}), b.weights("fc/b", {10})},
           FullyConnectedOptions{Activation::kNone, false});
  y = b.op(OpType::kSoftmax, "probabilities", {y}, SoftmaxOptions{1.0F});
  b.output(y);
  return b.take();
}

// Depthwise convolutions (multiplier 2 with dilation, strided), broadcast ADD,
// HARD_SWISH, 1x1 conv, LOGISTIC, TANH.
inline Graph depthwise() {
  GraphBuilder b(2);
  const TensorId x = b.input("input", {1, 12, 12, 4});
  DepthwiseConv2DOptions d1;
  d1.padding = Padding::kSame;
  d1.depth_multiplier = 2;
  d1.dilation_h = d1.dilation_w = 2;
  TensorId y =
      b.op(OpType::kDepthwiseConv2D, "dw1", {x, b.weights("dw1/w", {1, 3, 3, 8}), b.weights("dw1/b", {8})}, d1);
  y = b.op(OpType::kAdd, "shift", {y, b.weights("shift/c", {8})}, BinaryOptions{});
  y = b.op(OpType::kHardSwish, "hswish", {y});
  DepthwiseConv2DOptions d2;
  d2.padding = Padding::kValid;
  d2.stride_h = d2.stride_w = 2;
  d2.activation = Activation::kRelu;
  y = b.op(OpType::kDepthwiseConv2D, "dw2", {y, b.weights("dw2/w", {1, 3, 3, 8}), b.weights("dw2/b", {8})}, d2);
  const TensorId p = b.op(OpType::kConv2D, "project", {y, b.weights("project/w", {4, 1, 1, 8}), kNoTensor},
                          conv(Padding::kValid, 1, Activation::kNone));
  b.output(b.op(OpType::kLogistic, "gate", {p}));
  b.output(b.op(OpType::kTanh, "tanh", {y}));
  return b.take();
}

// PAD, PADV2, TRANSPOSE, RESHAPE, MEAN, SUM, REDUCE_MAX/MIN, SQUEEZE,
// CONCATENATION.
inline Graph shapes() {
  GraphBuilder b(3);
  const TensorId x = b.input("x", {1, 6, 8, 4});
  TensorId p = b.op(OpType::kPad, "pad", {x, b.ints("pad/paddings", {4, 2}, {0, 0, 1, 1, 2, 0, 0, 0})});
  const TensorId t = b.op(OpType::kTranspose, "transpose", {p, b.ints("transpose/perm", {0, 3, 1, 2})});
  const TensorId r = b.op(OpType::kReshape, "reshape", {t, b.ints("reshape/shape", {1, 4, 80})});
  const TensorId m = b.op(OpType::kMean, "mean", {r, b.ints("mean/axes", {2})}, ReducerOptions{true});
  const TensorId sq = b.op(OpType::kSqueeze, "squeeze", {m}, SqueezeOptions{{2}});
  const TensorId mx = b.op(OpType::kReduceMax, "max", {x, b.ints("max/axes", {1, 2})}, ReducerOptions{false});
  const TensorId mn = b.op(OpType::kReduceMin, "min", {x, b.ints("min/axes", {1, 2})}, ReducerOptions{false});
  const TensorId s = b.op(OpType::kSum, "sum", {r, b.ints("sum/axes", {1})}, ReducerOptions{false});
  const TensorId c = b.op(OpType::kConcatenation, "concat", {sq, mx, mn}, ConcatenationOptions{1, Activation::kNone});
  const TensorId p2 = b.op(OpType::kPadV2, "padv2",
                           {c, b.ints("padv2/paddings", {2, 2}, {1, 0, 0, 3}), b.floats("padv2/value", {}, {0.25F})});
  b.output(p2);
  b.output(s);
  return b.take();
}

// SLICE, STRIDED_SLICE, SPLIT, SPLIT_V, GATHER, PACK, TILE, EXPAND_DIMS.
inline Graph slicing() {
  GraphBuilder b(4);
  const TensorId x = b.input("x", {2, 6, 5});
  const TensorId sl =
      b.op(OpType::kSlice, "slice", {x, b.ints("slice/begin", {0, 1, 0}), b.ints("slice/size", {2, 4, -1})});
  StridedSliceOptions ss;
  ss.shrink_axis_mask = 1;
  ss.end_mask = 4;
  const TensorId st = b.op(
      OpType::kStridedSlice, "strided",
      {x, b.ints("strided/begin", {1, 0, 1}), b.ints("strided/end", {2, 6, 0}), b.ints("strided/strides", {1, 2, 1})},
      ss);
  const std::vector<TensorId> halves =
      b.op_n(OpType::kSplit, "split", {b.scalar("split/axis", 1), x}, SplitOptions{2}, 2);
  const std::vector<TensorId> parts =
      b.op_n(OpType::kSplitV, "splitv", {x, b.ints("splitv/sizes", {1, -1, 2}), b.scalar("splitv/axis", 2)},
             SplitOptions{3}, 3);
  const TensorId g = b.op(OpType::kGather, "gather", {x, b.ints("gather/indices", {3, 0, 5, 1})}, GatherOptions{1, 0});
  const TensorId pk = b.op(OpType::kPack, "pack", {halves[0], halves[1]}, PackOptions{2, 1});
  const TensorId tl = b.op(OpType::kTile, "tile", {parts[1], b.ints("tile/multiples", {1, 2, 3})});
  const TensorId ex = b.op(OpType::kExpandDims, "expand", {st, b.scalar("expand/axis", -1)});
  for (const TensorId id : {sl, ex, g, pk, tl, parts[2]}) b.output(id);
  return b.take();
}

// RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR with each coordinate mode.
inline Graph resize() {
  GraphBuilder b(5);
  const TensorId x = b.input("x", {1, 5, 7, 3});
  b.output(
      b.op(OpType::kResizeBilinear, "bilinear", {x, b.ints("bilinear/size", {10, 14})}, ResizeOptions{false, false}));
  b.output(b.op(OpType::kResizeBilinear, "bilinear_half_pixel", {x, b.ints("bilinear_half_pixel/size", {9, 11})},
                ResizeOptions{false, true}));
  b.output(b.op(OpType::kResizeBilinear, "bilinear_align", {x, b.ints("bilinear_align/size", {9, 13})},
                ResizeOptions{true, false}));
  b.output(b.op(OpType::kResizeNearestNeighbor, "nearest", {x, b.ints("nearest/size", {15, 21})},
                ResizeOptions{false, false}));
  b.output(b.op(OpType::kResizeNearestNeighbor, "nearest_half_pixel", {x, b.ints("nearest_half_pixel/size", {8, 10})},
                ResizeOptions{false, true}));
  b.output(b.op(OpType::kResizeNearestNeighbor, "nearest_align", {x, b.ints("nearest_align/size", {8, 10})},
                ResizeOptions{true, false}));
  return b.take();
}

// Float16 weights expanded by DEQUANTIZE (TFLite's fp16 model form).
inline Graph fp16_weights() {
  GraphBuilder b(6);
  const TensorId x = b.input("x", {1, 8, 8, 3});
  TensorId y = b.op(OpType::kConv2D, "conv", {x, b.fp16_weights("conv/w", {6, 3, 3, 3}), b.fp16_weights("conv/b", {6})},
                    conv(Padding::kSame, 2, Activation::kRelu));
  y = b.op(OpType::kMean, "pool", {y, b.ints("pool/axes", {1, 2})}, ReducerOptions{false});
  y = b.op(OpType::kFullyConnected, "fc", {y, b.fp16_weights("fc/w", {5, 6}), b.fp16_weights("fc/b", {5})},
           FullyConnectedOptions{Activation::kNone, false});
  b.output(y);
  return b.take();
}

// int32 data and int32 constants: ADD/MUL/SUB on int32, CAST, ARG_MAX/ARG_MIN,
// GATHER with int32 indices, MAXIMUM/MINIMUM on int32.
inline Graph int32_ops() {
  GraphBuilder b(7);
  const TensorId n = b.input("counts", {2, 5}, DType::kInt32);
  const TensorId f = b.input("scores", {2, 5, 3});
  TensorId a = b.op(OpType::kAdd, "add", {n, b.ints("add/c", {5}, {1, -2, 3, -4, 5})}, BinaryOptions{});
  a = b.op(OpType::kMul, "mul", {a, b.ints("mul/c", {1}, {3})}, BinaryOptions{});
  a = b.op(OpType::kSub, "sub", {a, n}, BinaryOptions{});
  a = b.op(OpType::kMaximum, "max", {a, b.ints("max/c", {1}, {-20})});
  a = b.op(OpType::kMinimum, "min", {a, b.ints("min/c", {1}, {40})});
  const TensorId cast = b.op(OpType::kCast, "to_float", {a}, CastOptions{DType::kFloat32});
  const TensorId am = b.op(OpType::kArgMax, "argmax", {f, b.scalar("argmax/axis", 2)}, ArgOptions{DType::kInt32});
  const TensorId an = b.op(OpType::kArgMin, "argmin", {f, b.scalar("argmin/axis", 1)}, ArgOptions{DType::kInt32});
  const TensorId g =
      b.op(OpType::kGather, "gather", {f, b.ints("gather/idx", {2, 2}, {4, 0, 1, 3})}, GatherOptions{1, 0});
  const TensorId back = b.op(OpType::kCast, "to_int",
                             {b.op(OpType::kMul, "scale", {cast, b.floats("scale/c", {}, {0.5F})}, BinaryOptions{})},
                             CastOptions{DType::kInt32});
  for (const TensorId id : {a, cast, am, an, g, back}) b.output(id);
  return b.take();
}

// Binary and unary float math and activations.
inline Graph elementwise() {
  GraphBuilder b(8);
  const TensorId x = b.input("x", {2, 3, 4});
  const TensorId y = b.input("y", {2, 3, 4});
  const TensorId pos =
      b.op(OpType::kAdd, "pos", {b.op(OpType::kAbs, "abs", {y}), b.floats("one", {}, {1.0F})}, BinaryOptions{});
  TensorId s = b.op(OpType::kSub, "sub", {x, y}, BinaryOptions{Activation::kRelu6});
  s = b.op(OpType::kMul, "mul", {s, x}, BinaryOptions{Activation::kReluN1To1});
  const TensorId d = b.op(OpType::kDiv, "div", {x, pos}, BinaryOptions{});
  const TensorId pw = b.op(OpType::kPow, "pow", {pos, b.floats("pow/e", {4}, {0.5F, 1.5F, 2.0F, -1.0F})});
  const TensorId mx = b.op(OpType::kMaximum, "maximum", {x, y});
  const TensorId mn = b.op(OpType::kMinimum, "minimum", {x, y});
  const TensorId sd = b.op(OpType::kSquaredDifference, "sqdiff", {mx, mn});
  const TensorId e = b.op(OpType::kExp, "exp", {x});
  const TensorId l = b.op(OpType::kLog, "log", {pos});
  const TensorId sq = b.op(OpType::kSqrt, "sqrt", {pos});
  const TensorId rs = b.op(OpType::kRsqrt, "rsqrt", {pos});
  const TensorId ng = b.op(OpType::kNeg, "neg", {d});
  const TensorId lr = b.op(OpType::kLeakyRelu, "leaky", {x}, LeakyReluOptions{0.1F});
  const TensorId pr = b.op(OpType::kPrelu, "prelu", {y, b.weights("prelu/alpha", {4}, 0.0F, 0.5F)});
  const TensorId g1 = b.op(OpType::kGelu, "gelu", {x}, GeluOptions{false});
  const TensorId g2 = b.op(OpType::kGelu, "gelu_tanh", {y}, GeluOptions{true});
  const TensorId r1 = b.op(OpType::kRelu, "relu", {x});
  const TensorId r6 =
      b.op(OpType::kRelu6, "relu6", {b.op(OpType::kMul, "x4", {x, b.floats("four", {}, {4.0F})}, BinaryOptions{})});
  const TensorId rn = b.op(OpType::kReluN1To1, "relu_n1_1", {y});
  const TensorId ls = b.op(OpType::kLogSoftmax, "log_softmax", {x});
  const TensorId sm = b.op(OpType::kSoftmax, "softmax_half", {y}, SoftmaxOptions{0.5F});
  for (const TensorId id : {s, d, pw, sd, e, l, sq, rs, ng, lr, pr, g1, g2, r1, r6, rn, ls, sm}) b.output(id);
  return b.take();
}

// BATCH_MATMUL, FULLY_CONNECTED (keep_num_dims, no bias), TRANSPOSE_CONV.
inline Graph matmul() {
  GraphBuilder b(9);
  const TensorId a = b.input("a", {2, 3, 4});
  const TensorId c = b.input("c", {2, 5, 4});
  b.output(b.op(OpType::kBatchMatMul, "bmm", {a, c}, BatchMatMulOptions{false, true}));
  b.output(b.op(OpType::kFullyConnected, "fc_keep", {a, b.weights("fc_keep/w", {6, 4}), b.weights("fc_keep/b", {6})},
                FullyConnectedOptions{Activation::kRelu, true}));
  b.output(b.op(OpType::kFullyConnected, "fc_nobias", {a, b.weights("fc_nobias/w", {3, 4})},
                FullyConnectedOptions{Activation::kNone, false}));
  const TensorId img = b.input("img", {1, 4, 4, 2});
  TransposeConvOptions tc;
  tc.padding = Padding::kSame;
  tc.stride_h = tc.stride_w = 2;
  b.output(
      b.op(OpType::kTransposeConv, "deconv",
           {b.ints("deconv/shape", {1, 8, 8, 3}), b.weights("deconv/w", {3, 3, 3, 2}), img, b.weights("deconv/b", {3})},
           tc));
  // No bias (an omitted input, -1). A fused activation would make it version
  // 4, which the TFLite 2.12 oracle does not register.
  TransposeConvOptions tc_nobias;
  tc_nobias.padding = Padding::kValid;
  tc_nobias.stride_h = 1;
  tc_nobias.stride_w = 2;
  b.output(
      b.op(OpType::kTransposeConv, "deconv_nobias",
           {b.ints("deconv_nobias/shape", {1, 6, 9, 2}), b.weights("deconv_nobias/w", {2, 3, 3, 2}), img, kNoTensor},
           tc_nobias));
  return b.take();
}

// QUANTIZE to int8/uint8 (per tensor) and DEQUANTIZE back; a per-channel int8
// constant DEQUANTIZEd into FULLY_CONNECTED weights.
inline Graph quantized() {
  GraphBuilder b(10);
  const TensorId x = b.input("x", {1, 4, 4, 3});
  const TensorId q8 = b.quantize("q_int8", x, DType::kInt8, QuantParams{{0.02F}, {-3}, 0});
  b.output(b.op(OpType::kDequantize, "dq_int8", {q8}));
  const TensorId qu = b.quantize("q_uint8", x, DType::kUint8, QuantParams{{0.015F}, {128}, 0});
  b.output(b.op(OpType::kDequantize, "dq_uint8", {qu}));
  std::vector<std::int8_t> w(4 * 3);
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = static_cast<std::int8_t>(static_cast<int>(i * 37 % 255) - 127);
  Graph& g = b.graph();
  const TensorId wq = g.add_constant<std::int8_t>("fc/w_int8", DType::kInt8, {4, 3}, w);
  g.tensor(wq).quant = QuantParams{{0.01F, 0.02F, 0.005F, 0.03F}, {0, 0, 0, 0}, 0};
  const TensorId wf = b.op(OpType::kDequantize, "fc/w", {wq});
  const TensorId flat = b.op(OpType::kReshape, "flat", {x, b.ints("flat/shape", {16, 3})});
  b.output(b.op(OpType::kFullyConnected, "fc", {flat, wf, kNoTensor}, FullyConnectedOptions{}));
  return b.take();
}

struct Sample {
  const char* name;
  Graph (*build)();
};
// GoogleTest prints parameters with this (test names stay readable).
inline void PrintTo(const Sample& sample, std::ostream* os) { *os << sample.name; }

// Small graphs whose operators need a version above 1 (op_version.cc), to
// see which versions a TFLite runtime registers.
inline Graph probe_cast_int8() {
  GraphBuilder b(20);
  const TensorId x = b.input("x", {2, 3}, DType::kInt8);
  b.output(b.op(OpType::kCast, "int8_to_f32", {x}, CastOptions{DType::kFloat32}));  // 3
  return b.take();
}
inline Graph probe_cast_fp16() {
  GraphBuilder b(28);
  const TensorId x = b.input("x", {2, 3});
  const TensorId h = b.op(OpType::kCast, "f32_to_f16", {x}, CastOptions{DType::kFloat16});  // 5
  b.output(b.op(OpType::kCast, "f16_to_f32", {h}, CastOptions{DType::kFloat32}));           // 5
  return b.take();
}
inline Graph probe_strided_slice_ellipsis() {
  GraphBuilder b(21);
  const TensorId x = b.input("x", {2, 3, 4, 5});
  StridedSliceOptions o;
  o.ellipsis_mask = 1;
  b.output(b.op(OpType::kStridedSlice, "ellipsis",
                {x, b.ints("begin", {0, 1}), b.ints("end", {0, 4}), b.ints("strides", {1, 2})}, o));  // 6
  return b.take();
}
inline Graph probe_gather_batch_dims() {
  GraphBuilder b(22);
  const TensorId x = b.input("x", {2, 5, 3});
  b.output(b.op(OpType::kGather, "batch_gather", {x, b.ints("indices", {2, 4}, {0, 4, 2, 2, 1, 3, 0, 0})},
                GatherOptions{1, 1}));  // 5
  return b.take();
}
inline Graph probe_5d_layout() {
  GraphBuilder b(23);
  const TensorId x = b.input("x", {1, 2, 3, 4, 5});
  b.output(b.op(OpType::kTranspose, "transpose5", {x, b.ints("perm5", {0, 4, 1, 3, 2})}));              // 4
  b.output(b.op(OpType::kPad, "pad5", {x, b.ints("pad5/p", {5, 2}, {0, 0, 1, 0, 0, 1, 0, 0, 2, 1})}));  // 4
  b.output(b.op(OpType::kSlice, "slice5",
                {x, b.ints("slice5/b", {0, 1, 0, 1, 0}), b.ints("slice5/s", {1, 1, 2, 2, 5})}));  // 5
  return b.take();
}
inline Graph probe_6d_transpose() {
  GraphBuilder b(29);
  const TensorId x = b.input("x", {1, 2, 3, 2, 2, 5});
  b.output(b.op(OpType::kTranspose, "transpose6", {x, b.ints("perm6", {0, 5, 1, 4, 2, 3})}));  // 6
  return b.take();
}
inline Graph probe_5d_broadcast() {
  GraphBuilder b(24);
  const TensorId x = b.input("x", {2, 1, 3, 1, 4});
  const TensorId y = b.input("y", {1, 2, 1, 5, 4});
  b.output(b.op(OpType::kSub, "sub5", {x, y}, BinaryOptions{}));  // 3
  b.output(b.op(
      OpType::kDiv, "div5",
      {x, b.op(OpType::kAdd, "pos", {b.op(OpType::kAbs, "abs", {y}), b.floats("one", {}, {1.0F})}, BinaryOptions{})},
      BinaryOptions{}));                             // 2
  b.output(b.op(OpType::kMaximum, "max5", {x, y}));  // 3
  return b.take();
}
inline Graph probe_quantize() {
  GraphBuilder b(25);
  const TensorId x = b.input("x", {1, 2, 2, 3});
  const TensorId pc =
      b.quantize("per_channel", x, DType::kInt8, QuantParams{{0.01F, 0.02F, 0.03F}, {0, 0, 0}, 3});  // 3
  b.output(b.op(OpType::kDequantize, "dq_per_channel", {pc}));                                       // 5
  const TensorId i16 = b.quantize("int16", x, DType::kInt16, QuantParams{{0.0001F}, {0}, 0});        // 2
  b.output(b.op(OpType::kDequantize, "dq_int16", {i16}));                                            // 3
  return b.take();
}
inline Graph probe_grouped_conv() {
  GraphBuilder b(26);
  const TensorId x = b.input("x", {1, 5, 5, 4});
  b.output(b.op(OpType::kConv2D, "grouped", {x, b.weights("w", {6, 3, 3, 2}), b.weights("b", {6})},
                conv(Padding::kSame, 1, Activation::kNone)));  // 6
  return b.take();
}
inline Graph probe_transpose_conv_relu() {
  GraphBuilder b(27);
  const TensorId x = b.input("x", {1, 3, 3, 2});
  TransposeConvOptions o;
  o.padding = Padding::kValid;
  o.stride_h = o.stride_w = 2;
  o.activation = Activation::kRelu;
  b.output(b.op(OpType::kTransposeConv, "deconv_relu",
                {b.ints("shape", {1, 7, 7, 2}), b.weights("w", {2, 3, 3, 2}), x, b.weights("b", {2})}, o));  // 4
  return b.take();
}

inline const std::vector<Sample>& version_probes() {
  static const std::vector<Sample> list{
      {"probe_cast_int8", probe_cast_int8},
      {"probe_cast_fp16", probe_cast_fp16},
      {"probe_6d_transpose", probe_6d_transpose},
      {"probe_strided_slice_ellipsis", probe_strided_slice_ellipsis},
      {"probe_gather_batch_dims", probe_gather_batch_dims},
      {"probe_5d_layout", probe_5d_layout},
      {"probe_5d_broadcast", probe_5d_broadcast},
      {"probe_quantize", probe_quantize},
      {"probe_grouped_conv", probe_grouped_conv},
      {"probe_transpose_conv_relu", probe_transpose_conv_relu},
  };
  return list;
}

inline const std::vector<Sample>& samples() {
  static const std::vector<Sample> list{
      {"cnn", cnn},       {"depthwise", depthwise},       {"shapes", shapes},       {"slicing", slicing},
      {"resize", resize}, {"fp16_weights", fp16_weights}, {"int32_ops", int32_ops}, {"elementwise", elementwise},
      {"matmul", matmul}, {"quantized", quantized},
  };
  return list;
}

}  // namespace octet::tflite_samples
