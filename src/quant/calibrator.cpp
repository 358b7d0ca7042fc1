#include "quant/calibrator.h"

#include <memory>
#include <vector>

#include "core/error.h"
#include "quant/op_quant_rules.h"
#include "runtime/interpreter.h"
#include "util/cancel.h"
#include "util/progress.h"

namespace octet::quant {

namespace {

bool observable(const Tensor& tensor) { return !tensor.is_constant() && tensor.dtype == DType::kFloat32; }

void observe_tensor(const Interpreter& interpreter, TensorId id, RangeObserver& observer) {
  const TensorView view = interpreter.tensor(id);
  observer.observe(std::span<const float>(view.as<const float>(), view.count()));
}

}  // namespace

const TensorCalibration& CalibrationResult::at(std::string_view name) const {
  const auto it = tensors.find(name);
  if (it == tensors.end()) throw fail("tensor '{}' has no calibrated range", name);
  return it->second;
}

CalibrationResult calibrate(const Graph& float_graph, const CalibrationData& data,
                            std::span<const std::size_t> sample_indices, const CalibrationOptions& options) {
  if (sample_indices.empty()) throw fail("calibration needs at least one sample (none selected)");
  for (const std::size_t index : sample_indices) {
    if (index >= data.sample_count()) {
      throw fail("calibration sample {} is out of range (the arrays hold {})", index, data.sample_count());
    }
  }
  const CancelToken& cancel = options.cancel != nullptr ? *options.cancel : process_cancel_token();

  // Folded convolutions still write their own outputs: the observers need them.
  Interpreter interpreter(float_graph, InterpreterOptions{.threads = options.threads, .keep_fused_intermediates = true});
  // One observer per observed tensor, indexed by id; the ops' outputs to observe.
  std::vector<std::unique_ptr<RangeObserver>> observers(float_graph.tensor_count());
  const auto attach = [&](TensorId id) {
    auto& slot = observers[static_cast<std::size_t>(id)];
    if (!slot && observable(float_graph.tensor(id))) slot = make_observer(options.method, options.observer);
  };
  for (const TensorId id : float_graph.inputs()) attach(id);
  for (const Op& op : float_graph.ops()) {
    // Outputs whose quantization is fixed or inherited need no statistics.
    if (!outputs_need_calibration(float_graph, op)) continue;
    for (const TensorId id : op.outputs) attach(id);
  }
  std::vector<std::vector<TensorId>> op_outputs(float_graph.ops().size());
  for (std::size_t i = 0; i < float_graph.ops().size(); ++i) {
    for (const TensorId id : float_graph.ops()[i].outputs) {
      if (observers[static_cast<std::size_t>(id)]) op_outputs[i].push_back(id);
    }
    // Some folded ops' outputs are never written (only outputs with inherited or fixed ranges fold so).
    if (!op_outputs[i].empty() && !interpreter.outputs_written(i)) {
      throw fail("calibration: op '{}' ({}) was folded into another op's kernel and its output is never written, but it needs a range",
                 float_graph.ops()[i].name, op_name(float_graph.ops()[i].type));
    }
  }
  interpreter.set_observer([&](std::size_t op_index) {
    for (const TensorId id : op_outputs[op_index]) {
      observe_tensor(interpreter, id, *observers[static_cast<std::size_t>(id)]);
    }
  });

  ProgressBar bar("calibrate", sample_indices.size(), options.progress);
  for (std::size_t done = 0; done < sample_indices.size(); ++done) {
    cancel.check();
    data.write_sample(sample_indices[done], interpreter);
    for (const TensorId id : float_graph.inputs()) {
      if (observers[static_cast<std::size_t>(id)]) {
        observe_tensor(interpreter, id, *observers[static_cast<std::size_t>(id)]);
      }
    }
    interpreter.invoke();
    bar.update(done + 1);
    if (options.on_sample) options.on_sample(done + 1, sample_indices.size());
  }
  bar.finish();

  CalibrationResult result;
  result.requested = options.method;
  result.samples = sample_indices.size();
  for (std::size_t i = 0; i < observers.size(); ++i) {
    if (!observers[i]) continue;
    const auto id = static_cast<TensorId>(i);
    result.tensors.insert_or_assign(float_graph.tensor(id).name, TensorCalibration{id, observers[i]->range()});
  }
  return result;
}

}  // namespace octet::quant
