#include "onnx/onnx_importer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <unordered_map>

#include <fmt/ranges.h>
#include <onnx/onnx_pb.h>

#include "core/error.h"
#include "onnx/converters.h"
#include "onnx/import_context.h"
#include "onnx/node_view.h"
#include "onnx/rewrite_patterns.h"
#include "onnx/tensor_proto.h"

namespace octet {

namespace fs = std::filesystem;
using onnx_import::ImportContext;
using onnx_import::NodeView;

namespace {

onnx::ModelProto read_model(const fs::path& path) {
  // Parsed straight from the file descriptor: no copy of the file in memory.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw fail("{}: cannot open ONNX model: {}", path.string(), std::strerror(errno));
  struct stat info {};
  const bool regular = ::fstat(fd, &info) == 0 && S_ISREG(info.st_mode);
  onnx::ModelProto model;
  const bool parsed = regular && info.st_size > 0 && model.ParseFromFileDescriptor(fd);
  ::close(fd);
  if (!regular) throw fail("{}: not a regular file", path.string());
  if (info.st_size == 0) throw fail("{}: empty file, not an ONNX model", path.string());
  if (!parsed) throw fail("{}: not a valid ONNX model (protobuf parse failed)", path.string());
  if (!model.has_graph()) throw fail("{}: not a valid ONNX model (no graph)", path.string());
  return model;
}

int default_opset(const onnx::ModelProto& model, const fs::path& path) {
  for (const auto& entry : model.opset_import()) {
    if (entry.domain().empty() || entry.domain() == "ai.onnx") {
      const auto version = static_cast<int>(entry.version());
      if (version < kMinOnnxOpset || version > kMaxOnnxOpset) {
        throw fail("{}: opset {} is not supported (octet reads opsets {} to {})", path.string(), version,
                   kMinOnnxOpset, kMaxOnnxOpset);
      }
      return version;
    }
  }
  throw fail("{}: the model imports no default-domain opset", path.string());
}

// Every problem found before conversion, so that one error lists them all.
void check_nodes(const onnx::GraphProto& graph, int opset, const fs::path& path) {
  std::vector<std::string> problems;
  for (const auto& node : graph.node()) {
    const NodeView view(node, opset);
    const auto label = fmt::format("'{}' ({})", view.name(), node.op_type());
    if (!node.domain().empty() && node.domain() != "ai.onnx") {
      problems.push_back(fmt::format("{}: domain '{}' is not supported", label, node.domain()));
      continue;
    }
    const auto* converter = onnx_import::find_converter(node.op_type());
    if (converter == nullptr) {
      problems.push_back(fmt::format("{}: operator not supported", label));
      continue;
    }
    if (converter->check != nullptr) {
      try {
        if (auto why = converter->check(view)) problems.push_back(fmt::format("{}: {}", label, *why));
      } catch (const Error& e) {
        problems.push_back(e.what());
      }
    }
  }
  if (!problems.empty()) {
    throw fail("{}: {} unsupported node{}: {}", path.string(), problems.size(), problems.size() == 1 ? "" : "s",
               fmt::join(problems, "; "));
  }
}

Shape resolve_input_shape(const onnx::ValueInfoProto& input, const ImportOptions& options, const fs::path& path) {
  const auto& type = input.type().tensor_type();
  Shape declared;
  std::vector<std::string> symbols;
  for (const auto& dim : type.shape().dim()) {
    declared.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
    symbols.push_back(dim.has_dim_param() ? dim.dim_param() : std::string());
  }
  for (const auto& [name, shape] : options.input_shapes) {
    if (name != input.name()) continue;
    if (shape.size() != declared.size()) {
      throw fail("--input-shape {}:{}: the model's input has rank {}", name, shape_string(shape), declared.size());
    }
    for (std::size_t d = 0; d < shape.size(); ++d) {
      if (declared[d] >= 0 && declared[d] != shape[d]) {
        throw fail("--input-shape {}:{}: dimension {} is fixed to {} by the model", name, shape_string(shape), d,
                   declared[d]);
      }
    }
    return shape;
  }
  for (std::size_t d = 0; d < declared.size(); ++d) {
    if (declared[d] >= 0) continue;
    if (d == 0) {
      declared[d] = 1;  // dynamic batch: one sample
      continue;
    }
    throw fail("{}: input '{}' has a dynamic dimension {}{} in {}: pass --input-shape {}:{}", path.string(),
               input.name(), d, symbols[d].empty() ? "" : fmt::format(" ('{}')", symbols[d]),
               fmt::join(symbols.empty() ? std::vector<std::string>{} : symbols, ","), input.name(),
               "1x3x224x224 (for example)");
  }
  return declared;
}

}  // namespace

std::pair<std::string, Shape> parse_input_shape(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    throw usage_fail("--input-shape '{}': expected NAME:DIMS, e.g. input:1x3x224x224", text);
  }
  Shape shape;
  std::string_view dims(text);
  dims.remove_prefix(colon + 1);
  while (!dims.empty()) {
    const auto x = dims.find_first_of("x,");
    const std::string_view item = dims.substr(0, x);
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (ec != std::errc{} || end != item.data() + item.size() || value <= 0) {
      throw usage_fail("--input-shape '{}': '{}' is not a positive dimension", text, item);
    }
    shape.push_back(value);
    if (x == std::string_view::npos) break;
    dims.remove_prefix(x + 1);
  }
  return {text.substr(0, colon), shape};
}

