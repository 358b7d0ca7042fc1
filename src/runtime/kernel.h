#pragma once
// The kernel interface of octet's interpreter, split like tflite-micro's:
// Prepare validates an op and computes its output dtypes and shapes (it is
// also octet's shape inference, used by the importer and the passes); Eval
// computes outputs from inputs. Reference kernels (src/runtime/reference/)
// are the ground truth: simple, readable, one small file per op family.

#include <cstddef>
#include <span>
#include <vector>

#include "core/graph.h"

namespace octet {

struct TensorSpec {
  DType dtype = DType::kFloat32;
  Shape shape;
};

// A view of one tensor's memory during Eval. Input views may point at a
// constant's bytes (Tensor::data, read in place): kernels never write inputs.
struct TensorView {
  DType dtype = DType::kFloat32;
  Shape shape;
  std::byte* data = nullptr;
  const QuantParams* quant = nullptr;  // null when not quantized

  std::size_t count() const { return static_cast<std::size_t>(element_count(shape)); }
  template <typename T>
  T* as() const {
    return reinterpret_cast<T*>(data);
  }
};

// Everything a kernel may read: the op (options, name for messages) and the
// graph (for constant inputs such as axes or target shapes, and input specs).
struct KernelContext {
  const Graph& graph;
  const Op& op;
  // Spec of input i, or nullptr if the optional input is absent.
  const Tensor* input(std::size_t i) const;
};

// Validates the op and returns one spec per output. Throws octet::Error that
// names the op, the offending input or option, and the rule ("op 'NAME'
// (TYPE): ..."). Inputs that TFLite requires constant (axes, shapes, perms,
// paddings, begin/size/end/strides, split sizes, resize sizes, transpose-conv
// output shapes) must be constant int32 or int64 tensors. CAST takes its output
// dtype from CastOptions; QUANTIZE takes its output dtype and quantization
// from the graph's declared output tensor, which must be set before Prepare.
using PrepareFn = std::vector<TensorSpec> (*)(const KernelContext& context);
// Computes the outputs. Absent optional inputs are views with data == nullptr.
using EvalFn = void (*)(const KernelContext& context, std::span<const TensorView> inputs,
                        std::span<const TensorView> outputs);

struct Kernel {
  PrepareFn prepare = nullptr;
  EvalFn eval = nullptr;
};

// The reference kernel for an op type; throws octet::Error if octet has none.
const Kernel& reference_kernel(OpType type);
bool has_reference_kernel(OpType type);

// Output specs of `op` in `graph` (shape inference through Prepare). Checks
// the op table's invariants first (input count, options type) and that Prepare
// yields one spec per declared output; "op 'NAME' (TYPE): no reference kernel"
// for an op without one.
std::vector<TensorSpec> infer_outputs(const Graph& graph, const Op& op);

}  // namespace octet
