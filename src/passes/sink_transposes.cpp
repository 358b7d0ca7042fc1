#include "passes/sink_transposes.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include <fmt/format.h>

#include "passes/graph_edit.h"

namespace octet {

namespace {

using Perm = std::vector<std::int64_t>;

bool is_identity(const Perm& p) {
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] != static_cast<std::int64_t>(i)) return false;
  }
  return true;
}

Perm inverse(const Perm& p) {
  Perm inv(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) inv[static_cast<std::size_t>(p[i])] = static_cast<std::int64_t>(i);
  return inv;
}

bool is_unary_elementwise(OpType t) {
  switch (t) {
    case OpType::kRelu: case OpType::kRelu6: case OpType::kReluN1To1: case OpType::kLeakyRelu:
    case OpType::kLogistic: case OpType::kTanh: case OpType::kHardSwish: case OpType::kGelu:
    case OpType::kExp: case OpType::kLog: case OpType::kSqrt: case OpType::kRsqrt: case OpType::kAbs:
    case OpType::kNeg: case OpType::kCast:
      return true;
    default:
      return false;
  }
}

bool is_binary_elementwise(OpType t) {
  switch (t) {
    case OpType::kAdd: case OpType::kSub: case OpType::kMul: case OpType::kDiv: case OpType::kPow:
    case OpType::kMaximum: case OpType::kMinimum: case OpType::kSquaredDifference: case OpType::kPrelu:
      return true;
    default:
      return false;
  }
}

bool is_reducer(OpType t) {
  return t == OpType::kMean || t == OpType::kSum || t == OpType::kReduceMax || t == OpType::kReduceMin;
}

// A TRANSPOSE with a constant permutation: its input and permutation.
struct TransposeView {
  TensorId input;
  Perm perm;
};

std::optional<TransposeView> as_transpose(const Graph& g, const Op& op) {
  if (op.type != OpType::kTranspose) return std::nullopt;
  auto perm = constant_ints(g, op.inputs[1]);
  if (!perm || g.tensor(op.inputs[0]).is_constant()) return std::nullopt;
  return TransposeView{op.inputs[0], *perm};
}

std::optional<TransposeView> producer_transpose(const Graph& g, TensorId id) {
  const std::int64_t p = g.producer(id);
  if (p < 0) return std::nullopt;
  return as_transpose(g, g.ops()[static_cast<std::size_t>(p)]);
}

