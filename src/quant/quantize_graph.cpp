#include "quant/quantize_graph.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "core/error.h"
#include "passes/graph_edit.h"
#include "quant/op_quant_rules.h"
#include "runtime/kernel.h"

namespace octet::quant {

namespace {

// What the quantizer decided for one op of the float graph.
enum class OpMode : std::uint8_t {
  kInt8,      // rewritten to its int8 form
  kFloat,     // float fallback between DEQUANTIZE and QUANTIZE
  kInteger,   // computes on integers only (shapes, indices): unchanged
};

bool same_params(const QuantParams& a, const QuantParams& b) {
  return a.scale == b.scale && a.zero_point == b.zero_point;
}

std::string params_key(TensorId id, const QuantParams& p) {
  return fmt::format("{}/{}/{}", id, p.scale.at(0), p.zero_point.at(0));
}

// The real range a per-tensor int8 quantizer covers.
Range covered_range(const QuantParams& p) {
  return {dequantize_value(kInt8Min, p.scale[0], p.zero_point[0]),
          dequantize_value(kInt8Max, p.scale[0], p.zero_point[0])};
}

class Quantizer {
 public:
  Quantizer(const Graph& graph, const TensorRanges& ranges, const QuantizeOptions& options)
      : src_(graph), ranges_(ranges), options_(options) {
    result_.graph = graph;
    const std::size_t n = graph.tensor_count();
    params_.resize(n);
    rule_names_.resize(n);
    int8_domain_.assign(n, false);
  }

  QuantizeResult run() {
    classify_ops();
    assign_params();
    share_join_params();
    rewrite_ops();
    rewrite_interface();
    Graph& g = result_.graph;
    g.remove_unused();
    verify_graph(g);
    for (const Op& op : g.ops()) infer_outputs(g, op);  // every op must have a valid int8 form
    return std::move(result_);
  }

 private:
  Graph& g() { return result_.graph; }

  bool is_float_activation(TensorId id) const {
    if (id == kNoTensor) return false;
    const Tensor& t = src_.tensor(id);
    return t.dtype == DType::kFloat32 && !t.is_constant();
  }

  // Ops computing on real values (any float input in a non-index role, or float output).
  bool is_float_op(const Op& op, const OpQuantRule& rule) const {
    for (std::size_t i = 0; i < op.inputs.size(); ++i) {
      if (op.inputs[i] == kNoTensor || rule.role(i) == InputRole::kIndex) continue;
      if (src_.tensor(op.inputs[i]).dtype == DType::kFloat32) return true;
    }
    for (const TensorId o : op.outputs) {
      if (src_.tensor(o).dtype == DType::kFloat32) return true;
    }
    return false;
  }

  void classify_ops() {
    std::vector<std::string> refused;
    for (const Op& op : src_.ops()) {
      const OpQuantRule& rule = quant_rule(op.type);
      OpMode mode = OpMode::kInteger;
      std::string why;
      if (is_float_op(op, rule)) {
        why = int8_refusal(src_, op);
        mode = why.empty() ? OpMode::kInt8 : OpMode::kFloat;
        if (mode == OpMode::kFloat) refused.push_back(fmt::format("'{}' ({}): {}", op.name, op_name(op.type), why));
      }
      modes_.push_back(mode);
      QuantizedOpRecord record{op.name, std::string(op_name(op.type)), "", why};
      record.dtype = mode == OpMode::kInt8    ? "int8"
                     : mode == OpMode::kFloat ? "float32"
                                              : std::string(dtype_name(src_.tensor(op.outputs.at(0)).dtype));
      result_.ops.push_back(std::move(record));
    }
    if (refused.empty()) return;
    if (!options_.allow_float_fallback) {
      throw fail("int8: {} op(s) cannot run in int8 (full integer was asked; --allow-float-fallback keeps them in "
                 "float): {}",
                 refused.size(), fmt::join(refused, "; "));
    }
    for (const std::string& r : refused) result_.notes.push_back(fmt::format("kept in float32: op {}", r));
  }

