#include "runtime/fast/fold_silu.h"

#include <algorithm>

namespace octet::fast {

namespace {

bool foldable_dtype(const Tensor& t) {
  if (t.dtype == DType::kFloat32) return true;
  return t.dtype == DType::kInt8 && t.quant && t.quant->scale.size() == 1;
}

}  // namespace

std::unique_ptr<FastKernel> make_silu(const FastContext& logistic, const FastContext& mul) {
  switch (logistic.inputs[0].dtype) {
    case DType::kFloat32: return make_silu_f32(mul, logistic.inputs[0]);
    case DType::kInt8: return make_silu_int8(logistic, mul);
    default: return nullptr;
  }
}

std::vector<SiluFold> find_silu_folds(const Graph& graph) {
  const std::vector<Op>& ops = graph.ops();
  std::vector<SiluFold> folds;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const Op& logistic = ops[i];
    if (logistic.type != OpType::kLogistic) continue;
    const TensorId x = logistic.inputs[0];
    const TensorId s = logistic.outputs[0];
    const Tensor& in = graph.tensor(x);
    if (in.is_constant() || graph.is_output(s) || !foldable_dtype(in)) continue;
    std::size_t readers = 0;
    std::size_t consumer = ops.size();
    for (std::size_t j = 0; j < ops.size(); ++j) {
      const std::size_t reads = static_cast<std::size_t>(std::count(ops[j].inputs.begin(), ops[j].inputs.end(), s));
      readers += reads;
      if (reads > 0) consumer = j;
    }
    if (readers != 1) continue;
    const Op& mul = ops[consumer];
    if (mul.type != OpType::kMul || mul.opts<BinaryOptions>().activation != Activation::kNone) continue;
    const TensorId other = mul.inputs[0] == s ? mul.inputs[1] : mul.inputs[0];
    const Tensor& out = graph.tensor(mul.outputs[0]);
    if (other != x || out.shape != in.shape || out.dtype != in.dtype || !foldable_dtype(out)) continue;
    if (!foldable_dtype(graph.tensor(s)) || graph.tensor(s).dtype != in.dtype) continue;
    folds.push_back({i, consumer});
  }
  return folds;
}

}  // namespace octet::fast
