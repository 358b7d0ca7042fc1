#include "tflite/tflite_reader.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <limits>

#include "core/error.h"
#include "tflite/op_codec.h"

namespace octet {

namespace {

constexpr std::uint64_t kMaxFlatbufferBytes = FLATBUFFERS_MAX_BUFFER_SIZE;
constexpr std::uint32_t kSchemaVersion = 3;
// A tensor larger than this is taken as a damaged file rather than allocated
// later (no model octet converts has a terabyte tensor).
constexpr std::uint64_t kMaxTensorBytes = std::uint64_t{1} << 40;

template <typename T>
std::size_t size_of(const flatbuffers::Vector<T>* v) {
  return v == nullptr ? 0 : v->size();
}

std::string str(const flatbuffers::String* s) { return s == nullptr ? std::string() : s->str(); }

// The 4 identifier bytes, printable.
std::string identifier_text(std::span<const std::uint8_t> bytes) {
  std::string text;
  for (std::size_t i = 4; i < 8 && i < bytes.size(); ++i) {
    const auto c = static_cast<char>(bytes[i]);
    if (bytes[i] >= 0x20 && bytes[i] < 0x7f) {
      text += c;
    } else {
      text += fmt::format("\\x{:02x}", bytes[i]);
    }
  }
  return text;
}

class Reader {
 public:
  Reader(const tflite::Model& model, std::string source) : model_(model), source_(std::move(source)) {}

  TfliteModel read();

 private:
  template <typename... Args>
  Error error(fmt::format_string<Args...> format, Args&&... args) const {
    return Error(fmt::format("{}: {}", source_, fmt::format(format, std::forward<Args>(args)...)));
  }

  // The buffer at `index`, checked; nullptr for an empty buffer.
  const flatbuffers::Vector<std::uint8_t>* buffer_data(std::uint32_t index, const std::string& user) const;
  void read_tensors();
  void read_operators();
  void read_io();
  void read_metadata();
  void read_signatures();
  TensorId tensor_index(std::int64_t index, const std::string& user) const;

