// Float32 elementwise ops with XNNPACK: ADD, SUB and MUL with numpy
// broadcasting and their fused activation as an output clamp; the standalone
// activations RELU, RELU6, RELU_N1_TO_1 (clamps), HARD_SWISH, LOGISTIC and
// LEAKY_RELU. XNNPACK's microkernels may read past the end of an operand
// (within kTensorTailPadding); the interpreter's tensors allow that, a
// constant's bytes do not, so constant operands are copied into padded memory
// owned by the kernel.

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "runtime/fast/registry.h"
#include "runtime/fast/xnnpack_util.h"
#include "runtime/memory_plan.h"

namespace octet::fast {

namespace {

// A fast kernel plus the padded copies of constant operands it reads.
class KernelWithCopies final : public FastKernel {
 public:
  KernelWithCopies(std::vector<std::vector<float>> copies, std::unique_ptr<FastKernel> inner)
      : copies_(std::move(copies)), inner_(std::move(inner)) {}
  void run() override { inner_->run(); }

 private:
  std::vector<std::vector<float>> copies_;
  std::unique_ptr<FastKernel> inner_;
};

// Input i's float32 data as XNNPACK may read it: in place for tensors the
// interpreter allocates, a padded copy (appended to `copies`) for constants.
const float* readable_input(const FastContext& c, std::size_t i, std::vector<std::vector<float>>& copies) {
  const TensorView& view = c.inputs[i];
  if (!c.graph.tensor(c.op.inputs[i]).is_constant()) return view.as<const float>();
  constexpr std::size_t kTailFloats = (kTensorTailPadding + sizeof(float) - 1) / sizeof(float);
  std::vector<float> copy(view.count() + kTailFloats, 0.0F);
  std::copy_n(view.as<const float>(), view.count(), copy.begin());
  copies.push_back(std::move(copy));
  return copies.back().data();
}

std::unique_ptr<FastKernel> finish(const FastContext& c, OperatorPtr op, std::vector<std::vector<float>> copies) {
  auto kernel = std::make_unique<XnnOperatorKernel>(c, std::move(op));
  if (copies.empty()) return kernel;
  return std::make_unique<KernelWithCopies>(std::move(copies), std::move(kernel));
}

// ---- ADD SUB MUL

using BinaryCreate = xnn_status (*)(float, float, std::uint32_t, xnn_operator_t*);
using BinarySetup = xnn_status (*)(xnn_operator_t, std::size_t, const std::size_t*, std::size_t, const std::size_t*,
                                   const float*, const float*, float*, pthreadpool_t);

std::vector<std::size_t> dims(const Shape& shape) { return {shape.begin(), shape.end()}; }

template <BinaryCreate kCreate, BinarySetup kSetup>
std::unique_ptr<FastKernel> make_binary_f32(const FastContext& c) {
  if (!xnnpack_available()) return nullptr;
  const TensorView& a = c.inputs[0];
  const TensorView& b = c.inputs[1];
  if (a.dtype != DType::kFloat32 || b.dtype != DType::kFloat32) return nullptr;
  if (a.shape.size() > XNN_MAX_TENSOR_DIMS || b.shape.size() > XNN_MAX_TENSOR_DIMS) return nullptr;
  if (c.outputs[0].count() == 0) return nullptr;
  const auto range = activation_range(c.op.opts<BinaryOptions>().activation);
  if (!range) return nullptr;
  xnn_operator_t op = nullptr;
  check(c, kCreate(range->first, range->second, /*flags=*/0, &op), "binary operator create");
  OperatorPtr owned(op);
  std::vector<std::vector<float>> copies;
  copies.reserve(2);  // readable_input's pointers stay valid
  const float* a_data = readable_input(c, 0, copies);
  const float* b_data = readable_input(c, 1, copies);
  const std::vector<std::size_t> a_dims = dims(a.shape);
  const std::vector<std::size_t> b_dims = dims(b.shape);
  check(c,
        kSetup(op, a_dims.size(), a_dims.data(), b_dims.size(), b_dims.data(), a_data, b_data,
               c.outputs[0].as<float>(), c.threadpool),
        "binary operator setup");
  return finish(c, std::move(owned), std::move(copies));
}

// ---- standalone activations: one XNNPACK "nc" operator over rows of the last dimension.

struct Rows {
  std::size_t count, width;
};

Rows rows_of(const TensorView& view) {
  const std::size_t width = view.shape.empty() ? 1 : static_cast<std::size_t>(view.shape.back());
  return {view.count() / width, width};
}

using UnarySetup = xnn_status (*)(xnn_operator_t, std::size_t, const float*, float*, pthreadpool_t);

// Creates the operator with `create(width, &op)`, sets it up over the whole tensor.
template <typename Create>
std::unique_ptr<FastKernel> make_unary(const FastContext& c, Create create, UnarySetup setup, const char* what) {
  if (!xnnpack_available() || c.inputs[0].dtype != DType::kFloat32 || c.inputs[0].count() == 0) return nullptr;
  const Rows rows = rows_of(c.inputs[0]);
  xnn_operator_t op = nullptr;
  check(c, create(rows.width, &op), what);
  OperatorPtr owned(op);
  std::vector<std::vector<float>> copies;
  const float* input = readable_input(c, 0, copies);
  check(c, setup(op, rows.count, input, c.outputs[0].as<float>(), c.threadpool), what);
  return finish(c, std::move(owned), std::move(copies));
}

template <Activation kClamp>
std::unique_ptr<FastKernel> make_clamp_f32(const FastContext& c) {
  const auto range = activation_range(kClamp);
  return make_unary(
      c,
      [&](std::size_t width, xnn_operator_t* op) {
        return xnn_create_clamp_nc_f32(width, width, width, range->first, range->second, /*flags=*/0, op);
      },
      xnn_setup_clamp_nc_f32, "clamp");
}

std::unique_ptr<FastKernel> make_hard_swish_f32(const FastContext& c) {
  return make_unary(
      c,
      [](std::size_t width, xnn_operator_t* op) {
        return xnn_create_hardswish_nc_f32(width, width, width, /*flags=*/0, op);
      },
      xnn_setup_hardswish_nc_f32, "hardswish");
}

std::unique_ptr<FastKernel> make_logistic_f32(const FastContext& c) {
  return make_unary(
      c,
      [](std::size_t width, xnn_operator_t* op) {
        return xnn_create_sigmoid_nc_f32(width, width, width, /*flags=*/0, op);
      },
      xnn_setup_sigmoid_nc_f32, "sigmoid");
}

std::unique_ptr<FastKernel> make_leaky_relu_f32(const FastContext& c) {
  const float alpha = c.op.opts<LeakyReluOptions>().alpha;
  if (!std::isfinite(alpha)) return nullptr;
  return make_unary(
      c,
      [alpha](std::size_t width, xnn_operator_t* op) {
        return xnn_create_leaky_relu_nc_f32(width, width, width, alpha, /*flags=*/0, op);
      },
      xnn_setup_leaky_relu_nc_f32, "leaky relu");
}

// Float elementwise ops smaller than this many outputs run on the calling
// thread. They stream memory in tens to hundreds of microseconds; splitting
// one over the pool costs a wake-up and moves the half of its operands that
// the previous op left in the other core's cache. Measured on this 2-core VM,
// every such op of the latency bench's networks ran slower on 2 threads than
// on 1, up to the largest (efficientnet_b0's 1.2M-element SiLU MULs: 0.31 ms
// on 1 thread, 0.39 ms on 2): efficientnet_b0 FP32 at 2 threads took 8.3 ms
// with them on the calling thread, 9.5 ms split from 32K elements up.
inline constexpr std::size_t kFloatElementwiseParallelMin = std::size_t{1} << 22;

template <FastFactory kMake>
std::unique_ptr<FastKernel> pooled_if_large(const FastContext& c) {
  FastContext sized = c;
  if (c.outputs[0].count() < kFloatElementwiseParallelMin) sized.threadpool = nullptr;
  return kMake(sized);
}

}  // namespace

void add_xnn_elementwise_kernels(FastKernelTable& table) {
  table.add(OpType::kAdd, pooled_if_large<make_binary_f32<xnn_create_add_nd_f32, xnn_setup_add_nd_f32>>);
  table.add(OpType::kSub, pooled_if_large<make_binary_f32<xnn_create_subtract_nd_f32, xnn_setup_subtract_nd_f32>>);
  table.add(OpType::kMul, pooled_if_large<make_binary_f32<xnn_create_multiply_nd_f32, xnn_setup_multiply_nd_f32>>);
  table.add(OpType::kRelu, pooled_if_large<make_clamp_f32<Activation::kRelu>>);
  table.add(OpType::kRelu6, pooled_if_large<make_clamp_f32<Activation::kRelu6>>);
  table.add(OpType::kReluN1To1, pooled_if_large<make_clamp_f32<Activation::kReluN1To1>>);
  table.add(OpType::kHardSwish, pooled_if_large<make_hard_swish_f32>);
  table.add(OpType::kLogistic, pooled_if_large<make_logistic_f32>);
  table.add(OpType::kLeakyRelu, pooled_if_large<make_leaky_relu_f32>);
}

}  // namespace octet::fast
