#include "runtime/fast/folds.h"

namespace octet::fast {

Folds find_folds(const Graph& graph) { return {find_pad_folds(graph), find_add_folds(graph), find_silu_folds(graph)}; }

std::vector<ExtraRead> fold_extra_reads(const Graph& graph, const Folds& folds) {
  std::vector<ExtraRead> reads = pad_fold_extra_reads(graph, folds.pads);
  const std::vector<ExtraRead> adds = add_fold_extra_reads(graph, folds.adds);
  reads.insert(reads.end(), adds.begin(), adds.end());
  return reads;
}

}  // namespace octet::fast
