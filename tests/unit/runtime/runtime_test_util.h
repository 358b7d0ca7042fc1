#pragma once
// Helpers for the reference-kernel tests: build a one-op graph from typed
// inputs, run it through the Interpreter (non-constant inputs are graph
// inputs, constant ones are read in place), and read typed outputs back.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/graph.h"
#include "runtime/interpreter.h"
#include "runtime/kernel.h"

namespace octet::test {

template <typename T>
constexpr DType dtype_of() {
  if constexpr (std::is_same_v<T, float>) return DType::kFloat32;
  if constexpr (std::is_same_v<T, std::int8_t>) return DType::kInt8;
  if constexpr (std::is_same_v<T, std::uint8_t>) return DType::kUint8;
  if constexpr (std::is_same_v<T, std::int16_t>) return DType::kInt16;
  if constexpr (std::is_same_v<T, std::int32_t>) return DType::kInt32;
  if constexpr (std::is_same_v<T, std::int64_t>) return DType::kInt64;
  if constexpr (std::is_same_v<T, bool>) return DType::kBool;
  return DType::kFloat32;
}

// One op input.
struct Arg {
  DType dtype = DType::kFloat32;
  Shape shape;
  Bytes bytes;
  bool constant = false;
  bool absent = false;
  std::optional<QuantParams> quant;
};

template <typename T>
Arg make_arg(Shape shape, const std::vector<T>& values, bool constant, DType dtype = dtype_of<T>()) {
  Arg a;
  a.dtype = dtype;
  a.shape = std::move(shape);
  a.bytes.resize(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(a.bytes.data(), values.data(), a.bytes.size());
  a.constant = constant;
  return a;
}

// A graph input (written before invoke).
template <typename T>
Arg in(Shape shape, const std::vector<T>& values) {
  return make_arg<T>(std::move(shape), values, false);
}
inline Arg in(Shape shape, const std::vector<float>& values) { return make_arg<float>(std::move(shape), values, false); }
// A constant read in place.
template <typename T>
Arg constant(Shape shape, const std::vector<T>& values) {
  return make_arg<T>(std::move(shape), values, true);
}
inline Arg constant(Shape shape, const std::vector<float>& values) {
  return make_arg<float>(std::move(shape), values, true);
}
// Constant int32 / int64 vectors (axes, shapes, perms, ...).
inline Arg i32(const std::vector<std::int32_t>& v) {
  return constant<std::int32_t>({static_cast<std::int64_t>(v.size())}, v);
}
inline Arg i64(const std::vector<std::int64_t>& v) {
  return constant<std::int64_t>({static_cast<std::int64_t>(v.size())}, v);
}
inline Arg i32_scalar(std::int32_t v) { return constant<std::int32_t>({}, {v}); }
inline Arg absent() {
  Arg a;
  a.absent = true;
  return a;
}

// How an output is declared before Prepare (CAST and QUANTIZE read it).
struct OutDecl {
  DType dtype = DType::kFloat32;
  std::optional<QuantParams> quant;
};

struct Result {
  std::vector<TensorSpec> specs;
  std::vector<Bytes> data;

  Shape shape(std::size_t i = 0) const { return specs.at(i).shape; }
  DType dtype(std::size_t i = 0) const { return specs.at(i).dtype; }
  template <typename T>
  std::vector<T> values(std::size_t i = 0) const {
    std::vector<T> out(data.at(i).size() / sizeof(T));
    if (!out.empty()) std::memcpy(out.data(), data.at(i).data(), out.size() * sizeof(T));
    return out;
  }
  std::vector<float> floats(std::size_t i = 0) const { return values<float>(i); }
};

inline Graph build_graph(OpType type, const OpOptions& options, const std::vector<Arg>& args, std::size_t outputs,
                         const std::vector<OutDecl>& decls) {
  Graph g;
  std::vector<TensorId> ids;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const Arg& a = args[i];
    if (a.absent) {
      ids.push_back(kNoTensor);
      continue;
    }
    Tensor t;
    t.name = "in" + std::to_string(i);
    t.dtype = a.dtype;
    t.shape = a.shape;
    t.quant = a.quant;
    if (a.constant) t.data = std::make_shared<const Bytes>(a.bytes);
    const TensorId id = g.add_tensor(std::move(t));
    if (!a.constant) g.inputs().push_back(id);
    ids.push_back(id);
  }
  std::vector<TensorId> out_ids;
  for (std::size_t i = 0; i < outputs; ++i) {
    Tensor t;
    t.name = "out" + std::to_string(i);
    if (i < decls.size()) {
      t.dtype = decls[i].dtype;
      t.quant = decls[i].quant;
    }
    out_ids.push_back(g.add_tensor(std::move(t)));
  }
  g.add_op(type, "op", ids, out_ids, options);
  g.outputs() = out_ids;
  return g;
}

// Runs one op: shape inference, then the Interpreter with `kernels` (these
// tests check the reference kernels; tests/unit/runtime/fast/ checks the fast
// ones against them).
inline Result run_op(OpType type, const OpOptions& options, const std::vector<Arg>& args, std::size_t outputs = 1,
                     const std::vector<OutDecl>& decls = {}, KernelSet kernels = KernelSet::kReference) {
  Graph g = build_graph(type, options, args, outputs, decls);
  Result r;
  r.specs = infer_outputs(g, g.ops()[0]);
  for (std::size_t i = 0; i < outputs; ++i) {
    Tensor& t = g.tensor(g.outputs()[i]);
    t.dtype = r.specs[i].dtype;
    t.shape = r.specs[i].shape;
  }
  Interpreter interpreter(g, InterpreterOptions{.kernels = kernels});
  std::size_t next_input = 0;
  for (const Arg& a : args) {
    if (a.absent || a.constant) continue;
    const TensorView view = interpreter.input(next_input++);
    if (!a.bytes.empty()) std::memcpy(view.data, a.bytes.data(), a.bytes.size());
  }
  interpreter.invoke();
  for (std::size_t i = 0; i < outputs; ++i) {
    const TensorView view = interpreter.output(i);
    const std::size_t bytes = view.count() * dtype_size(view.dtype);
    r.data.emplace_back(view.data, view.data + bytes);
  }
  return r;
}

inline Result run_op(OpType type, const std::vector<Arg>& args, std::size_t outputs = 1) {
  return run_op(type, default_options(type), args, outputs);
}

// The message of the octet::Error that Prepare (or Eval) throws, "" if none.
inline std::string op_error(OpType type, const OpOptions& options, const std::vector<Arg>& args,
                            std::size_t outputs = 1, const std::vector<OutDecl>& decls = {}) {
  try {
    run_op(type, options, args, outputs, decls);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// Element-wise closeness with a combined absolute/relative tolerance.
inline void expect_close(const std::vector<float>& actual, const std::vector<float>& expected, float tolerance = 1e-5F) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    if (std::isnan(expected[i])) {
      EXPECT_TRUE(std::isnan(actual[i])) << "at " << i;
      continue;
    }
    const float scale = std::max(1.0F, std::fabs(expected[i]));
    EXPECT_NEAR(actual[i], expected[i], tolerance * scale) << "at " << i;
  }
}

}  // namespace octet::test
