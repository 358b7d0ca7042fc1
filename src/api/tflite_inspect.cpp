#include "api/tflite_inspect.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "api/model_support.h"
#include "core/error.h"
#include "tflite/schema/tflite_generated.h"

namespace octet {

namespace {

using Json = nlohmann::ordered_json;

template <typename T>
std::size_t size_of(const flatbuffers::Vector<T>* v) {
  return v == nullptr ? 0 : v->size();
}

std::string str(const flatbuffers::String* s) { return s == nullptr ? std::string() : s->str(); }

std::string identifier_text(std::span<const std::uint8_t> bytes) {
  std::string text;
  for (std::size_t i = 4; i < 8 && i < bytes.size(); ++i) {
    if (bytes[i] >= 0x20 && bytes[i] < 0x7f) {
      text += static_cast<char>(bytes[i]);
    } else {
      text += fmt::format("\\x{:02x}", bytes[i]);
    }
  }
  return text;
}

// numpy-style names of TFLite's tensor types.
std::string type_name(tflite::TensorType type) {
  switch (type) {
    case tflite::TensorType::FLOAT32: return "float32";
    case tflite::TensorType::FLOAT16: return "float16";
    case tflite::TensorType::INT32: return "int32";
    case tflite::TensorType::UINT8: return "uint8";
    case tflite::TensorType::INT64: return "int64";
    case tflite::TensorType::STRING: return "string";
    case tflite::TensorType::BOOL: return "bool";
    case tflite::TensorType::INT16: return "int16";
    case tflite::TensorType::COMPLEX64: return "complex64";
    case tflite::TensorType::INT8: return "int8";
    case tflite::TensorType::FLOAT64: return "float64";
    case tflite::TensorType::COMPLEX128: return "complex128";
    case tflite::TensorType::UINT64: return "uint64";
    case tflite::TensorType::RESOURCE: return "resource";
    case tflite::TensorType::VARIANT: return "variant";
    case tflite::TensorType::UINT32: return "uint32";
    case tflite::TensorType::UINT16: return "uint16";
    case tflite::TensorType::INT4: return "int4";
    case tflite::TensorType::BFLOAT16: return "bfloat16";
  }
  return fmt::format("type_{}", static_cast<int>(type));
}

bool is_float_type(tflite::TensorType type) {
  return type == tflite::TensorType::FLOAT32 || type == tflite::TensorType::FLOAT16 ||
         type == tflite::TensorType::FLOAT64 || type == tflite::TensorType::BFLOAT16;
}

// TFLite's GetBuiltinCode: the larger of the int8 and the int32 fields.
std::string op_code_name(const tflite::OperatorCode* code) {
  const std::int32_t builtin = std::max(static_cast<std::int32_t>(code->deprecated_builtin_code()),
                                        static_cast<std::int32_t>(code->builtin_code()));
  if (builtin == static_cast<std::int32_t>(tflite::BuiltinOperator::CUSTOM)) {
    return "CUSTOM:" + str(code->custom_code());
  }
  const char* name = tflite::EnumNameBuiltinOperator(static_cast<tflite::BuiltinOperator>(builtin));
  if (name == nullptr || *name == '\0') return fmt::format("BUILTIN_{}", builtin);
  return name;
}

Json shape_json(const flatbuffers::Vector<std::int32_t>* shape) {
  Json list = Json::array();
  if (shape != nullptr) {
    for (const std::int32_t d : *shape) list.push_back(d);
  }
  return list;
}

class Inspector {
 public:
  Inspector(const tflite::Model& model, std::string source, std::size_t bytes)
      : model_(model), source_(std::move(source)), bytes_(bytes) {}

  Json run();

 private:
  template <typename... Args>
  Error error(fmt::format_string<Args...> format, Args&&... args) const {
    return Error(fmt::format("{}: {}", source_, fmt::format(format, std::forward<Args>(args)...)));
  }
  const tflite::Tensor& tensor(std::int64_t index, const std::string& user) const;
  Json io_json(std::int64_t tensor_index, std::size_t position, bool is_input) const;
  void read_metadata(Json& out);

