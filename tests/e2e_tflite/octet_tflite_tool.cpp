// octet_tflite_tool: test driver for tests/e2e_tflite (not installed).
//
//   octet_tflite_tool list
//       the sample graph names (tests/unit/tflite/tflite_sample_graphs.h)
//   octet_tflite_tool ops
//       the IR op table's operator names (= their TFLite builtin names)
//   octet_tflite_tool write OUT_DIR [NAME ...]
//   octet_tflite_tool write-probes OUT_DIR
//       writes each sample (all by default; or the version probes) as
//       OUT_DIR/NAME.tflite with
//       octet's TFLite writer, and prints JSON: per model its inputs/outputs
//       (name, dtype, shape, quantization) and operators (type, version)
//   octet_tflite_tool run MODEL.tflite --out DIR [INPUT.npy ...]
//       reads MODEL with octet's TFLite reader, runs it in octet's reference
//       interpreter on the inputs (in model input order) and writes output i
//       as DIR/output_<i>.npy; prints JSON describing the outputs
//   octet_tflite_tool inspect MODEL.tflite
//       JSON of what octet's reader sees: I/O, operators with versions,
//       metadata names, signatures
//
// Errors: one line "octet_tflite_tool: error: ..." on stderr, exit status 1.

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../unit/tflite/tflite_sample_graphs.h"
#include "core/error.h"
#include "runtime/interpreter.h"
#include "tflite/tflite_reader.h"
#include "tflite/tflite_writer.h"

