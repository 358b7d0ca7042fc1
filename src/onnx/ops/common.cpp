#include "core/error.h"
#include "onnx/ops/ops.h"

namespace octet::onnx_import {

std::int64_t normalize_axis(std::int64_t axis, std::size_t rank, const NodeView& node) {
  const auto r = static_cast<std::int64_t>(rank);
  if (axis < -r || axis >= r) {
    throw fail("node '{}' ({}): axis {} is out of range for rank {}", node.name(), node.op_type(), axis, rank);
  }
  return axis < 0 ? axis + r : axis;
}

std::vector<std::int32_t> to_i32(const std::vector<std::int64_t>& values) {
  std::vector<std::int32_t> out;
  out.reserve(values.size());
  for (const auto v : values) out.push_back(static_cast<std::int32_t>(v));
  return out;
}

}  // namespace octet::onnx_import