  QuantParams calibrated(TensorId id) {
    const std::string& name = src_.tensor(id).name;
    const auto it = ranges_.find(name);
    if (it == ranges_.end()) throw fail("int8: no calibrated range for tensor '{}'", name);
    return choose_activation_params(it->second, int_range(DType::kInt8));
  }

  void set_params(TensorId id, QuantParams p, std::string rule) {
    params_[static_cast<std::size_t>(id)] = std::move(p);
    rule_names_[static_cast<std::size_t>(id)] = std::move(rule);
  }
  const QuantParams& params(TensorId id) const { return params_.at(static_cast<std::size_t>(id)).value(); }
  bool has_params(TensorId id) const { return params_.at(static_cast<std::size_t>(id)).has_value(); }

  // Parameters of a constant operand quantized as an activation: over its values.
  static QuantParams constant_params(const Tensor& t) {
    const std::vector<float> v = t.values<float>();
    Range r;
    if (!v.empty()) {
      const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
      r = {*lo, *hi};
    }
    return choose_activation_params(r, int_range(DType::kInt8));
  }

  void assign_params() {
    for (const TensorId id : src_.inputs()) {
      if (!is_float_activation(id)) continue;
      set_params(id, calibrated(id), "calibrated");
      int8_domain_[static_cast<std::size_t>(id)] = true;
    }
    for (std::size_t k = 0; k < src_.ops().size(); ++k) {
      const Op& op = src_.ops()[k];
      if (modes_[k] == OpMode::kInteger) continue;
      const OpQuantRule& rule = quant_rule(op.type);
      for (const TensorId o : op.outputs) {
        if (!is_float_activation(o)) continue;
        if (modes_[k] == OpMode::kFloat) {
          set_params(o, calibrated(o), "calibrated");
          continue;
        }
        int8_domain_[static_cast<std::size_t>(o)] = true;
        switch (rule.output) {
          case OutputRule::kCalibrated: set_params(o, calibrated(o), "calibrated"); break;
          case OutputRule::kLogistic: set_params(o, logistic_output_params(), "fixed by TFLite (LOGISTIC)"); break;
          case OutputRule::kSoftmax: set_params(o, softmax_output_params(), "fixed by TFLite (SOFTMAX)"); break;
          case OutputRule::kTanh: set_params(o, tanh_output_params(), "fixed by TFLite (TANH)"); break;
          case OutputRule::kLogSoftmax:
            set_params(o, log_softmax_output_params(), "fixed by TFLite (LOG_SOFTMAX)");
            break;
          case OutputRule::kInteger: break;
          case OutputRule::kSameAsInput: {
            const TensorId in = op.inputs.at(static_cast<std::size_t>(rule.primary_input));
            const Tensor& t = src_.tensor(in);
            QuantParams p = t.is_constant() ? constant_params(t) : params(in);
            set_params(o, std::move(p), fmt::format("same as input '{}' (TFLite requires it)", t.name));
            break;
          }
        }
      }
    }
  }

  // Joins read their inputs in the output's quantization: a calibrated
  // producer used only by the join adopts it (no requantization needed).
  // Walks backwards so that nested joins settle outer ones first.
  void share_join_params() {
    for (std::size_t k = src_.ops().size(); k-- > 0;) {
      const Op& op = src_.ops()[k];
      if (modes_[k] != OpMode::kInt8) continue;
      const OpQuantRule& rule = quant_rule(op.type);
      const TensorId out = op.outputs.at(0);
      if (!has_params(out)) continue;
      for (std::size_t i = 0; i < op.inputs.size(); ++i) {
        const TensorId x = op.inputs[i];
        if (rule.role(i) != InputRole::kSharedWithOutput || !is_float_activation(x)) continue;
        if (same_params(params(x), params(out))) continue;
        const std::int64_t producer = src_.producer(x);
        if (producer < 0 || modes_[static_cast<std::size_t>(producer)] != OpMode::kInt8) continue;
        if (quant_rule(src_.ops()[static_cast<std::size_t>(producer)].type).output != OutputRule::kCalibrated) continue;
        if (!single_use(src_, x)) continue;
        set_params(x, params(out), fmt::format("shared with '{}' ({})", op.name, op_name(op.type)));
      }
    }
  }

