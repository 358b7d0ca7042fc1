#include "onnx/onnx_importer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <optional>
#include <unordered_map>
#include <unordered_set>

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

std::string onnx_type_name(std::int32_t elem_type) {
  std::string name = onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(elem_type));
  for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return name == "float" ? "float32" : name == "double" ? "float64" : name;
}

// Element types, ranks and input dependence of the values the model declares.
onnx_import::ValueFactsMap declared_facts(const onnx::GraphProto& graph) {
  onnx_import::ValueFactsMap facts;
  std::unordered_set<std::string> initializers;
  for (const auto& init : graph.initializer()) {
    initializers.insert(init.name());
    facts[init.name()] = {init.data_type(), init.dims_size(), false};
  }
  const auto declare = [&](const onnx::ValueInfoProto& v, bool from_inputs) {
    if (!v.type().has_tensor_type() || initializers.count(v.name()) > 0) return;
    onnx_import::ValueFacts& f = facts[v.name()];
    const auto& t = v.type().tensor_type();
    if (t.elem_type() != 0) f.elem_type = t.elem_type();
    if (t.has_shape()) f.rank = t.shape().dim_size();
    f.from_inputs = f.from_inputs || from_inputs;
  };
  for (const auto& v : graph.input()) declare(v, true);
  for (const auto& v : graph.value_info()) declare(v, false);
  for (const auto& v : graph.output()) declare(v, false);
  return facts;
}

// What a node's outputs are, from its inputs' facts (run after its checks).
void propagate_facts(const NodeView& n, onnx_import::ValueFactsMap& facts) {
  const std::string& op = n.op_type();
  bool from_inputs = false;
  if (op != "Shape" && op != "Size") {  // static shapes: these are constants
    for (std::size_t i = 0; i < n.input_count(); ++i) from_inputs = from_inputs || n.input_facts(i).from_inputs;
  }
  std::int32_t type = 0;
  int rank = -1;
  if (op == "Cast") {
    type = static_cast<std::int32_t>(n.get_int("to", 0));
  } else if (op == "Shape" || op == "Size" || op == "ArgMax" || op == "ArgMin") {
    type = onnx::TensorProto::INT64;
  } else if (op == "Constant") {
    if (const onnx::TensorProto* value = n.get_tensor("value")) {
      type = value->data_type();
      rank = value->dims_size();
    } else if (n.has("value_float") || n.has("value_floats")) {
      type = onnx::TensorProto::FLOAT;
    } else if (n.has("value_int") || n.has("value_ints")) {
      type = onnx::TensorProto::INT64;
    }
  } else if (op == "ConstantOfShape") {
    const onnx::TensorProto* value = n.get_tensor("value");
    type = value != nullptr ? value->data_type() : onnx::TensorProto::FLOAT;
  } else {
    type = n.input_facts(0).elem_type;  // the ops octet converts keep their first input's type
  }
  for (std::size_t i = 0; i < n.output_count(); ++i) {
    if (n.output(i).empty()) continue;
    onnx_import::ValueFacts& f = facts[n.output(i)];
    f.from_inputs = from_inputs;
    if (i == 0 && f.elem_type == 0) f.elem_type = type;
    if (i == 0 && f.rank < 0) f.rank = rank;
  }
}

