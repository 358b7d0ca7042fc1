#include "tflite/tflite_writer.h"

#include <algorithm>
#include <limits>
#include <map>

#include "core/error.h"
#include "tflite/op_codec.h"

namespace octet {

namespace {

// FlatBuffers offsets are signed 32-bit: a buffer must stay below 2 GiB.
constexpr std::uint64_t kMaxFlatbufferBytes = FLATBUFFERS_MAX_BUFFER_SIZE;
constexpr std::size_t kDataAlignment = 16;  // Buffer.data is (force_align: 16)
constexpr std::uint32_t kSchemaVersion = 3;

std::uint64_t string_bound(std::size_t length) { return length + 1 + 4 + 3; }
std::uint64_t vector_bound(std::size_t count, std::size_t element) { return count * element + 4 + 8; }

std::vector<std::int32_t> int32_dims(const Tensor& t) {
  std::vector<std::int32_t> dims;
  dims.reserve(t.shape.size());
  for (const std::int64_t d : t.shape) {
    if (d < 0 || d > std::numeric_limits<std::int32_t>::max()) {
      throw fail("tflite writer: tensor '{}' has dimension {} (shape {}), outside TFLite's int32 range", t.name, d,
                 shape_string(t.shape));
    }
    dims.push_back(static_cast<std::int32_t>(d));
  }
  return dims;
}

flatbuffers::Offset<flatbuffers::Vector<std::uint8_t>> aligned_bytes(flatbuffers::FlatBufferBuilder& builder,
                                                                     const std::uint8_t* data, std::size_t size) {
  builder.ForceVectorAlignment(size, sizeof(std::uint8_t), kDataAlignment);
  return builder.CreateVector(data, size);
}

bool needs_bias(const Op& op) {
  return (op.type == OpType::kConv2D || op.type == OpType::kDepthwiseConv2D) &&
         (op.inputs.size() < 3 || op.inputs[2] == kNoTensor);
}

// Adds the zero bias of `op` (a CONV_2D or DEPTHWISE_CONV_2D without one).
void add_zero_bias(Graph& graph, Op& op) {
  const Tensor& input = graph.tensor(op.inputs.at(0));
  const Tensor& filter = graph.tensor(op.inputs.at(1));
  const std::size_t channel_dim = op.type == OpType::kConv2D ? 0 : 3;  // OHWI / 1HWO
  if (filter.shape.size() != 4) {
    throw fail("tflite writer: op '{}' ({}) has a filter of shape {}, expected 4 dimensions", op.name, op_name(op.type),
               shape_string(filter.shape));
  }
  const std::int64_t channels = filter.shape[channel_dim];
  Tensor bias;
  bias.name = op.name + "/zero_bias";
  bias.shape = {channels};
  bias.dtype = DType::kFloat32;
  if (input.dtype == DType::kInt8 || input.dtype == DType::kUint8 || input.dtype == DType::kInt16) {
    bias.dtype = input.dtype == DType::kInt16 ? DType::kInt64 : DType::kInt32;
    if (input.quant && !input.quant->scale.empty() && filter.quant && !filter.quant->scale.empty()) {
      QuantParams q;
      for (std::int64_t c = 0; c < (filter.quant->per_channel() ? channels : 1); ++c) {
        const float filter_scale = filter.quant->scale[filter.quant->per_channel() ? static_cast<std::size_t>(c) : 0];
        q.scale.push_back(input.quant->scale[0] * filter_scale);
        q.zero_point.push_back(0);
      }
      bias.quant = std::move(q);
    }
  }
  bias.data = std::make_shared<Bytes>(static_cast<std::size_t>(channels) * dtype_size(bias.dtype));
  const TensorId id = graph.add_tensor(std::move(bias));
  op.inputs.resize(3, kNoTensor);
  op.inputs[2] = id;
}

}  // namespace

Graph with_tflite_biases(const Graph& graph) {
  Graph result = graph;
  for (Op& op : result.ops()) {
    if (needs_bias(op)) add_zero_bias(result, op);
  }
  return result;
}

std::uint64_t tflite_size_bound(const Graph& graph, const TfliteWriteOptions& options) {
  std::uint64_t bound = 4096 + string_bound(options.description.size()) + string_bound(options.signature_key.size());
  bound += 64;  // buffer 0
  for (std::size_t i = 0; i < graph.tensor_count(); ++i) {
    const Tensor& t = graph.tensor(static_cast<TensorId>(i));
    bound += 128 + string_bound(t.name.size()) + vector_bound(t.shape.size(), 4);
    if (t.quant) bound += 96 + vector_bound(t.quant->scale.size(), 4) + vector_bound(t.quant->zero_point.size(), 8);
    if (t.is_constant()) bound += 96 + t.data->size() + kDataAlignment;
  }
  for (const Op& op : graph.ops()) {
    bound += 256 + vector_bound(op.inputs.size(), 4) + vector_bound(op.outputs.size(), 4) + 64;  // + operator code
    if (op.type == OpType::kSqueeze) bound += vector_bound(op.opts<SqueezeOptions>().squeeze_dims.size(), 4);
    if (op.type == OpType::kReshape) bound += vector_bound(8, 4);
    if (needs_bias(op) && op.inputs.size() >= 2 && op.inputs[1] != kNoTensor) {  // the zero bias to add
      bound += 512 + op.name.size() + 24 * static_cast<std::uint64_t>(element_count(graph.tensor(op.inputs[1]).shape));
    }
  }
  const auto names_bound = [&](const std::vector<TensorId>& ids) {
    std::uint64_t sum = vector_bound(ids.size(), 4) * 2;
    for (const TensorId id : ids) sum += 64 + string_bound(graph.tensor(id).name.size());
    return sum;
  };
  bound += names_bound(graph.inputs()) + names_bound(graph.outputs());
  for (const auto& [name, bytes] : options.metadata) {
    bound += 192 + string_bound(name.size()) + bytes.size() + kDataAlignment;
  }
  return bound;
}

flatbuffers::DetachedBuffer serialize_tflite(const Graph& input_graph, const TfliteWriteOptions& options) {
  verify_graph(input_graph);
  Graph legalized;
  const bool legalize = std::any_of(input_graph.ops().begin(), input_graph.ops().end(), needs_bias);
  if (legalize) legalized = with_tflite_biases(input_graph);
  const Graph& graph = legalize ? legalized : input_graph;
  const std::uint64_t bound = tflite_size_bound(graph, options);
  if (bound >= kMaxFlatbufferBytes) {
    throw fail(
        "tflite writer: the model needs up to {} bytes, over the 2 GiB limit of a .tflite flatbuffer "
        "(FlatBuffers offsets are 32-bit)",
        bound);
  }

  // Reserve the bound up front: no regrowth (and copy) of a large model.
  flatbuffers::FlatBufferBuilder builder(static_cast<std::size_t>(bound));

  // Buffers: 0 is the empty sentinel; then one per constant, in tensor order;
  // then the metadata entries.
  std::vector<flatbuffers::Offset<tflite::Buffer>> buffers;
  buffers.push_back(tflite::CreateBuffer(builder));
  std::vector<std::uint32_t> tensor_buffer(graph.tensor_count(), 0);
  for (std::size_t i = 0; i < graph.tensor_count(); ++i) {
    const Tensor& t = graph.tensor(static_cast<TensorId>(i));
    if (!t.is_constant()) continue;
    // A zero-byte constant gets an empty buffer of its own: TFLite treats it
    // as a zero-element tensor, whose contents never matter.
    flatbuffers::Offset<flatbuffers::Vector<std::uint8_t>> data = 0;
    if (!t.data->empty()) {
      data = aligned_bytes(builder, reinterpret_cast<const std::uint8_t*>(t.data->data()), t.data->size());
    }
    tensor_buffer[i] = static_cast<std::uint32_t>(buffers.size());
    buffers.push_back(tflite::CreateBuffer(builder, data));
  }
  std::vector<flatbuffers::Offset<tflite::Metadata>> metadata;
  for (const auto& [name, bytes] : options.metadata) {
    const auto data = aligned_bytes(builder, bytes.data(), bytes.size());
    const auto index = static_cast<std::uint32_t>(buffers.size());
    buffers.push_back(tflite::CreateBuffer(builder, data));
    metadata.push_back(tflite::CreateMetadata(builder, builder.CreateString(name), index));
  }

  // Tensors, in graph id order.
  std::vector<flatbuffers::Offset<tflite::Tensor>> tensors;
  tensors.reserve(graph.tensor_count());
  for (std::size_t i = 0; i < graph.tensor_count(); ++i) {
    const Tensor& t = graph.tensor(static_cast<TensorId>(i));
    const auto shape = builder.CreateVector(int32_dims(t));
    flatbuffers::Offset<tflite::QuantizationParameters> quant = 0;
    if (t.quant && !t.quant->scale.empty()) {
      if (t.quant->per_channel()) {
        const auto axis = static_cast<std::size_t>(t.quant->axis);
        if (t.quant->axis < 0 || axis >= t.shape.size() ||
            t.shape[axis] != static_cast<std::int64_t>(t.quant->scale.size())) {
          throw fail("tflite writer: tensor '{}' ({}) has {} per-channel scales along axis {}; TFLite needs one per "
                     "index of that dimension",
                     t.name, shape_string(t.shape), t.quant->scale.size(), t.quant->axis);
        }
      }
      quant = tflite::CreateQuantizationParameters(builder, 0, 0, builder.CreateVector(t.quant->scale),
                                                   builder.CreateVector(t.quant->zero_point),
                                                   tflite::QuantizationDetails::NONE, 0, t.quant->axis);
    }
    tensors.push_back(tflite::CreateTensor(builder, shape, tfl::tensor_type(t.dtype), tensor_buffer[i],
                                           builder.CreateString(t.name), quant));
  }

  // Operators and their codes, deduplicated by (builtin, version) in order of
  // first use.
  std::map<std::pair<std::int32_t, int>, std::uint32_t> code_index;
  std::vector<flatbuffers::Offset<tflite::OperatorCode>> codes;
  std::vector<flatbuffers::Offset<tflite::Operator>> operators;
  operators.reserve(graph.ops().size());
  for (const Op& op : graph.ops()) {
    const tfl::OpCodec& codec = tfl::op_codec(op.type);
    const int version = tfl::op_version(graph, op);
    const auto builtin = static_cast<std::int32_t>(codec.builtin);
    auto [it, inserted] = code_index.emplace(std::pair{builtin, version}, static_cast<std::uint32_t>(codes.size()));
    if (inserted) {
      const auto deprecated = static_cast<std::int8_t>(std::min<std::int32_t>(
          builtin, static_cast<std::int32_t>(tflite::BuiltinOperator::PLACEHOLDER_FOR_GREATER_OP_CODES)));
      codes.push_back(tflite::CreateOperatorCode(builder, deprecated, 0, version, codec.builtin));
    }
    const std::vector<std::int32_t> inputs(op.inputs.begin(), op.inputs.end());  // kNoTensor is -1, as in TFLite
    const std::vector<std::int32_t> outputs(op.outputs.begin(), op.outputs.end());
    const auto in = builder.CreateVector(inputs);
    const auto out = builder.CreateVector(outputs);
    const auto opts = tfl::write_builtin_options(builder, graph, op);
    operators.push_back(tflite::CreateOperator(builder, it->second, in, out,
                                               opts.IsNull() ? tflite::BuiltinOptions::NONE : codec.options, opts));
  }

  const std::vector<std::int32_t> inputs(graph.inputs().begin(), graph.inputs().end());
  const std::vector<std::int32_t> outputs(graph.outputs().begin(), graph.outputs().end());
  const auto subgraph = tflite::CreateSubGraph(builder, builder.CreateVector(tensors), builder.CreateVector(inputs),
                                               builder.CreateVector(outputs), builder.CreateVector(operators),
                                               builder.CreateString("main"));

  std::vector<flatbuffers::Offset<tflite::SignatureDef>> signatures;
  if (!options.signature_key.empty()) {
    const auto tensor_maps = [&](const std::vector<TensorId>& ids) {
      std::vector<flatbuffers::Offset<tflite::TensorMap>> maps;
      for (const TensorId id : ids) {
        maps.push_back(tflite::CreateTensorMap(builder, builder.CreateString(graph.tensor(id).name),
                                               static_cast<std::uint32_t>(id)));
      }
      return builder.CreateVector(maps);
    };
    const auto sig_inputs = tensor_maps(graph.inputs());
    const auto sig_outputs = tensor_maps(graph.outputs());
    signatures.push_back(
        tflite::CreateSignatureDef(builder, sig_inputs, sig_outputs, builder.CreateString(options.signature_key), 0));
  }

  const auto codes_vector = builder.CreateVector(codes);
  const auto subgraphs = builder.CreateVector(&subgraph, 1);
  const auto description = builder.CreateString(options.description);
  const auto buffers_vector = builder.CreateVector(buffers);
  const auto metadata_vector = metadata.empty() ? 0 : builder.CreateVector(metadata);
  const auto signatures_vector = signatures.empty() ? 0 : builder.CreateVector(signatures);
  const auto model = tflite::CreateModel(builder, kSchemaVersion, codes_vector, subgraphs, description, buffers_vector,
                                         0, metadata_vector, signatures_vector);
  tflite::FinishModelBuffer(builder, model);

  if (builder.GetSize() >= kMaxFlatbufferBytes) {
    throw fail("tflite writer: the model is {} bytes, over the 2 GiB limit of a .tflite flatbuffer", builder.GetSize());
  }
  return builder.Release();
}

std::vector<std::uint8_t> write_tflite(const Graph& graph, const TfliteWriteOptions& options) {
  const flatbuffers::DetachedBuffer buffer = serialize_tflite(graph, options);
  return {buffer.data(), buffer.data() + buffer.size()};
}

}  // namespace octet