  const tflite::Model& model_;
  std::string source_;
  std::size_t bytes_;
  const tflite::SubGraph* subgraph_ = nullptr;
  std::optional<Json> conversion_;
};

const tflite::Tensor& Inspector::tensor(std::int64_t index, const std::string& user) const {
  const std::size_t count = size_of(subgraph_->tensors());
  if (index < 0 || static_cast<std::size_t>(index) >= count) {
    throw error("{} refers to tensor {}, but subgraph 0 has {} tensors", user, index, count);
  }
  return *subgraph_->tensors()->Get(static_cast<flatbuffers::uoffset_t>(index));
}

Json Inspector::io_json(std::int64_t tensor_index, std::size_t position, bool is_input) const {
  const std::string user = fmt::format("{} {}", is_input ? "input" : "output", position);
  const tflite::Tensor& t = tensor(tensor_index, user);
  Json j;
  j["index"] = position;
  j["location"] = tensor_index;
  j["name"] = str(t.name());
  j["shape"] = shape_json(t.shape());
  if (const auto* signature = t.shape_signature()) {
    if (std::any_of(signature->begin(), signature->end(), [](std::int32_t d) { return d < 0; })) {
      j["shape_signature"] = shape_json(signature);
    }
  }
  j["dtype"] = type_name(t.type());
  // TFLite's Python `quantization` (scale, zero_point): the per-tensor
  // parameters, (0.0, 0) when none or per-channel.
  Json params = nullptr;
  double scale = 0.0;
  std::int64_t zero_point = 0;
  if (const auto* q = t.quantization(); q != nullptr && size_of(q->scale()) > 0) {
    const std::size_t scales = size_of(q->scale());
    const std::size_t zero_points = size_of(q->zero_point());
    if (zero_points != 0 && zero_points != scales) {
      throw error("{} '{}' has {} scales but {} zero points", user, str(t.name()), scales, zero_points);
    }
    Json s = Json::array();
    Json z = Json::array();
    for (flatbuffers::uoffset_t i = 0; i < scales; ++i) {
      s.push_back(q->scale()->Get(i));
      z.push_back(zero_points == 0 ? 0 : q->zero_point()->Get(i));
    }
    if (scales == 1) {
      scale = static_cast<double>(q->scale()->Get(0));
      zero_point = z[0].get<std::int64_t>();
    }
    params = {{"scales", s}, {"zero_points", z}, {"quantized_dimension", q->quantized_dimension()}};
  }
  j["quantization"] = {scale, zero_point};
  j["quantization_parameters"] = params;
  std::vector<std::int64_t> shape;
  if (t.shape() != nullptr) shape.assign(t.shape()->begin(), t.shape()->end());
  const LayoutGuess layout =
      guess_layout(shape, str(t.name()), is_input, conversion_ ? &*conversion_ : nullptr);
  j["format"] = layout.layout;
  j["format_source"] = layout.source;
  return j;
}

void Inspector::read_metadata(Json& out) {
  Json list = Json::array();
  const std::size_t buffers = size_of(model_.buffers());
  if (const auto* metadata = model_.metadata()) {
    for (const tflite::Metadata* m : *metadata) {
      const std::string name = str(m->name());
      if (m->buffer() >= buffers) {
        throw error("metadata '{}' refers to buffer {}, but the model has {} buffers", name, m->buffer(), buffers);
      }
      const tflite::Buffer* buffer = model_.buffers()->Get(m->buffer());
      const auto* data = buffer->data();
      const std::size_t size = size_of(data);
      Json entry = {{"name", name}, {"bytes", size}};
      std::string text;
      if (data != nullptr) text.assign(reinterpret_cast<const char*>(data->data()), size);
      const bool printable = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t' || c == '\0';
      });
      if (name == kConversionMetadataName) {
        conversion_ = parse_conversion_metadata(text);
        if (!conversion_) throw error("metadata '{}' is not a JSON object", name);
      } else if (printable && size <= 256) {
        while (!text.empty() && text.back() == '\0') text.pop_back();
        entry["text"] = text;
      }
      list.push_back(std::move(entry));
    }
  }
  out["metadata"] = std::move(list);
}