  // A new int8 constant holding `t`'s values quantized with `p`.
  TensorId quantized_constant(const Tensor& t, const QuantParams& p, DType dtype, const std::string& suffix) {
    const std::vector<float> values = t.values<float>();
    const std::vector<std::int32_t> q = quantize_values(values, t.shape, p, int_range(dtype));
    Tensor c;
    c.name = t.name + suffix;
    c.dtype = dtype;
    c.shape = t.shape;
    c.quant = p;
    if (dtype == DType::kInt32) {
      c.data = make_bytes(std::span<const std::int32_t>(q));
    } else {
      std::vector<std::int8_t> narrow(q.begin(), q.end());
      c.data = make_bytes(std::span<const std::int8_t>(narrow));
    }
    return g().add_tensor(std::move(c));
  }

  // A QUANTIZE op reading `from` into a new int8 tensor with `p` (requantize or quantize).
  TensorId convert_to_int8(TensorId from, const QuantParams& p, const std::string& why) {
    const std::string key = params_key(from, p);
    if (const auto it = converted_.find(key); it != converted_.end()) return it->second;
    const Tensor& t = g().tensor(from);
    Tensor q;
    q.name = fmt::format("{}/{}", t.name, t.dtype == DType::kFloat32 ? "quantized" : "requantized");
    q.dtype = DType::kInt8;
    q.shape = t.shape;
    q.quant = p;
    const TensorId id = g().add_tensor(std::move(q));
    new_ops_.push_back(Op{OpType::kQuantize, g().tensor(id).name, {from}, {id}, NoOptions{}});
    converted_.emplace(key, id);
    if (!why.empty()) result_.notes.push_back(why);
    return id;
  }

  TensorId convert_to_float(TensorId from) {
    const std::string key = fmt::format("{}/float", from);
    if (const auto it = converted_.find(key); it != converted_.end()) return it->second;
    const Tensor& t = g().tensor(from);
    Tensor f;
    f.name = t.name + "/dequantized";
    f.shape = t.shape;
    const TensorId id = g().add_tensor(std::move(f));
    new_ops_.push_back(Op{OpType::kDequantize, g().tensor(id).name, {from}, {id}, NoOptions{}});
    converted_.emplace(key, id);
    return id;
  }

  void rewrite_int8_op(Op op) {
    // `op.inputs` are rewritten to ids of the new graph one by one; every
    // lookup of the source graph's tensors and parameters goes through `source`.
    const Op source = op;
    const OpQuantRule& rule = quant_rule(op.type);
    const TensorId out = op.outputs.at(0);
    // Weights first: a bias may raise its weight scale.
    std::optional<QuantParams> weight_params;
    for (std::size_t i = 0; i < op.inputs.size(); ++i) {
      if (rule.role(i) != InputRole::kWeight || source.inputs[i] == kNoTensor) continue;
      weight_params = weight_quantization(source, rule, i);
      op.inputs[i] = quantized_constant(src_.tensor(source.inputs[i]), *weight_params, DType::kInt8, "");
    }
    for (std::size_t i = 0; i < op.inputs.size(); ++i) {
      const TensorId x = source.inputs[i];
      if (x == kNoTensor) continue;
      const InputRole role = rule.role(i);
      if (role == InputRole::kIndex || role == InputRole::kWeight) continue;
      const Tensor& t = src_.tensor(x);
      if (t.dtype != DType::kFloat32) continue;
      if (role == InputRole::kBias) {
        const float input_scale = params(source.inputs.at(static_cast<std::size_t>(rule.primary_input))).scale.at(0);
        op.inputs[i] = quantized_constant(t, bias_params(input_scale, weight_params.value()), DType::kInt32, "");
        continue;
      }
      const bool shared = role == InputRole::kSharedWithOutput;
      if (t.is_constant()) {
        op.inputs[i] = quantized_constant(t, shared ? params(out) : constant_params(t), DType::kInt8, "");
        continue;
      }
      const QuantParams& wanted = shared ? params(out) : params(x);
      if (!int8_domain_[static_cast<std::size_t>(x)]) {
        op.inputs[i] = convert_to_int8(x, wanted, "");
      } else if (!same_params(params(x), wanted)) {
        op.inputs[i] = convert_to_int8(
            x, wanted,
            fmt::format("requantized input '{}' of '{}' ({}) to the output's scale, as TFLite requires", t.name,
                        op.name, op_name(op.type)));
      }
    }
    new_ops_.push_back(std::move(op));
  }