  const tflite::Model& model_;
  std::string source_;
  const tflite::SubGraph* subgraph_ = nullptr;
  TfliteModel result_;
};

TfliteModel Reader::read() {
  if (model_.version() != kSchemaVersion) {
    throw error("schema version {} is not supported (TFLite models are version {})", model_.version(), kSchemaVersion);
  }
  const std::size_t subgraphs = size_of(model_.subgraphs());
  if (subgraphs != 1) {
    throw error("has {} subgraphs; octet reads models with exactly one (no control flow)", subgraphs);
  }
  subgraph_ = model_.subgraphs()->Get(0);
  result_.description = str(model_.description());
  read_tensors();
  read_operators();
  read_io();
  read_metadata();
  read_signatures();

  // A zero-element tensor that nothing produces is a constant with no bytes
  // (writers give it an empty buffer, which TFLite treats as "no data").
  Graph& graph = result_.graph;
  std::vector<char> produced(graph.tensor_count(), 0);
  for (const Op& op : graph.ops()) {
    for (const TensorId id : op.outputs) produced[static_cast<std::size_t>(id)] = 1;
  }
  for (const TensorId id : graph.inputs()) produced[static_cast<std::size_t>(id)] = 1;
  for (std::size_t i = 0; i < graph.tensor_count(); ++i) {
    Tensor& t = graph.tensor(static_cast<TensorId>(i));
    if (!produced[i] && !t.is_constant() && element_count(t.shape) == 0) t.data = std::make_shared<Bytes>();
  }

  try {
    verify_graph(graph);
  } catch (const Error& e) {
    throw error("{}", e.what());
  }
  return std::move(result_);
}

const flatbuffers::Vector<std::uint8_t>* Reader::buffer_data(std::uint32_t index, const std::string& user) const {
  const std::size_t count = size_of(model_.buffers());
  if (index >= count) throw error("{} refers to buffer {}, but the model has {} buffers", user, index, count);
  const tflite::Buffer* buffer = model_.buffers()->Get(index);
  if (buffer->offset() > 1) {
    throw error(
        "{} keeps its data outside the flatbuffer (buffer {}: offset {}, size {}); such >2 GiB models are "
        "not supported",
        user, index, buffer->offset(), buffer->size());
  }
  const auto* data = buffer->data();
  return data == nullptr || data->size() == 0 ? nullptr : data;
}

TensorId Reader::tensor_index(std::int64_t index, const std::string& user) const {
  const std::size_t count = result_.graph.tensor_count();
  if (index < 0 || static_cast<std::uint64_t>(index) >= count) {
    throw error("{} refers to tensor {}, but the subgraph has {} tensors", user, index, count);
  }
  return static_cast<TensorId>(index);
}

void Reader::read_tensors() {
  const auto* tensors = subgraph_->tensors();
  const std::size_t count = size_of(tensors);
  for (std::size_t i = 0; i < count; ++i) {
    const tflite::Tensor* fb = tensors->Get(static_cast<flatbuffers::uoffset_t>(i));
    Tensor t;
    t.name = fb->name() != nullptr ? fb->name()->str() : fmt::format("tensor_{}", i);
    const std::string label = fmt::format("tensor '{}' (#{})", t.name, i);

    const std::optional<DType> dtype = tfl::dtype_from_tensor_type(fb->type());
    if (!dtype) throw error("{} has type {}, which octet does not support", label, tfl::tensor_type_name(fb->type()));
    t.dtype = *dtype;

    std::uint64_t elements = 1;
    bool overflow = false;
    if (const auto* shape = fb->shape()) {
      for (const std::int32_t dim : *shape) {
        if (dim < 0) throw error("{} has a negative dimension in its shape [{}]", label, fmt::join(*shape, ","));
        t.shape.push_back(dim);
        if (dim != 0 && elements > kMaxTensorBytes / static_cast<std::uint64_t>(dim)) overflow = true;
        elements *= static_cast<std::uint64_t>(dim);
      }
    }
    if (overflow || elements > kMaxTensorBytes / dtype_size(t.dtype)) {
      throw error("{} has an implausible shape {} (over 1 TiB)", label, fmt::format("[{}]", fmt::join(t.shape, ",")));
    }
    if (const auto* signature = fb->shape_signature()) {
      if (std::any_of(signature->begin(), signature->end(), [](std::int32_t d) { return d < 0; })) {
        throw error(
            "{} has a dynamic shape (shape_signature [{}]); octet needs static shapes: re-export the model "
            "with fixed input sizes",
            label, fmt::join(*signature, ","));
      }
    }
    if (fb->sparsity() != nullptr) throw error("{} is sparse; octet reads dense tensors only", label);
    if (fb->is_variable()) throw error("{} is a variable tensor (state); octet does not support those", label);

    if (const tflite::QuantizationParameters* q = fb->quantization()) {
      if (q->details_type() != tflite::QuantizationDetails::NONE) {
        throw error("{} uses custom or block-wise quantization ({}), which octet does not support", label,
                    tflite::EnumNameQuantizationDetails(q->details_type()));
      }
      const std::size_t scales = size_of(q->scale());
      const std::size_t zero_points = size_of(q->zero_point());
      // As TFLite: quantized only when both scales and zero points are given.
      if (scales > 0 && q->zero_point() != nullptr) {
        if (zero_points != scales) {
          throw error("{} has {} quantization scales but {} zero points", label, scales, zero_points);
        }
        QuantParams quant;
        quant.scale.assign(q->scale()->begin(), q->scale()->end());
        quant.zero_point.assign(q->zero_point()->begin(), q->zero_point()->end());
        quant.axis = q->quantized_dimension();
        if (scales > 1) {
          const auto axis = static_cast<std::size_t>(quant.axis);
          if (quant.axis < 0 || axis >= t.shape.size() || static_cast<std::uint64_t>(t.shape[axis]) != scales) {
            throw error("{} has {} per-channel scales along dimension {}, which does not match its shape [{}]", label,
                        scales, quant.axis, fmt::join(t.shape, ","));
          }
        }
        t.quant = std::move(quant);
      }
    }

    if (fb->buffer() != 0) {
      if (const auto* data = buffer_data(fb->buffer(), label)) {
        const std::uint64_t expected = elements * dtype_size(t.dtype);
        if (data->size() != expected) {
          throw error("{} holds {} bytes of data, its {} shape [{}] needs {}", label, data->size(), dtype_name(t.dtype),
                      fmt::join(t.shape, ","), expected);
        }
        auto bytes = std::make_shared<Bytes>(data->size());
        std::memcpy(bytes->data(), data->data(), data->size());
        t.data = std::move(bytes);
      }
    }
    result_.graph.add_tensor(std::move(t));
  }
}

void Reader::read_operators() {
  const auto* codes = model_.operator_codes();
  const auto* operators = subgraph_->operators();
  const std::size_t count = size_of(operators);
  Graph& graph = result_.graph;

  // First pass: every operator's IR type; all unsupported ones in one error.
  std::vector<OpType> types;
  std::vector<int> versions;
  std::vector<std::string> unsupported;
  for (std::size_t j = 0; j < count; ++j) {
    const tflite::Operator* op = operators->Get(static_cast<flatbuffers::uoffset_t>(j));
    if (op->opcode_index() >= size_of(codes)) {
      throw error("operator #{} uses operator code {}, but the model has {}", j, op->opcode_index(), size_of(codes));
    }
    const tflite::OperatorCode* code = codes->Get(op->opcode_index());
    const auto builtin = static_cast<tflite::BuiltinOperator>(
        std::max<std::int32_t>(static_cast<std::int32_t>(code->builtin_code()), code->deprecated_builtin_code()));
    if (builtin == tflite::BuiltinOperator::CUSTOM) {
      unsupported.push_back(fmt::format("#{} CUSTOM '{}'", j, str(code->custom_code())));
      continue;
    }
    const std::optional<OpType> type = tfl::op_type_from_builtin(builtin);
    if (!type) {
      unsupported.push_back(fmt::format("#{} {}", j, tfl::builtin_name(builtin)));
      continue;
    }
    types.push_back(*type);
    versions.push_back(code->version());
  }
  if (!unsupported.empty()) {
    throw error("{} unsupported operator{} (octet has no IR operator for {}): {}", unsupported.size(),
                unsupported.size() == 1 ? "" : "s", unsupported.size() == 1 ? "it" : "them",
                fmt::join(unsupported, ", "));
  }

  for (std::size_t j = 0; j < count; ++j) {
    const tflite::Operator* fb = operators->Get(static_cast<flatbuffers::uoffset_t>(j));
    const OpType type = types[j];
    const std::string label = fmt::format("operator #{} ({})", j, op_name(type));
    Op op{type, {}, {}, {}, NoOptions{}};
    if (const auto* inputs = fb->inputs()) {
      for (const std::int32_t id : *inputs) {
        op.inputs.push_back(id == -1 ? kNoTensor : tensor_index(id, label));
      }
    }
    if (const auto* outputs = fb->outputs()) {
      for (const std::int32_t id : *outputs) op.outputs.push_back(tensor_index(id, label));
    }
    if (op.outputs.empty()) throw error("{} has no outputs", label);
    op.name = graph.tensor(op.outputs[0]).name;

    // TOCO-era RESHAPE: the target shape only in ReshapeOptions.new_shape.
    if (type == OpType::kReshape && (op.inputs.size() == 1 || (op.inputs.size() == 2 && op.inputs[1] == kNoTensor))) {
      const auto* options = fb->builtin_options_as_ReshapeOptions();
      if (options == nullptr || options->new_shape() == nullptr) {
        throw error("{} has no shape input and no ReshapeOptions.new_shape", label);
      }
      const std::vector<std::int32_t> shape(options->new_shape()->begin(), options->new_shape()->end());
      const TensorId id = graph.add_constant<std::int32_t>(op.name + "/new_shape", DType::kInt32,
                                                           Shape{static_cast<std::int64_t>(shape.size())}, shape);
      op.inputs.resize(1);
      op.inputs.push_back(id);
    }

    const OpInfo& info = op_info(type);
    const auto inputs = static_cast<int>(op.inputs.size());
    if (inputs < info.min_inputs || inputs > info.max_inputs) {
      throw error("{} has {} inputs, expected {}", label, inputs,
                  info.min_inputs == info.max_inputs ? fmt::format("{}", info.min_inputs)
                                                     : fmt::format("{}..{}", info.min_inputs, info.max_inputs));
    }
    try {
      op.options = tfl::read_builtin_options(*fb, graph, op);
    } catch (const Error& e) {
      throw error("{}: {}", label, e.what());
    }
    graph.ops().push_back(std::move(op));
    result_.op_versions.push_back(versions[j]);
  }
}

void Reader::read_io() {
  Graph& graph = result_.graph;
  if (const auto* inputs = subgraph_->inputs()) {
    for (const std::int32_t id : *inputs) graph.inputs().push_back(tensor_index(id, "the subgraph's inputs"));
  }
  if (const auto* outputs = subgraph_->outputs()) {
    for (const std::int32_t id : *outputs) graph.outputs().push_back(tensor_index(id, "the subgraph's outputs"));
  }
}

void Reader::read_metadata() {
  const auto* metadata = model_.metadata();
  for (std::size_t i = 0; i < size_of(metadata); ++i) {
    const tflite::Metadata* entry = metadata->Get(static_cast<flatbuffers::uoffset_t>(i));
    std::string name = str(entry->name());
    const auto* data = buffer_data(entry->buffer(), fmt::format("metadata '{}'", name));
    std::vector<std::uint8_t> bytes;
    if (data != nullptr) bytes.assign(data->begin(), data->end());
    result_.metadata.emplace_back(std::move(name), std::move(bytes));
  }
}

void Reader::read_signatures() {
  const auto* signatures = model_.signature_defs();
  for (std::size_t i = 0; i < size_of(signatures); ++i) {
    const tflite::SignatureDef* def = signatures->Get(static_cast<flatbuffers::uoffset_t>(i));
    TfliteSignature signature;
    signature.key = str(def->signature_key());
    const std::string label = fmt::format("signature '{}'", signature.key);
    if (def->subgraph_index() != 0) {
      throw error("{} refers to subgraph {}, but the model has one", label, def->subgraph_index());
    }
    const auto read_maps = [&](const flatbuffers::Vector<flatbuffers::Offset<tflite::TensorMap>>* maps,
                               std::vector<std::pair<std::string, TensorId>>& out) {
      for (std::size_t k = 0; k < size_of(maps); ++k) {
        const tflite::TensorMap* map = maps->Get(static_cast<flatbuffers::uoffset_t>(k));
        out.emplace_back(str(map->name()), tensor_index(map->tensor_index(), label));
      }
    };
    read_maps(def->inputs(), signature.inputs);
    read_maps(def->outputs(), signature.outputs);
    result_.signatures.push_back(std::move(signature));
  }
}

}  // namespace

TfliteModel read_tflite_model(std::span<const std::uint8_t> bytes, const std::string& source_name) {
  if (bytes.empty()) throw fail("{}: empty file, not a TFLite model", source_name);
  if (bytes.size() >= kMaxFlatbufferBytes) {
    throw fail("{}: {} bytes; TFLite models of 2 GiB or more (external buffers) are not supported", source_name,
               bytes.size());
  }
  if (bytes.size() >= 8 && !tflite::ModelBufferHasIdentifier(bytes.data())) {
    throw fail("{}: not a TFLite model (file identifier '{}', expected 'TFL3')", source_name, identifier_text(bytes));
  }
  // The accessors read scalars in place: give them an aligned copy if needed.
  std::vector<std::uint8_t> aligned;
  const std::uint8_t* data = bytes.data();
  if (reinterpret_cast<std::uintptr_t>(data) % alignof(std::max_align_t) != 0) {
    aligned.assign(bytes.begin(), bytes.end());
    data = aligned.data();
  }
  flatbuffers::Verifier::Options verifier_options;
  verifier_options.max_tables = std::max<flatbuffers::uoffset_t>(
      verifier_options.max_tables, static_cast<flatbuffers::uoffset_t>(bytes.size() / 16));
  flatbuffers::Verifier verifier(data, bytes.size(), verifier_options);
  if (!tflite::VerifyModelBuffer(verifier)) {
    throw fail("{}: not a valid TFLite model (flatbuffer verification failed)", source_name);
  }
  Reader reader(*tflite::GetModel(data), source_name);
  return reader.read();
}

TfliteModel read_tflite_model(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) throw fail("{}: cannot read: {}", name, ec.message());
  if (size >= kMaxFlatbufferBytes) {
    throw fail("{}: {} bytes; TFLite models of 2 GiB or more (external buffers) are not supported", name, size);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw fail("{}: cannot open for reading", name);
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (static_cast<std::uintmax_t>(in.gcount()) != size) throw fail("{}: read failed", name);
  return read_tflite_model(bytes, name);
}

Graph read_tflite(std::span<const std::uint8_t> bytes, const std::string& source_name) {
  return std::move(read_tflite_model(bytes, source_name).graph);
}

Graph read_tflite(const std::filesystem::path& path) { return std::move(read_tflite_model(path).graph); }

}  // namespace octet