// Input types octet's kernels take, for the ops whose kernels are picky.
std::optional<std::string> check_dtypes(const NodeView& n) {
  static const std::unordered_set<std::string> kArithmetic{"Add", "Sub", "Mul", "Div", "Max", "Min", "Pow"};
  static const std::unordered_set<std::string> kFloatOnly{"Conv", "ConvTranspose", "MaxPool", "AveragePool",
                                                          "GlobalAveragePool", "GlobalMaxPool"};
  const std::string& op = n.op_type();
  const bool clip_bounds = op == "Clip" && (n.has_input(1) || n.has_input(2) || n.has("min") || n.has("max"));
  if (kArithmetic.count(op) > 0) {
    std::int32_t first = 0;
    for (std::size_t i = 0; i < n.input_count(); ++i) {
      const std::int32_t t = n.input_facts(i).elem_type;
      if (t == 0) continue;
      if (t != onnx::TensorProto::FLOAT && t != onnx::TensorProto::INT32 && t != onnx::TensorProto::INT64) {
        return fmt::format("input {} ('{}') is {}, not supported (arithmetic takes float32, int32 or int64)", i,
                           n.input(i), onnx_type_name(t));
      }
      if (first != 0 && t != first) {
        return fmt::format("inputs of types {} and {} are not supported (mixed-type arithmetic)",
                           onnx_type_name(first), onnx_type_name(t));
      }
      first = t;
    }
  } else if (kFloatOnly.count(op) > 0 || clip_bounds) {
    const std::int32_t t = n.input_facts(0).elem_type;
    if (t != 0 && t != onnx::TensorProto::FLOAT) {
      return fmt::format("input 0 ('{}') is {}, not supported (float32 only)", n.input(0), onnx_type_name(t));
    }
  }
  return std::nullopt;
}

// Every problem found before conversion, so that one error lists them all.
void check_nodes(const onnx::GraphProto& graph, int opset, const fs::path& path) {
  std::vector<std::string> problems;
  onnx_import::ValueFactsMap facts = declared_facts(graph);
  std::unordered_map<std::string, std::string> producer;  // value -> label of the node making it
  for (const auto& node : graph.node()) {
    const NodeView view(node, opset, &facts);
    const auto label = fmt::format("'{}' ({})", view.name(), node.op_type());
    for (const auto& output : node.output()) producer[output] = label;
    propagate_facts(view, facts);
    if (!node.domain().empty() && node.domain() != "ai.onnx") {
      problems.push_back(fmt::format("{}: domain '{}' is not supported", label, node.domain()));
      continue;
    }
    const auto* converter = onnx_import::find_converter(node.op_type());
    if (converter == nullptr) {
      problems.push_back(fmt::format("{}: operator not supported", label));
      continue;
    }
    try {
      if (auto why = check_dtypes(view)) {
        problems.push_back(fmt::format("{}: {}", label, *why));
      } else if (converter->check != nullptr) {
        if (auto reason = converter->check(view)) problems.push_back(fmt::format("{}: {}", label, *reason));
      }
    } catch (const Error& e) {
      problems.push_back(e.what());
    }
  }
  for (const auto& output : graph.output()) {
    if (facts[output.name()].from_inputs) continue;
    const auto it = producer.find(output.name());
    problems.push_back(fmt::format("{}output '{}' is a constant (it does not depend on the model's inputs), not supported",
                                   it == producer.end() ? std::string() : it->second + ": ", output.name()));
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
  std::unordered_map<std::string, int> uses;
  for (const auto& node : graph.node()) {
    for (const auto& input : node.input()) ++uses[input];
  }
  for (const auto& output : graph.output()) ++uses[output.name()];
  context.set_use_counts(std::move(uses));
  for (auto& initializer : *model.mutable_graph()->mutable_initializer()) {
    context.bind(initializer.name(), ir.add_tensor(onnx_import::tensor_from_proto(initializer, model_dir)));
    std::string().swap(*initializer.mutable_raw_data());  // clear() would keep the capacity
    google::protobuf::RepeatedField<float>().Swap(initializer.mutable_float_data());
  }
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
    TensorId id = context.value(output.name());
    if (ir.tensor(id).is_constant()) {
      throw fail("{}: output '{}' is a constant; octet converts models whose outputs depend on their inputs",
                 path.string(), output.name());
    }
    const auto listed = [&](const std::vector<TensorId>& ids) {
      return std::find(ids.begin(), ids.end(), id) != ids.end();
    };
    if (listed(ir.inputs()) || listed(ir.outputs())) {
      // Identity/Dropout made this output an alias of a graph input or of
      // another output: a RESHAPE to the same shape gives it a tensor (and a
      // name) of its own. merge_reshapes keeps reshapes that produce outputs.
      id = context.reshape(id, ir.tensor(id).shape, output.name());
    }
    ir.tensor(id).name = output.name();
    ir.outputs().push_back(id);
  }
  ir.remove_unused();
  verify_graph(ir);
  return result;
}

}  // namespace octet
