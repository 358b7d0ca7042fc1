#include "runtime/interpreter.h"

#include <pthreadpool.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "core/error.h"
#include "runtime/fast/fast_kernel.h"
#include "runtime/fast/folds.h"

namespace octet {

void Interpreter::ArenaDeleter::operator()(std::byte* p) const { std::free(p); }

namespace {

// An arena of at least one huge page is aligned to one and offered to the
// kernel for transparent huge pages (madvise; a hint: where THP is disabled
// the arena keeps 4 KiB pages). Zeroing a 12 MB arena then faults in a handful
// of pages instead of ~3000, each costly (in a VM especially).
constexpr std::size_t kHugePageBytes = std::size_t{1} << 21;

std::byte* allocate_arena(std::size_t bytes) {
  if (bytes < kHugePageBytes) return static_cast<std::byte*>(std::aligned_alloc(kTensorAlignment, bytes));
  const std::size_t rounded = (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  auto* arena = static_cast<std::byte*>(std::aligned_alloc(kHugePageBytes, rounded));
  if (arena != nullptr) static_cast<void>(::madvise(arena, rounded, MADV_HUGEPAGE));
  return arena;
}

}  // namespace

void Interpreter::ThreadPoolDeleter::operator()(pthreadpool* p) const { pthreadpool_destroy(p); }

Interpreter::~Interpreter() = default;

Interpreter::Interpreter(const Graph& graph, const InterpreterOptions& options) : graph_(graph) {
  verify_graph(graph_);
  const std::size_t tensor_count = graph_.tensor_count();
  for (const TensorId id : graph_.inputs()) {
    if (graph_.tensor(id).is_constant()) {
      throw fail("interpreter: graph input '{}' is a constant; inputs are written before invoke()",
                 graph_.tensor(id).name);
    }
  }

  // Prepare every op in order; the declared outputs must be what Prepare computes.
  for (const Op& op : graph_.ops()) {
    const std::vector<TensorSpec> specs = infer_outputs(graph_, op);  // names the op if it has no kernel
    kernels_.push_back(&reference_kernel(op.type));
    for (std::size_t i = 0; i < specs.size(); ++i) {
      const Tensor& declared = graph_.tensor(op.outputs[i]);
      if (declared.dtype != specs[i].dtype || declared.shape != specs[i].shape) {
        throw fail("op '{}' ({}): output '{}' is declared {} {} but the op computes {} {}", op.name,
                   op_name(op.type), declared.name, dtype_name(declared.dtype), shape_string(declared.shape),
                   dtype_name(specs[i].dtype), shape_string(specs[i].shape));
      }
    }
  }

  if (options.threads < 1) throw fail("interpreter: --threads must be at least 1, got {}", options.threads);

  const bool fast_kernels = options.kernels != KernelSet::kReference;
  const bool cpu_specific = options.kernels == KernelSet::kFast;
  // Ops that may fold into a neighbour's fast kernel: that kernel reads or
  // writes tensors at its own turn (a PAD's input, a residual, the ADD's
  // output), which must be alive then.
  const fast::Folds folds = fast_kernels ? fast::find_folds(graph_) : fast::Folds{};
  // One arena for every non-constant tensor; constants are viewed in place.
  plan_ = plan_memory(graph_, options.share_memory, fast::fold_extra_reads(graph_, folds));
  if (plan_.arena_bytes > 0) {
    // aligned_alloc wants a size that is a multiple of the alignment; the plan's blocks are.
    arena_.reset(allocate_arena(plan_.arena_bytes));
    if (!arena_) throw fail("interpreter: cannot allocate {} bytes for the tensors", plan_.arena_bytes);
    // Zeroed so a tensor no op writes (an unused input) reads as zeros, never as garbage.
    std::memset(arena_.get(), 0, plan_.arena_bytes);
  }
  views_.resize(tensor_count);
  for (std::size_t i = 0; i < tensor_count; ++i) {
    const Tensor& t = graph_.tensor(static_cast<TensorId>(i));
    TensorView& view = views_[i];
    view.dtype = t.dtype;
    view.shape = t.shape;
    view.quant = t.quant ? &*t.quant : nullptr;
    if (t.is_constant()) {
      // Kernels never write their inputs, and constants are only ever inputs.
      view.data = const_cast<std::byte*>(t.data->data());
    } else if (plan_.offsets[i] != MemoryPlan::kNotPlanned) {
      view.data = arena_.get() + plan_.offsets[i];
    }
  }

  for (const Op& op : graph_.ops()) {
    std::vector<TensorView> inputs;
    for (const TensorId id : op.inputs) {
      inputs.push_back(id == kNoTensor ? TensorView{} : views_[static_cast<std::size_t>(id)]);
    }
    std::vector<TensorView> outputs;
    for (const TensorId id : op.outputs) outputs.push_back(views_[static_cast<std::size_t>(id)]);
    op_inputs_.push_back(std::move(inputs));
    op_outputs_.push_back(std::move(outputs));
  }

  fast_.resize(graph_.ops().size());
  folded_.assign(graph_.ops().size(), false);
  unwritten_.assign(graph_.ops().size(), false);
  if (fast_kernels) {
    if (options.threads > 1) {
      threadpool_.reset(pthreadpool_create(static_cast<std::size_t>(options.threads)));
      if (!threadpool_) throw fail("interpreter: cannot create a pool of {} threads", options.threads);
    }
    const auto context_of = [&](std::size_t i, const TensorView* unpadded, const fast::Window& extra) {
      return fast::FastContext{graph_,  graph_.ops()[i], op_inputs_[i], op_outputs_[i], threadpool_.get(),
                               unpadded, extra,           cpu_specific};
    };
    // Folds first. A PAD folded into the convolution (or max pooling) reading it, which then reads the PAD's input.
    std::vector<const fast::PadFold*> pad_into(graph_.ops().size(), nullptr);
    for (const fast::PadFold& f : folds.pads) pad_into[f.consumer_op] = &f;
    const auto consumer_context = [&](std::size_t i) {
      const fast::PadFold* pad = pad_into[i];
      return pad == nullptr ? context_of(i, nullptr, {})
                            : context_of(i, &views_[static_cast<std::size_t>(graph_.ops()[pad->pad_op].inputs[0])],
                                         pad->extra);
    };
    // A residual ADD computed by the convolution whose output it adds (with that convolution's PAD fold, if any).
    for (const fast::AddFold& f : folds.adds) {
      const std::size_t c = f.conv_op;
      const fast::ResidualAdd add{&views_[static_cast<std::size_t>(f.residual)],
                                  &views_[static_cast<std::size_t>(graph_.ops()[f.add_op].outputs[0])],
                                  graph_.ops()[f.add_op].opts<BinaryOptions>().activation,
                                  options.keep_fused_intermediates};
      fast_[c] = fast::make_conv_add(consumer_context(c), add);
      folded_[f.add_op] = fast_[c] != nullptr;
      if (fast_[c] && pad_into[c] != nullptr) folded_[pad_into[c]->pad_op] = unwritten_[pad_into[c]->pad_op] = true;
    }
    for (const fast::PadFold& f : folds.pads) {
      const std::size_t c = f.consumer_op;
      if (fast_[c]) continue;  // made above, with a residual ADD
      fast_[c] = fast::make_fast_kernel(consumer_context(c));
      folded_[f.pad_op] = unwritten_[f.pad_op] = fast_[c] != nullptr;
    }
    // A LOGISTIC folded into the MUL that makes it x * sigmoid(x).
    for (const fast::SiluFold& f : folds.silus) {
      const std::size_t m = f.mul_op;
      fast_[m] = fast::make_silu(context_of(f.logistic_op, nullptr, {}), context_of(m, nullptr, {}));
      folded_[f.logistic_op] = unwritten_[f.logistic_op] = fast_[m] != nullptr;
    }
    for (std::size_t i = 0; i < graph_.ops().size(); ++i) {
      if (fast_[i] || folded_[i]) continue;
      fast_[i] = fast::make_fast_kernel(context_of(i, nullptr, {}));
    }
  }
}

std::string_view Interpreter::op_kernel(std::size_t op_index) const {
  if (op_index >= fast_.size()) throw fail("interpreter: op {} of {} requested", op_index, fast_.size());
  if (folded_[op_index]) return "folded";
  return fast_[op_index] ? "fast" : "reference";
}

bool Interpreter::outputs_written(std::size_t op_index) const {
  if (op_index >= fast_.size()) throw fail("interpreter: op {} of {} requested", op_index, fast_.size());
  return !unwritten_[op_index];
}

std::string_view Interpreter::fast_kernel_name(std::size_t op_index) const {
  if (op_index >= fast_.size()) throw fail("interpreter: op {} of {} requested", op_index, fast_.size());
  return fast_[op_index] ? fast_[op_index]->name() : std::string_view{};
}

std::size_t Interpreter::cpu_specific_op_count() const {
  return static_cast<std::size_t>(std::count_if(fast_.begin(), fast_.end(), [](const auto& kernel) {
    return kernel != nullptr && kernel->name() != fast::FastKernel::kGenericName;
  }));
}

std::size_t Interpreter::folded_op_count() const {
  return static_cast<std::size_t>(std::count(folded_.begin(), folded_.end(), true));
}

std::size_t Interpreter::fast_op_count() const {
  std::size_t count = 0;
  for (const auto& kernel : fast_) {
    if (kernel) ++count;
  }
  return count;
}

std::size_t Interpreter::input_count() const { return graph_.inputs().size(); }

std::size_t Interpreter::output_count() const { return graph_.outputs().size(); }

TensorView Interpreter::input(std::size_t i) {
  if (i >= graph_.inputs().size()) throw fail("interpreter: input {} of {} requested", i, graph_.inputs().size());
  return tensor(graph_.inputs()[i]);
}

TensorView Interpreter::output(std::size_t i) const {
  if (i >= graph_.outputs().size()) {
    throw fail("interpreter: output {} of {} requested", i, graph_.outputs().size());
  }
  return tensor(graph_.outputs()[i]);
}

TensorView Interpreter::tensor(TensorId id) const {
  if (id < 0 || static_cast<std::size_t>(id) >= views_.size()) throw fail("interpreter: tensor id {} out of range", id);
  return views_[static_cast<std::size_t>(id)];
}

void Interpreter::invoke() {
  const std::vector<Op>& ops = graph_.ops();
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (fast_[i]) {
      fast_[i]->run();
    } else if (folded_[i]) {
      // Computed by another op's fast kernel (fast/folds.h).
    } else {
      const KernelContext context{graph_, ops[i]};
      kernels_[i]->eval(context, op_inputs_[i], op_outputs_[i]);
    }
    if (observer_) observer_(i);
  }
}

}  // namespace octet