namespace octet {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

// ---- .npy (format 1.0 / 2.0, little-endian, C order)

const std::map<std::string, DType>& npy_types() {
  static const std::map<std::string, DType> types{
      {"<f4", DType::kFloat32}, {"<f2", DType::kFloat16}, {"|i1", DType::kInt8},  {"|u1", DType::kUint8},
      {"<i2", DType::kInt16},   {"<i4", DType::kInt32},   {"<i8", DType::kInt64}, {"|b1", DType::kBool},
  };
  return types;
}

std::string npy_descr(DType dtype) {
  for (const auto& [descr, type] : npy_types()) {
    if (type == dtype) return descr;
  }
  throw fail("no .npy type for {}", dtype_name(dtype));
}

struct NpyData {
  DType dtype = DType::kFloat32;
  Shape shape;
  Bytes bytes;
};

NpyData read_npy(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw fail("{}: cannot open", path.string());
  const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (content.size() < 10 || content.compare(0, 6, "\x93NUMPY") != 0) throw fail("{}: not a .npy file", path.string());
  const auto major = static_cast<unsigned char>(content[6]);
  std::size_t header_len = 0;
  std::size_t offset = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(content[8]) |
                 (static_cast<std::size_t>(static_cast<unsigned char>(content[9])) << 8);
    offset = 10;
  } else {
    if (content.size() < 12) throw fail("{}: truncated header", path.string());
    for (int i = 0; i < 4; ++i) {
      header_len |= static_cast<std::size_t>(static_cast<unsigned char>(content[static_cast<std::size_t>(8 + i)]))
                    << (8 * i);
    }
    offset = 12;
  }
  if (offset + header_len > content.size()) throw fail("{}: truncated header", path.string());
  const std::string header = content.substr(offset, header_len);
  const auto value_of = [&](const std::string& key) {
    const std::size_t k = header.find("'" + key + "'");
    if (k == std::string::npos) throw fail("{}: header has no '{}'", path.string(), key);
    return header.substr(header.find(':', k) + 1);
  };
  NpyData data;
  const std::string descr_field = value_of("descr");
  const std::size_t q1 = descr_field.find('\'');
  const std::string descr = descr_field.substr(q1 + 1, descr_field.find('\'', q1 + 1) - q1 - 1);
  const auto type = npy_types().find(descr);
  if (type == npy_types().end()) throw fail("{}: unsupported dtype '{}'", path.string(), descr);
  data.dtype = type->second;
  if (value_of("fortran_order").find("False") != 0 && value_of("fortran_order").find(" False") != 0) {
    throw fail("{}: Fortran order is not supported", path.string());
  }
  const std::string shape_field = value_of("shape");
  const std::string dims =
      shape_field.substr(shape_field.find('(') + 1, shape_field.find(')') - shape_field.find('(') - 1);
  std::size_t pos = 0;
  while (pos < dims.size()) {
    const std::size_t comma = dims.find(',', pos);
    const std::string item = dims.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (item.find_first_of("0123456789") != std::string::npos) data.shape.push_back(std::stoll(item));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  const std::size_t body = offset + header_len;
  const auto expected = static_cast<std::size_t>(element_count(data.shape)) * dtype_size(data.dtype);
  if (content.size() - body != expected) {
    throw fail("{}: holds {} data bytes, shape {} needs {}", path.string(), content.size() - body,
               shape_string(data.shape), expected);
  }
  data.bytes.resize(expected);
  std::memcpy(data.bytes.data(), content.data() + body, expected);
  return data;
}

void write_npy(const fs::path& path, DType dtype, const Shape& shape, const std::byte* bytes, std::size_t size) {
  // numpy's spelling: "()", "(4,)", "(2, 3)".
  std::string dims;
  for (std::size_t i = 0; i < shape.size(); ++i) dims += (i == 0 ? "" : ", ") + std::to_string(shape[i]);
  if (shape.size() == 1) dims += ",";
  std::string header = "{'descr': '" + npy_descr(dtype) + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  const char len[2] = {static_cast<char>(header.size() & 0xff), static_cast<char>(header.size() >> 8)};
  out.write(len, 2);
  out << header;
  out.write(reinterpret_cast<const char*>(bytes), static_cast<std::streamsize>(size));
  if (!out) throw fail("{}: write failed", path.string());
}

// ---- JSON descriptions

Json tensor_json(const Graph& graph, TensorId id) {
  const Tensor& t = graph.tensor(id);
  Json j{{"id", id}, {"name", t.name}, {"dtype", dtype_name(t.dtype)}, {"shape", t.shape}};
  if (t.quant && !t.quant->scale.empty()) {
    j["quantization"] = {
        {"scale", t.quant->scale}, {"zero_point", t.quant->zero_point}, {"quantized_dimension", t.quant->axis}};
  } else {
    j["quantization"] = nullptr;
  }
  return j;
}

Json graph_json(const Graph& graph) {
  Json j;
  j["inputs"] = Json::array();
  for (const TensorId id : graph.inputs()) j["inputs"].push_back(tensor_json(graph, id));
  j["outputs"] = Json::array();
  for (const TensorId id : graph.outputs()) j["outputs"].push_back(tensor_json(graph, id));
  return j;
}

// ---- commands

int list() {
  for (const auto& sample : tflite_samples::samples()) std::cout << sample.name << "\n";
  return 0;
}

int ops() {
  for (const OpInfo& info : all_ops()) std::cout << info.name << "\n";
  return 0;
}

Json operators_json(const Graph& graph) {
  Json ops = Json::array();
  const std::vector<std::uint8_t> bytes = write_tflite(graph);
  const TfliteModel read = read_tflite_model(bytes, "memory");
  for (std::size_t i = 0; i < read.graph.ops().size(); ++i) {
    ops.push_back({{"type", op_name(read.graph.ops()[i].type)}, {"version", read.op_versions[i]}});
  }
  return ops;
}

int write(const std::vector<std::string>& args, const std::vector<tflite_samples::Sample>& samples) {
  if (args.empty()) throw usage_fail("write: give OUT_DIR [NAME ...]");
  const fs::path out_dir = args[0];
  fs::create_directories(out_dir);
  const std::vector<std::string> wanted(args.begin() + 1, args.end());
  Json result = Json::object();
  for (const auto& sample : samples) {
    if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), sample.name) == wanted.end()) continue;
    const Graph graph = sample.build();
    TfliteWriteOptions options;
    options.description = std::string("octet e2e sample ") + sample.name;
    const std::vector<std::uint8_t> bytes = write_tflite(graph, options);
    const fs::path path = out_dir / (std::string(sample.name) + ".tflite");
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    Json j = graph_json(graph);
    j["file"] = path.string();
    j["bytes"] = bytes.size();
    j["operators"] = operators_json(graph);
    result[sample.name] = j;
  }
  for (const std::string& name : wanted) {
    if (!result.contains(name)) throw usage_fail("write: no sample named '{}'", name);
  }
  std::cout << result.dump(1) << "\n";
  return 0;
}

