#include "passes/pipeline.h"

#include <array>

#include "core/error.h"
#include "passes/fold_batch_norm.h"
#include "passes/fold_constants.h"
#include "passes/fuse_activations.h"
#include "passes/fuse_hard_swish.h"
#include "passes/merge_reshapes.h"
#include "passes/rewrite_div_as_mul.h"
#include "passes/sink_transposes.h"

namespace octet {

namespace {

struct Pass {
  const char* name;
  void (*run)(Graph&);
};

// Order matters: layout first (it exposes conv -> mul -> add chains and
// cancels transposes), then folding, HardSwish fusion before fold_batch_norm
// (which could fold its x * alpha + beta into a convolution), then activation
// fusion last (a fused activation would block the folds).
constexpr std::array kFloatPipeline{
    Pass{"fold_constants", fold_constants},
    Pass{"sink_transposes", sink_transposes},
    Pass{"merge_reshapes", merge_reshapes},
    Pass{"fold_constants", fold_constants},
    Pass{"fuse_hard_swish", fuse_hard_swish},
    Pass{"rewrite_div_as_mul", rewrite_div_as_mul},
    Pass{"fold_batch_norm", fold_batch_norm},
    Pass{"fuse_activations", fuse_activations},
};

}  // namespace

std::vector<PassRecord> run_float_pipeline(Graph& graph) {
  std::vector<PassRecord> records;
  for (const Pass& pass : kFloatPipeline) {
    PassRecord record{pass.name, graph.ops().size(), 0};
    pass.run(graph);
    try {
      verify_graph(graph);
    } catch (const Error& e) {
      throw fail("internal: the graph is invalid after pass {}: {}", pass.name, e.what());
    }
    record.ops_after = graph.ops().size();
    records.push_back(record);
  }
  return records;
}

}  // namespace octet