// Shape of a constant broadcast up to `rank` (leading ones).
Shape broadcast_shape(const Shape& s, std::size_t rank) {
  Shape out(rank - s.size(), 1);
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

// A constant re-laid so that transpose(result, P) equals it broadcast to rank(P).
TensorId relayout_constant(Graph& g, TensorId c, const Perm& p) {
  const Tensor& t = g.tensor(c);
  const std::size_t rank = p.size();
  const Shape in_shape = broadcast_shape(t.shape, rank);
  const Perm inv = inverse(p);
  Shape out_shape(rank);
  for (std::size_t i = 0; i < rank; ++i) out_shape[i] = in_shape[static_cast<std::size_t>(inv[i])];
  // Element (index in out) = element (index in in) with in index j = out index at inv... move elements.
  const std::size_t elem = dtype_size(t.dtype);
  const auto count = static_cast<std::size_t>(element_count(in_shape));
  auto bytes = std::make_shared<Bytes>(t.data->size());
  std::vector<std::int64_t> in_strides(rank, 1);
  for (std::size_t d = rank; d-- > 1;) in_strides[d - 1] = in_strides[d] * in_shape[d];
  std::vector<std::int64_t> idx(rank, 0);  // index in out
  for (std::size_t flat = 0; flat < count; ++flat) {
    // out[idx] = in[j] where out dim k corresponds to in dim inv[k]: in index[inv[k]] = idx[k].
    std::int64_t src = 0;
    for (std::size_t k = 0; k < rank; ++k) src += idx[k] * in_strides[static_cast<std::size_t>(inv[k])];
    std::memcpy(bytes->data() + flat * elem, t.data->data() + static_cast<std::size_t>(src) * elem, elem);
    for (std::size_t k = rank; k-- > 0;) {
      if (++idx[k] < out_shape[k]) break;
      idx[k] = 0;
    }
  }
  Tensor out;
  out.name = t.name + "/relayout";
  out.dtype = t.dtype;
  out.shape = out_shape;
  out.data = std::move(bytes);
  out.quant = t.quant;
  return g.add_tensor(std::move(out));
}

// Rewires op `ci` (a consumer of y = transpose(x, P)) to work on x and puts
// transpose(., P_out) after each of its outputs. Returns false if not possible.
class Sinker {
 public:
  explicit Sinker(Graph& g) : g_(g) {}

  // Turns one transpose that only moves size-1 dimensions into a RESHAPE.
  // Done only once no transpose can sink any further, so layout information
  // is not lost while a transpose can still meet its inverse.
  bool reshape_once() {
    for (std::size_t ti = 0; ti < g_.ops().size(); ++ti) {
      const auto t = as_transpose(g_, g_.ops()[ti]);
      if (t && moves_only_unit_dims(g_.tensor(t->input).shape, t->perm)) {
        to_reshape(ti);
        return true;
      }
    }
    return false;
  }

  // Sinks one transpose one step; false when none can move.
  bool sink_once() {
    for (std::size_t ti = 0; ti < g_.ops().size(); ++ti) {
      const auto t = as_transpose(g_, g_.ops()[ti]);
      if (!t) continue;
      const TensorId y = g_.ops()[ti].outputs[0];
      const bool is_output = std::find(g_.outputs().begin(), g_.outputs().end(), y) != g_.outputs().end();
      if (is_identity(t->perm) && !is_output) {
        g_.replace_uses(y, t->input);
        g_.remove_unused();
        return true;
      }
      for (const std::size_t ci : g_.consumers(y)) {
        if (sink_into(ci, y, *t)) {
          g_.remove_unused();
          return true;
        }
      }
    }
    return false;
  }

 private:
  static bool moves_only_unit_dims(const Shape& in, const Perm& p) {
    std::vector<std::int64_t> order;
    for (const auto d : p) {
      if (in[static_cast<std::size_t>(d)] != 1) order.push_back(d);
    }
    return std::is_sorted(order.begin(), order.end());
  }

  void to_reshape(std::size_t ti) {
    Op& op = g_.ops()[ti];
    const Shape out = g_.tensor(op.outputs[0]).shape;
    op.type = OpType::kReshape;
    op.options = NoOptions{};
    op.inputs[1] = add_i32_constant(g_, g_.tensor(op.outputs[0]).name + "/shape", out);
    g_.remove_unused();
  }

  // Inserts `transpose(new_out, perm) -> old_out` right after op `index`.
  void transpose_after(std::size_t index, std::size_t output, const Perm& perm) {
    const TensorId old_out = g_.ops()[index].outputs[output];
    // The op's output was re-inferred in x's layout: that spec moves to the
    // fresh tensor, and the original tensor becomes the transpose's output.
    const std::string name = g_.tensor(old_out).name;
    const DType dtype = g_.tensor(old_out).dtype;
    const Shape shape = g_.tensor(old_out).shape;
    const TensorId fresh = add_activation_tensor(g_, name + "/pre_transpose", dtype, shape);
    g_.ops()[index].outputs[output] = fresh;
    const TensorId perm_id = add_i32_constant(g_, name + "/perm", perm);
    Op transpose{OpType::kTranspose, g_.ops()[index].name + "/transpose", {fresh, perm_id}, {old_out}, NoOptions{}};
    g_.ops().insert(g_.ops().begin() + static_cast<std::ptrdiff_t>(index) + 1, std::move(transpose));
    reinfer_outputs(g_, g_.ops()[index + 1]);
  }

  bool sink_into(std::size_t ci, TensorId y, const TransposeView& t) {
    Op& op = g_.ops()[ci];
    const Perm& p = t.perm;
    const std::size_t rank = p.size();

    if (auto next = as_transpose(g_, op)) {
      Perm composed(rank);
      for (std::size_t i = 0; i < rank; ++i) composed[i] = p[static_cast<std::size_t>(next->perm[i])];
      op.inputs[0] = t.input;
      op.inputs[1] = add_i32_constant(g_, g_.tensor(op.outputs[0]).name + "/perm", composed);
      return true;
    }
    if (is_unary_elementwise(op.type) && op.inputs.size() == 1) {
      op.inputs[0] = t.input;
      reinfer_outputs(g_, op);
      transpose_after(ci, 0, p);
      return true;
    }
    if (is_binary_elementwise(op.type)) {
      const std::size_t self = op.inputs[0] == y ? 0 : 1;
      const TensorId other = op.inputs[1 - self];
      if (g_.tensor(other).shape.size() > rank) return false;
      TensorId replacement = kNoTensor;
      if (other == y) {
        replacement = t.input;
      } else if (g_.tensor(other).is_constant()) {
        replacement = relayout_constant(g_, other, p);
      } else if (auto ot = producer_transpose(g_, other); ot && ot->perm == p) {
        replacement = ot->input;
      } else {
        return false;
      }
      Op& again = g_.ops()[ci];
      again.inputs[self] = t.input;
      again.inputs[1 - self] = replacement;
      reinfer_outputs(g_, again);
      transpose_after(ci, 0, p);
      return true;
    }
    if (op.type == OpType::kConcatenation) {
      std::vector<TensorId> sources;
      for (const TensorId in : op.inputs) {
        if (g_.tensor(in).is_constant()) {
          sources.push_back(relayout_constant(g_, in, p));
          continue;
        }
        auto it = producer_transpose(g_, in);
        if (!it || it->perm != p) return false;
        sources.push_back(it->input);
      }
      Op& again = g_.ops()[ci];
      again.inputs = sources;
      auto& o = again.opts<ConcatenationOptions>();
      o.axis = static_cast<int>(p[static_cast<std::size_t>(o.axis < 0 ? o.axis + static_cast<int>(rank) : o.axis)]);
      reinfer_outputs(g_, again);
      transpose_after(ci, 0, p);
      return true;
    }
    if (is_reducer(op.type) && op.inputs[0] == y) {
      auto axes = constant_ints(g_, op.inputs[1]);
      if (!axes) return false;
      std::vector<std::int64_t> mapped;
      for (auto a : *axes) mapped.push_back(p[static_cast<std::size_t>(a < 0 ? a + static_cast<std::int64_t>(rank) : a)]);
      std::sort(mapped.begin(), mapped.end());
      const bool keep = op.opts<ReducerOptions>().keep_dims;
      Perm after = p;
      if (!keep) {
        // Output keeps the dims of y not reduced, in y's order; find each in x's remaining dims.
        std::vector<std::int64_t> kept_x;
        for (std::size_t d = 0; d < rank; ++d) {
          if (!std::binary_search(mapped.begin(), mapped.end(), static_cast<std::int64_t>(d))) {
            kept_x.push_back(static_cast<std::int64_t>(d));
          }
        }
        after.clear();
        for (std::size_t i = 0; i < rank; ++i) {
          const auto d = p[i];
          if (std::binary_search(mapped.begin(), mapped.end(), d)) continue;
          after.push_back(std::find(kept_x.begin(), kept_x.end(), d) - kept_x.begin());
        }
      }
      op.inputs[0] = t.input;
      op.inputs[1] = add_i32_constant(g_, g_.tensor(op.outputs[0]).name + "/axes", mapped);
      reinfer_outputs(g_, g_.ops()[ci]);
      if (!is_identity(after)) {
        transpose_after(ci, 0, after);
      }
      return true;
    }
    if ((op.type == OpType::kPad || op.type == OpType::kPadV2) && op.inputs[0] == y) {
      auto pads = constant_ints(g_, op.inputs[1]);
      if (!pads || pads->size() != 2 * rank) return false;
      std::vector<std::int64_t> mapped(2 * rank);
      for (std::size_t i = 0; i < rank; ++i) {
        const auto d = static_cast<std::size_t>(p[i]);
        mapped[2 * d] = (*pads)[2 * i];
        mapped[2 * d + 1] = (*pads)[2 * i + 1];
      }
      op.inputs[0] = t.input;
      op.inputs[1] = add_i32_constant(g_, g_.tensor(op.outputs[0]).name + "/paddings", mapped,
                                      {static_cast<std::int64_t>(rank), 2});
      reinfer_outputs(g_, g_.ops()[ci]);
      transpose_after(ci, 0, p);
      return true;
    }
    if ((op.type == OpType::kSlice || op.type == OpType::kStridedSlice) && op.inputs[0] == y) {
      if (op.type == OpType::kStridedSlice) {
        const auto& o = op.opts<StridedSliceOptions>();
        if (o.shrink_axis_mask != 0 || o.new_axis_mask != 0 || o.ellipsis_mask != 0) return false;
      }
      std::vector<std::vector<std::int64_t>> params;
      for (std::size_t k = 1; k < op.inputs.size(); ++k) {
        auto v = constant_ints(g_, op.inputs[k]);
        if (!v || v->size() != rank) return false;
        params.push_back(*v);
      }
      Op& again = g_.ops()[ci];
      for (std::size_t k = 0; k < params.size(); ++k) {
        std::vector<std::int64_t> mapped(rank);
        for (std::size_t i = 0; i < rank; ++i) mapped[static_cast<std::size_t>(p[i])] = params[k][i];
        again.inputs[k + 1] = add_i32_constant(g_, fmt::format("{}/param{}", again.name, k), mapped);
      }
      if (again.type == OpType::kStridedSlice) {
        auto& o = again.opts<StridedSliceOptions>();
        const auto permute_mask = [&](int mask) {
          int out = 0;
          for (std::size_t i = 0; i < rank; ++i) {
            if ((mask >> i) & 1) out |= 1 << p[i];
          }
          return out;
        };
        o.begin_mask = permute_mask(o.begin_mask);
        o.end_mask = permute_mask(o.end_mask);
      }
      again.inputs[0] = t.input;
      reinfer_outputs(g_, again);
      transpose_after(ci, 0, p);
      return true;
    }
    return false;
  }

  Graph& g_;
};

}  // namespace

void sink_transposes(Graph& graph) {
  Sinker sinker(graph);
  do {
    while (sinker.sink_once()) {
    }
  } while (sinker.reshape_once());
  graph.remove_unused();
}

}  // namespace octet