int run(const std::vector<std::string>& args) {
  fs::path model;
  fs::path out_dir;
  std::vector<fs::path> inputs;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--out") {
      if (i + 1 >= args.size()) throw usage_fail("run: --out needs a directory");
      out_dir = args[++i];
    } else if (model.empty()) {
      model = args[i];
    } else {
      inputs.emplace_back(args[i]);
    }
  }
  if (model.empty() || out_dir.empty()) throw usage_fail("run: give MODEL.tflite --out DIR [INPUT.npy ...]");
  const Graph graph = read_tflite(model);
  Interpreter interpreter(graph);
  if (inputs.size() != interpreter.input_count()) {
    throw usage_fail("run: the model has {} inputs, {} files given", interpreter.input_count(), inputs.size());
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const NpyData data = read_npy(inputs[i]);
    const TensorView view = interpreter.input(i);
    if (data.dtype != view.dtype || data.shape != view.shape) {
      throw fail("{}: {} {}, input {} wants {} {}", inputs[i].string(), dtype_name(data.dtype),
                 shape_string(data.shape), i, dtype_name(view.dtype), shape_string(view.shape));
    }
    std::memcpy(view.data, data.bytes.data(), data.bytes.size());
  }
  interpreter.invoke();
  fs::create_directories(out_dir);
  Json outputs = Json::array();
  for (std::size_t i = 0; i < interpreter.output_count(); ++i) {
    const TensorView view = interpreter.output(i);
    const fs::path path = out_dir / ("output_" + std::to_string(i) + ".npy");
    write_npy(path, view.dtype, view.shape, view.data, view.count() * dtype_size(view.dtype));
    Json j = tensor_json(graph, graph.outputs()[i]);
    j["file"] = path.string();
    outputs.push_back(j);
  }
  std::cout << Json{{"outputs", outputs}}.dump(1) << "\n";
  return 0;
}

int inspect(const std::vector<std::string>& args) {
  if (args.size() != 1) throw usage_fail("inspect: give MODEL.tflite");
  const TfliteModel model = read_tflite_model(fs::path(args[0]));
  Json j = graph_json(model.graph);
  j["description"] = model.description;
  j["operators"] = Json::array();
  for (std::size_t i = 0; i < model.graph.ops().size(); ++i) {
    j["operators"].push_back({{"type", op_name(model.graph.ops()[i].type)}, {"version", model.op_versions[i]}});
  }
  j["metadata"] = Json::array();
  for (const auto& [name, bytes] : model.metadata) j["metadata"].push_back({{"name", name}, {"bytes", bytes.size()}});
  j["signatures"] = Json::array();
  for (const TfliteSignature& s : model.signatures) {
    Json sig{{"key", s.key}, {"inputs", Json::array()}, {"outputs", Json::array()}};
    for (const auto& [name, id] : s.inputs) sig["inputs"].push_back({{"name", name}, {"tensor", id}});
    for (const auto& [name, id] : s.outputs) sig["outputs"].push_back({{"name", name}, {"tensor", id}});
    j["signatures"].push_back(sig);
  }
  std::cout << j.dump(1) << "\n";
  return 0;
}

int main_impl(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty())
    throw usage_fail(
        "usage: octet_tflite_tool list | ops | write OUT_DIR [NAME...] | write-probes OUT_DIR | run MODEL --out DIR "
        "[NPY...] | inspect MODEL");
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "list") return list();
  if (args[0] == "ops") return ops();
  if (args[0] == "write") return write(rest, tflite_samples::samples());
  if (args[0] == "write-probes") return write(rest, tflite_samples::version_probes());
  if (args[0] == "run") return run(rest);
  if (args[0] == "inspect") return inspect(rest);
  throw usage_fail("unknown command '{}'", args[0]);
}

}  // namespace
}  // namespace octet

int main(int argc, char** argv) {
  try {
    return octet::main_impl(argc, argv);
  } catch (const octet::UsageError& e) {
    std::cerr << "octet_tflite_tool: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "octet_tflite_tool: error: " << e.what() << "\n";
    return 1;
  }
}