ImportResult import_onnx(const fs::path& path, const ImportOptions& options) {
  onnx::ModelProto model = read_model(path);
  ImportResult result;
  result.opset = default_opset(model, path);
  result.producer = fmt::format("{} {}", model.producer_name(), model.producer_version());
  if (const int gelus = onnx_import::rewrite_patterns(*model.mutable_graph()); gelus > 0) {
    result.notes.push_back(fmt::format("{} Erf-based GELU subgraph{} imported as GELU", gelus, gelus == 1 ? "" : "s"));
  }
  const onnx::GraphProto& graph = model.graph();
  check_nodes(graph, result.opset, path);

  for (const auto& [name, shape] : options.input_shapes) {
    const bool known = std::any_of(graph.input().begin(), graph.input().end(),
                                   [&](const onnx::ValueInfoProto& v) { return v.name() == name; });
    if (!known) throw fail("--input-shape {}: the model has no input of that name", name);
  }

  Graph& ir = result.graph;
  ImportContext context(ir);
  const fs::path model_dir = path.parent_path();
  // Weights move into the IR one by one, each freed from the protobuf as it
  // goes, so peak memory stays near one copy of the model.
  for (auto& initializer : *model.mutable_graph()->mutable_initializer()) {
    context.bind(initializer.name(), ir.add_tensor(onnx_import::tensor_from_proto(initializer, model_dir)));
    std::string().swap(*initializer.mutable_raw_data());  // clear() would keep the capacity
    google::protobuf::RepeatedField<float>().Swap(initializer.mutable_float_data());
  }
  std::unordered_map<std::string, int> uses;
  for (const auto& node : graph.node()) {
    for (const auto& input : node.input()) ++uses[input];
  }
  for (const auto& output : graph.output()) ++uses[output.name()];
  context.set_use_counts(std::move(uses));
  for (const auto& input : graph.input()) {
    if (context.has_value(input.name())) continue;  // an initializer listed as input
    Tensor t;
    t.name = input.name();
    t.dtype = onnx_import::dtype_from_onnx(input.type().tensor_type().elem_type(),
                                           fmt::format("{}: input '{}'", path.string(), input.name()));
    t.shape = resolve_input_shape(input, options, path);
    const bool image = t.shape.size() == 4 && t.dtype == DType::kFloat32;
    if (image && !options.keep_input_layout) {
      const Shape nchw = t.shape;
      t.shape = {nchw[0], nchw[2], nchw[3], nchw[1]};
      const TensorId nhwc = ir.add_tensor(std::move(t));
      ir.inputs().push_back(nhwc);
      context.bind(input.name(), context.transpose(nhwc, onnx_import::kToNchw, input.name() + "/to_nchw"));
      // The transposed value must keep ONNX's name for the converters; the IR input keeps it for users.
      result.notes.push_back(fmt::format("input '{}' is NHWC {} (the model's NCHW {}); pass --keep-input-layout to keep NCHW",
                                         input.name(), shape_string(ir.tensor(nhwc).shape), shape_string(nchw)));
    } else {
      const TensorId id = ir.add_tensor(std::move(t));
      ir.inputs().push_back(id);
      context.bind(input.name(), id);
    }
  }

  for (const auto& node : graph.node()) {
    const NodeView view(node, result.opset);
    onnx_import::find_converter(node.op_type())->convert(context, view);
    context.node_done(view);
  }

  for (const auto& output : graph.output()) {
    const TensorId id = context.value(output.name());
    if (ir.tensor(id).is_constant()) {
      throw fail("{}: output '{}' is a constant; octet converts models whose outputs depend on their inputs",
                 path.string(), output.name());
    }
    ir.tensor(id).name = output.name();
    ir.outputs().push_back(id);
  }
  ir.remove_unused();
  verify_graph(ir);
  return result;
}

}  // namespace octet
