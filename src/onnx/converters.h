#pragma once
// The table of ONNX operators octet imports. Each row names the ONNX op type,
// the function that emits its IR ops, and an optional check that reports,
// before any work, why a particular node (attribute, mode) is unsupported, so
// that one error can list every unsupported node of a model.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace octet::onnx_import {

class ImportContext;
class NodeView;

using ConvertFn = void (*)(ImportContext& context, const NodeView& node);
using CheckFn = std::optional<std::string> (*)(const NodeView& node);

struct Converter {
  std::string_view op_type;
  ConvertFn convert;
  CheckFn check;  // may be null
};

const Converter* find_converter(std::string_view op_type);
std::span<const Converter> all_converters();

}  // namespace octet::onnx_import