  QuantParams weight_quantization(const Op& op, const OpQuantRule& rule, std::size_t weight_input) {
    const Tensor& w = src_.tensor(op.inputs[weight_input]);
    const bool per_channel =
        !options_.per_tensor && (op.type != OpType::kFullyConnected || options_.per_channel_fc);
    const int axis = per_channel ? rule.weight_axis : -1;
    const std::vector<float> values = w.values<float>();
    QuantParams p = choose_weight_params(values, w.shape, axis);
    // Raise weight scales whose bias would not fit int32 at scale input * weight.
    for (std::size_t i = 0; i < op.inputs.size(); ++i) {
      if (rule.role(i) != InputRole::kBias || op.inputs[i] == kNoTensor) continue;
      const float input_scale = params(op.inputs.at(static_cast<std::size_t>(rule.primary_input))).scale.at(0);
      const std::vector<float> bias = src_.tensor(op.inputs[i]).values<float>();
      for (std::size_t c = 0; c < bias.size(); ++c) {
        float& s = p.scale[p.per_channel() ? c : 0];
        const float needed = min_weight_scale_for_bias(bias[c], input_scale);
        if (s < needed) {
          s = needed;
          result_.notes.push_back(fmt::format("raised the weight scale of '{}' channel {} so that its bias fits int32",
                                              op.name, c));
        }
      }
    }
    return p;
  }

  void rewrite_float_op(Op op) {
    const OpQuantRule& rule = quant_rule(op.type);
    for (std::size_t i = 0; i < op.inputs.size(); ++i) {
      const TensorId x = op.inputs[i];
      if (x == kNoTensor || rule.role(i) == InputRole::kIndex) continue;
      if (is_float_activation(x) && int8_domain_[static_cast<std::size_t>(x)]) op.inputs[i] = convert_to_float(x);
    }
    new_ops_.push_back(std::move(op));
  }

  void rewrite_ops() {
    // Activation tensors of the int8 domain become int8.
    for (std::size_t id = 0; id < src_.tensor_count(); ++id) {
      if (!int8_domain_[id] || !params_[id]) continue;
      Tensor& t = g().tensor(static_cast<TensorId>(id));
      t.dtype = DType::kInt8;
      t.quant = params_[id];
    }
    for (std::size_t k = 0; k < src_.ops().size(); ++k) {
      const Op& op = src_.ops()[k];
      switch (modes_[k]) {
        case OpMode::kInt8: rewrite_int8_op(op); break;
        case OpMode::kFloat: rewrite_float_op(op); break;
        case OpMode::kInteger: new_ops_.push_back(op); break;
      }
    }
    record_tensors();
  }

  void record_tensors() {
    for (std::size_t id = 0; id < src_.tensor_count(); ++id) {
      if (!params_[id] || !int8_domain_[id]) continue;
      const std::string& name = src_.tensor(static_cast<TensorId>(id)).name;
      const auto it = ranges_.find(name);
      const QuantParams& p = *params_[id];
      result_.tensors.push_back({name, it != ranges_.end() ? it->second : covered_range(p), p.scale[0],
                                 p.zero_point[0], rule_names_[id]});
    }
  }

