// int8 PAD and PADV2 as row copies: the output is filled with the pad value
// (PAD: the output's zero point, PADV2: its constant value input, both as the
// reference kernel picks them), then every innermost row of the input is
// copied into its box with one memcpy. Byte moves only, so the bytes are the
// reference's by construction. Paddings are constant (the reference's Prepare
// checks it) and read once at creation.

#include <cstring>

#include "runtime/fast/registry.h"
#include "runtime/reference/common.h"

namespace octet::fast {

namespace {

constexpr std::size_t kPaddings = 1;
constexpr std::size_t kPadValue = 2;

class PadInt8Kernel final : public FastKernel {
 public:
  PadInt8Kernel(const FastContext& c, std::int8_t fill, const std::int8_t* fill_input,
                const std::vector<std::int64_t>& paddings)
      : in_(c.inputs[0].as<const std::int8_t>()),
        out_(c.outputs[0].as<std::int8_t>()),
        out_count_(c.outputs[0].count()),
        fill_(fill),
        fill_input_(fill_input) {
    const Shape& in = c.inputs[0].shape;
    const Shape& out = c.outputs[0].shape;
    const std::vector<std::int64_t> out_strides = reference::strides_of(out);
    row_ = static_cast<std::size_t>(in.back());
    std::int64_t base = 0;
    for (std::size_t d = 0; d < out.size(); ++d) base += paddings[2 * d] * out_strides[d];
    // The output offset of every input row, in input order.
    const Shape outer(in.begin(), in.end() - 1);
    const std::int64_t rows = element_count(outer);
    std::vector<std::int64_t> index(outer.size(), 0);
    for (std::int64_t r = 0; r < rows; ++r) {
      std::int64_t offset = base;
      for (std::size_t d = 0; d < outer.size(); ++d) offset += index[d] * out_strides[d];
      row_offsets_.push_back(static_cast<std::size_t>(offset));
      for (std::size_t d = outer.size(); d-- > 0;) {
        if (++index[d] < outer[d]) break;
        index[d] = 0;
      }
    }
  }

  void run() override {
    // PADV2's value input may be computed by an earlier op: read it at every run.
    std::memset(out_, fill_input_ != nullptr ? *fill_input_ : fill_, out_count_);
    const std::int8_t* row = in_;
    for (const std::size_t offset : row_offsets_) {
      std::memcpy(out_ + offset, row, row_);
      row += row_;
    }
  }

 private:
  const std::int8_t* in_;
  std::int8_t* out_;
  std::size_t out_count_;
  std::int8_t fill_;
  const std::int8_t* fill_input_;  // PADV2's value, else nullptr
  std::size_t row_ = 0;
  std::vector<std::size_t> row_offsets_;
};

std::unique_ptr<FastKernel> make_pad_int8(const FastContext& c) {
  const TensorView& in = c.inputs[0];
  const TensorView& out = c.outputs[0];
  if (in.dtype != DType::kInt8 || out.dtype != DType::kInt8 || in.shape.empty() || in.count() == 0) return nullptr;
  std::int8_t fill = 0;
  const std::int8_t* fill_input = nullptr;
  if (c.op.type == OpType::kPadV2) {
    fill_input = c.inputs[kPadValue].as<const std::int8_t>();
  } else if (out.quant != nullptr && !out.quant->zero_point.empty()) {
    fill = static_cast<std::int8_t>(out.quant->zero_point[0]);
  }
  const std::vector<std::int64_t> paddings = reference::constant_ints(KernelContext{c.graph, c.op}, kPaddings);
  return std::make_unique<PadInt8Kernel>(c, fill, fill_input, paddings);
}

}  // namespace

void add_pad_int8_kernels(FastKernelTable& table) {
  table.add(OpType::kPad, make_pad_int8);
  table.add(OpType::kPadV2, make_pad_int8);
}

}  // namespace octet::fast
