#include "quant/calibrator.h"

#include <memory>
#include <vector>

#include "core/error.h"
#include "quant/op_quant_rules.h"
#include "runtime/interpreter.h"
#include "util/cancel.h"
#include "util/progress.h"
#include "util/serial_worker.h"

namespace octet::quant {

namespace {

// How many ops the observers may fall behind the forward pass.
constexpr std::size_t kObserverLagOps = 4;

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

  // The observers read each op's outputs on a worker thread, behind the
  // forward pass: the memory plan keeps every output kObserverLagOps more ops
  // before reusing its bytes, and after op i the forward pass waits for the
  // observation of op i - kObserverLagOps. The observers see each tensor's
  // samples in order, on one thread: the result is the same as observing in
  // line.
  Interpreter interpreter(float_graph,
                          InterpreterOptions{.threads = options.threads, .outputs_linger_ops = kObserverLagOps});
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
  }
  SerialWorker observing;
  const auto observe_later = [&](TensorId id) {
    RangeObserver& observer = *observers[static_cast<std::size_t>(id)];
    return observing.submit([&interpreter, &observer, id] { observe_tensor(interpreter, id, observer); });
  };
  // The last ticket of each op's observations (0: none so far).
  std::vector<std::uint64_t> op_ticket(float_graph.ops().size(), 0);
  std::uint64_t last_ticket = 0;
  interpreter.set_observer([&](std::size_t op_index) {
    for (const TensorId id : op_outputs[op_index]) last_ticket = observe_later(id);
    op_ticket[op_index] = last_ticket;
    // Op op_index + 1 may reuse the bytes of op op_index - kObserverLagOps's outputs.
    if (op_index >= kObserverLagOps) observing.wait_done(op_ticket[op_index - kObserverLagOps]);
  });

  ProgressBar bar("calibrate", sample_indices.size(), options.progress);
  for (std::size_t done = 0; done < sample_indices.size(); ++done) {
    cancel.check();
    observing.wait_idle();  // the previous sample's tensors are about to be overwritten
    data.write_sample(sample_indices[done], interpreter);
    for (const TensorId id : float_graph.inputs()) {
      if (observers[static_cast<std::size_t>(id)]) last_ticket = observe_later(id);
    }
    interpreter.invoke();
    bar.update(done + 1);
    if (options.on_sample) options.on_sample(done + 1, sample_indices.size());
  }
  observing.wait_idle();
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
