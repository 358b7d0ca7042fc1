#pragma once
// Small graph-editing helpers shared by the passes.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/graph.h"

namespace octet {

// Re-runs shape inference for `op` and updates its output tensors.
void reinfer_outputs(Graph& graph, const Op& op);

// The values of an int32/int64 constant, or nullopt if `id` is not one.
std::optional<std::vector<std::int64_t>> constant_ints(const Graph& graph, TensorId id);

// A new int32 constant.
TensorId add_i32_constant(Graph& graph, const std::string& name, const std::vector<std::int64_t>& values,
                          Shape shape = {});

// A new activation tensor (no data) with a name derived from `base`.
TensorId add_activation_tensor(Graph& graph, const std::string& base, DType dtype, Shape shape);

// True if `id` is read by exactly one op and is not a graph output.
bool single_use(const Graph& graph, TensorId id);

}  // namespace octet
