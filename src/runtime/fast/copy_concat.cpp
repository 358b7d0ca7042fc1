// CONCATENATION of tensors that share one unquantized dtype (float32, int32,
// int64, ...) and no fused activation: for each index before the axis, one
// memcpy per input of its contiguous slab. The offsets are computed once at
// creation. (Quantized inputs may need requantizing: the reference kernel and
// the int8 fast kernels handle those.)

#include <cstring>
#include <vector>

#include "runtime/fast/registry.h"
#include "runtime/reference/common.h"

namespace octet::fast {

namespace {

class ConcatKernel final : public FastKernel {
 public:
  struct Slab {
    const std::byte* source;
    std::size_t bytes;  // per outer index
  };
  ConcatKernel(std::vector<Slab> slabs, std::size_t outer, std::byte* output)
      : slabs_(std::move(slabs)), outer_(outer), output_(output) {}

  void run() override {
    std::byte* out = output_;
    for (std::size_t o = 0; o < outer_; ++o) {
      for (const Slab& slab : slabs_) {
        std::memcpy(out, slab.source + o * slab.bytes, slab.bytes);
        out += slab.bytes;
      }
    }
  }

 private:
  std::vector<Slab> slabs_;
  std::size_t outer_;
  std::byte* output_;
};

std::unique_ptr<FastKernel> make_concat(const FastContext& c) {
  const auto& o = c.op.opts<ConcatenationOptions>();
  const TensorView& out = c.outputs[0];
  if (o.activation != Activation::kNone || out.quant != nullptr || out.dtype == DType::kInt8) return nullptr;
  if (out.count() == 0) return nullptr;  // nothing to copy
  for (const TensorView& in : c.inputs) {
    if (in.dtype != out.dtype || in.quant != nullptr) return nullptr;
  }
  const KernelContext kernel_context{c.graph, c.op};
  const std::size_t axis = reference::normalize_axis(kernel_context, o.axis, out.shape.size(), "axis");
  std::size_t outer = 1;
  for (std::size_t d = 0; d < axis; ++d) outer *= static_cast<std::size_t>(out.shape[d]);
  std::size_t inner = dtype_size(out.dtype);
  for (std::size_t d = axis + 1; d < out.shape.size(); ++d) inner *= static_cast<std::size_t>(out.shape[d]);
  std::vector<ConcatKernel::Slab> slabs;
  for (const TensorView& in : c.inputs) {
    slabs.push_back({in.data, static_cast<std::size_t>(in.shape[axis]) * inner});
  }
  return std::make_unique<ConcatKernel>(std::move(slabs), outer, out.data);
}

}  // namespace

void add_concat_kernels(FastKernelTable& table) { table.add(OpType::kConcatenation, make_concat); }

}  // namespace octet::fast