Json Inspector::run() {
  const std::size_t subgraphs = size_of(model_.subgraphs());
  if (subgraphs == 0) throw error("has no subgraph");
  subgraph_ = model_.subgraphs()->Get(0);

  Json out;
  out["file"] = source_;
  out["bytes"] = bytes_;
  out["description"] = str(model_.description());
  out["schema_version"] = model_.version();
  out["subgraphs"] = subgraphs;
  out["tensors"] = size_of(subgraph_->tensors());
  std::size_t tensors_total = 0;
  std::size_t float_tensors = 0;
  const std::size_t buffers = size_of(model_.buffers());
  for (const tflite::SubGraph* g : *model_.subgraphs()) {
    tensors_total += size_of(g->tensors());
    if (g->tensors() == nullptr) continue;
    for (const tflite::Tensor* t : *g->tensors()) {
      if (is_float_type(t->type())) ++float_tensors;
      if (t->buffer() >= buffers) {
        throw error("tensor '{}' refers to buffer {}, but the model has {} buffers", str(t->name()), t->buffer(),
                    buffers);
      }
    }
  }
  out["tensors_all_subgraphs"] = tensors_total;
  out["buffers"] = buffers;
  out["operators"] = size_of(subgraph_->operators());

  // Op counts with versions, over every subgraph.
  const std::size_t codes = size_of(model_.operator_codes());
  std::map<std::pair<std::string, int>, std::size_t> counts;
  std::size_t operators_total = 0;
  for (std::size_t g = 0; g < subgraphs; ++g) {
    const tflite::SubGraph* sub = model_.subgraphs()->Get(static_cast<flatbuffers::uoffset_t>(g));
    if (sub->operators() == nullptr) continue;
    std::size_t index = 0;
    for (const tflite::Operator* op : *sub->operators()) {
      if (op->opcode_index() >= codes) {
        throw error("operator {} of subgraph {} refers to operator code {}, but the model has {}", index, g,
                    op->opcode_index(), codes);
      }
      const tflite::OperatorCode* code = model_.operator_codes()->Get(op->opcode_index());
      ++counts[{op_code_name(code), code->version()}];
      ++operators_total;
      ++index;
    }
  }
  out["operators_all_subgraphs"] = operators_total;
  Json ops = Json::array();
  for (const auto& [key, count] : counts) ops.push_back({{"op", key.first}, {"version", key.second}, {"count", count}});
  out["ops"] = std::move(ops);

  Json metadata;
  read_metadata(metadata);  // before the I/O: the layout may come from octet's metadata

  Json inputs = Json::array();
  Json outputs = Json::array();
  std::size_t position = 0;
  bool integer_io = true;
  if (const auto* list = subgraph_->inputs()) {
    for (const std::int32_t id : *list) inputs.push_back(io_json(id, position++, true));
  }
  position = 0;
  if (const auto* list = subgraph_->outputs()) {
    for (const std::int32_t id : *list) outputs.push_back(io_json(id, position++, false));
  }
  for (const Json* list : {&inputs, &outputs}) {
    for (const Json& io : *list) {
      const std::string dtype = io["dtype"].get<std::string>();
      if (dtype != "int8" && dtype != "uint8" && dtype != "int16") integer_io = false;
    }
  }
  out["full_integer"] = float_tensors == 0;
  out["float_tensors"] = float_tensors;
  out["integer_io"] = integer_io;
  out["inputs"] = std::move(inputs);
  out["outputs"] = std::move(outputs);

  Json signatures = Json::array();
  if (const auto* defs = model_.signature_defs()) {
    for (const tflite::SignatureDef* def : *defs) {
      Json s;
      s["key"] = str(def->signature_key());
      s["subgraph"] = def->subgraph_index();
      for (const char* side : {"inputs", "outputs"}) {
        const auto* maps = std::strcmp(side, "inputs") == 0 ? def->inputs() : def->outputs();
        Json m = Json::object();
        if (maps != nullptr) {
          for (const tflite::TensorMap* map : *maps) m[str(map->name())] = map->tensor_index();
        }
        s[side] = std::move(m);
      }
      signatures.push_back(std::move(s));
    }
  }
  out["signatures"] = std::move(signatures);
  out["metadata"] = std::move(metadata["metadata"]);
  out["octet"] = conversion_ ? *conversion_ : Json(nullptr);
  return out;
}

}  // namespace

Json inspect_tflite(std::span<const std::uint8_t> bytes, const std::string& source) {
  if (bytes.empty()) throw fail("{}: empty file, not a TFLite model", source);
  if (bytes.size() < 8) throw fail("{}: {} bytes, too short to be a TFLite model", source, bytes.size());
  if (bytes.size() >= FLATBUFFERS_MAX_BUFFER_SIZE) {
    throw fail("{}: {} bytes; TFLite models of 2 GiB or more are not supported", source, bytes.size());
  }
  if (!tflite::ModelBufferHasIdentifier(bytes.data())) {
    throw fail("{}: not a TFLite model (file identifier '{}', expected 'TFL3')", source, identifier_text(bytes));
  }
  std::vector<std::uint8_t> aligned;
  const std::uint8_t* data = bytes.data();
  if (reinterpret_cast<std::uintptr_t>(data) % alignof(std::max_align_t) != 0) {
    aligned.assign(bytes.begin(), bytes.end());
    data = aligned.data();
  }
  flatbuffers::Verifier::Options options;
  options.max_tables =
      std::max<flatbuffers::uoffset_t>(options.max_tables, static_cast<flatbuffers::uoffset_t>(bytes.size() / 16));
  flatbuffers::Verifier verifier(data, bytes.size(), options);
  if (!tflite::VerifyModelBuffer(verifier)) {
    throw fail("{}: not a valid TFLite model (flatbuffer verification failed: truncated or damaged)", source);
  }
  Inspector inspector(*tflite::GetModel(data), source, bytes.size());
  return inspector.run();
}

}  // namespace octet
