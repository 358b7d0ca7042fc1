#pragma once
// The explicit pass pipeline from an imported graph to the graph that is
// written as TFLite. Each pass is one file in src/passes/; the graph is
// verified after every pass.

#include <string>
#include <vector>

#include "core/graph.h"

namespace octet {

struct PassRecord {
  std::string name;
  std::size_t ops_before = 0;
  std::size_t ops_after = 0;
};

// Runs the float pipeline; returns what each pass did (for the report).
std::vector<PassRecord> run_float_pipeline(Graph& graph);

}  // namespace octet