  // The graph-facing tensor of an interface in `dtype`: int8 as is, uint8 with
  // the zero point shifted by 128, float32 plain.
  Tensor interface_tensor(const Tensor& internal, DType dtype) {
    Tensor t;
    t.name = internal.name;
    t.shape = internal.shape;
    t.dtype = dtype;
    if (dtype == DType::kUint8) {
      QuantParams p = *internal.quant;
      constexpr std::int64_t kUint8Offset = 128;  // uint8 q = int8 q + 128 at the same scale
      p.zero_point[0] += kUint8Offset;
      t.quant = p;
    }
    return t;
  }

  void rewrite_interface() {
    std::vector<Op> prologue;
    for (TensorId& in : g().inputs()) {
      if (!is_float_activation(in) || options_.input_type == DType::kInt8) continue;
      Tensor outer = interface_tensor(g().tensor(in), options_.input_type);
      g().tensor(in).name += "_int8";
      const TensorId outer_id = g().add_tensor(std::move(outer));
      prologue.push_back(Op{OpType::kQuantize, g().tensor(in).name, {outer_id}, {in}, NoOptions{}});
      in = outer_id;
    }
    for (TensorId& out : g().outputs()) {
      if (!is_float_activation(out)) continue;
      const bool int8 = int8_domain_[static_cast<std::size_t>(out)];
      if (!int8) {  // produced by a float fallback op
        if (options_.output_type == DType::kFloat32) continue;
        const TensorId q = convert_to_int8(out, params(out), "");
        if (options_.output_type == DType::kInt8) {
          std::swap(g().tensor(q).name, g().tensor(out).name);
          out = q;
          continue;
        }
        out = append_output_conversion(q, options_.output_type);
        continue;
      }
      if (options_.output_type == DType::kInt8) continue;
      out = append_output_conversion(out, options_.output_type);
    }
    prologue.insert(prologue.end(), std::make_move_iterator(new_ops_.begin()), std::make_move_iterator(new_ops_.end()));
    g().ops() = std::move(prologue);
  }

  TensorId append_output_conversion(TensorId internal, DType dtype) {
    Tensor outer = interface_tensor(g().tensor(internal), dtype);
    g().tensor(internal).name += "_int8";
    const TensorId id = g().add_tensor(std::move(outer));
    const OpType type = dtype == DType::kFloat32 ? OpType::kDequantize : OpType::kQuantize;
    new_ops_.push_back(Op{type, g().tensor(id).name, {internal}, {id}, NoOptions{}});
    return id;
  }

  const Graph& src_;
  const TensorRanges& ranges_;
  const QuantizeOptions& options_;
  QuantizeResult result_;
  std::vector<OpMode> modes_;
  std::vector<std::optional<QuantParams>> params_;
  std::vector<std::string> rule_names_;
  std::vector<bool> int8_domain_;
  std::map<std::string, TensorId> converted_;
  std::vector<Op> new_ops_;
};

}  // namespace

QuantizeResult quantize_graph(const Graph& graph, const TensorRanges& ranges, const QuantizeOptions& options) {
  for (const DType t : {options.input_type, options.output_type}) {
    if (t != DType::kInt8 && t != DType::kUint8 && t != DType::kFloat32) {
      throw fail("int8: model interface type {} is not one of int8, uint8, float32", dtype_name(t));
    }
  }
  return Quantizer(graph, ranges, options).run();
}

DType parse_interface_type(std::string_view text, std::string_view option) {
  if (text == "int8") return DType::kInt8;
  if (text == "uint8") return DType::kUint8;
  if (text == "float32") return DType::kFloat32;
  throw usage_fail("{} must be int8, uint8 or float32, got '{}'", option, text);
}

}  // namespace octet::quant
