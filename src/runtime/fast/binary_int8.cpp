// int8 ADD, SUB, MUL, MAXIMUM and MINIMUM by table look-up: an int8 binary op
// has only 256 x 256 distinct input pairs, so the kernel asks the reference
// for the op's value of every pair once at creation
// (reference::binary_int8_table, the reference's own arithmetic: TFLite's
// builtin ADD/SUB, XNNPACK's or the builtin MUL) and then reads one byte per
// output. Exact by construction, whatever the scales. Covers equal shapes and
// broadcasts where each input is a trailing block of the output (a scalar, a
// per-channel vector [C] or [1, 1, 1, C], ...); other broadcasts stay on the
// reference.

#include <algorithm>

#include "runtime/fast/broadcast.h"
#include "runtime/fast/registry.h"
#include "runtime/reference/int8_kernels.h"

namespace octet::fast {

namespace {

class TableBinaryKernel final : public FastKernel {
 public:
  TableBinaryKernel(const FastContext& c, std::size_t period_a, std::size_t period_b)
      : table_(reference::binary_int8_table(KernelContext{c.graph, c.op}, *c.inputs[0].quant, *c.inputs[1].quant,
                                            *c.outputs[0].quant)),
        a_(c.inputs[0].as<const std::int8_t>()),
        b_(c.inputs[1].as<const std::int8_t>()),
        out_(c.outputs[0].as<std::int8_t>()),
        count_(c.outputs[0].count()),
        period_a_(period_a),
        period_b_(period_b),
        block_(std::min(period_a, period_b)) {}

  void run() override {
    const std::int8_t* table = table_.data();
    for (std::size_t start = 0; start < count_; start += block_) {
      const std::int8_t* a = a_ + start % period_a_;
      const std::int8_t* b = b_ + start % period_b_;
      std::int8_t* out = out_ + start;
      for (std::size_t j = 0; j < block_; ++j) {
        out[j] = table[reference::int8_index(a[j]) * reference::kInt8Values + reference::int8_index(b[j])];
      }
    }
  }

 private:
  std::vector<std::int8_t> table_;
  const std::int8_t* a_;
  const std::int8_t* b_;
  std::int8_t* out_;
  std::size_t count_, period_a_, period_b_, block_;
};

std::unique_ptr<FastKernel> make_table_binary_int8(const FastContext& c) {
  if (c.inputs[0].dtype != DType::kInt8 || c.inputs[1].dtype != DType::kInt8 || c.outputs[0].dtype != DType::kInt8) {
    return nullptr;
  }
  if (c.inputs[0].quant == nullptr || c.inputs[1].quant == nullptr || c.outputs[0].quant == nullptr) return nullptr;
  if (c.outputs[0].count() == 0) return nullptr;
  const std::size_t period_a = repeat_period(c.inputs[0].shape, c.outputs[0].shape);
  const std::size_t period_b = repeat_period(c.inputs[1].shape, c.outputs[0].shape);
  if (period_a == 0 || period_b == 0) return nullptr;
  return std::make_unique<TableBinaryKernel>(c, period_a, period_b);
}

}  // namespace

void add_table_binary_int8_kernels(FastKernelTable& table) {
  for (const OpType type : {OpType::kAdd, OpType::kSub, OpType::kMul, OpType::kMaximum, OpType::kMinimum}) {
    table.add(type, make_table_binary_int8);
  }
}

}  // namespace octet::fast
