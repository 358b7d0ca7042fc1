// octet's public C++ API (include/octet/model.h) over the TFLite reader and
// the interpreter. Every entry point is noexcept: octet::Error and
// std::bad_alloc become a Status; anything else is kInternal.

#include "octet/model.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "api/model_from_graph.h"
#include "api/model_support.h"
#include "core/error.h"
#include "core/version.h"
#include "runtime/float16.h"
#include "runtime/interpreter.h"
#include "tflite/tflite_reader.h"

namespace octet {

namespace {

ElementType to_element_type(DType dtype) {
  switch (dtype) {
    case DType::kFloat32: return ElementType::kFloat32;
    case DType::kFloat16: return ElementType::kFloat16;
    case DType::kInt8: return ElementType::kInt8;
    case DType::kUint8: return ElementType::kUint8;
    case DType::kInt16: return ElementType::kInt16;
    case DType::kInt32: return ElementType::kInt32;
    case DType::kInt64: return ElementType::kInt64;
    case DType::kBool: return ElementType::kBool;
  }
  return ElementType::kFloat32;
}

TensorLayout to_layout(const std::string& text) {
  if (text == "nhwc") return TensorLayout::kNhwc;
  if (text == "nchw") return TensorLayout::kNchw;
  return TensorLayout::kUnknown;
}

// Runs `body`, turning every exception into a Status with `code` for octet::Error.
template <typename Body>
Status guarded(StatusCode code, Body&& body) noexcept {
  try {
    body();
    return Status::Ok();
  } catch (const Error& e) {
    return {code, e.what()};
  } catch (const std::bad_alloc&) {
    return {StatusCode::kOutOfMemory, "out of memory"};
  } catch (const std::exception& e) {
    return {StatusCode::kInternal, fmt::format("internal error: {}", e.what())};
  } catch (...) {
    return {StatusCode::kInternal, "internal error: unknown exception"};
  }
}

bool contains(const std::string& text, const char* what) { return text.find(what) != std::string::npos; }

// The physical memory of this machine (0 if unknown).
std::uint64_t physical_memory() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return 0;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page);
}

// Channel of element `i` for per-channel parameters along `axis` (0 when per tensor).
std::size_t channel_of(std::size_t i, const std::vector<std::int64_t>& shape, const Quantization& q) {
  if (!q.per_channel() || q.axis < 0 || static_cast<std::size_t>(q.axis) >= shape.size()) return 0;
  std::size_t inner = 1;
  for (std::size_t d = static_cast<std::size_t>(q.axis) + 1; d < shape.size(); ++d) {
    inner *= static_cast<std::size_t>(shape[d]);
  }
  const auto dim = static_cast<std::size_t>(shape[static_cast<std::size_t>(q.axis)]);
  const std::size_t c = dim == 0 ? 0 : (i / inner) % dim;
  return std::min(c, q.scales.size() - 1);
}

}  // namespace

const char* version() noexcept { return kVersion; }

const char* status_code_name(StatusCode code) noexcept {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid argument";
    case StatusCode::kNotFound: return "not found";
    case StatusCode::kInvalidModel: return "invalid model";
    case StatusCode::kUnsupported: return "unsupported";
    case StatusCode::kFailedPrecondition: return "failed precondition";
    case StatusCode::kOutOfMemory: return "out of memory";
    case StatusCode::kInternal: return "internal";
  }
  return "unknown";
}

const char* element_type_name(ElementType type) noexcept {
  switch (type) {
    case ElementType::kFloat32: return "float32";
    case ElementType::kFloat16: return "float16";
    case ElementType::kInt8: return "int8";
    case ElementType::kUint8: return "uint8";
    case ElementType::kInt16: return "int16";
    case ElementType::kInt32: return "int32";
    case ElementType::kInt64: return "int64";
    case ElementType::kBool: return "bool";
  }
  return "unknown";
}

std::size_t element_size(ElementType type) noexcept {
  switch (type) {
    case ElementType::kFloat32: return 4;
    case ElementType::kFloat16: return 2;
    case ElementType::kInt8: return 1;
    case ElementType::kUint8: return 1;
    case ElementType::kInt16: return 2;
    case ElementType::kInt32: return 4;
    case ElementType::kInt64: return 8;
    case ElementType::kBool: return 1;
  }
  return 0;
}

const char* layout_name(TensorLayout layout) noexcept {
  switch (layout) {
    case TensorLayout::kNhwc: return "nhwc";
    case TensorLayout::kNchw: return "nchw";
    case TensorLayout::kUnknown: return "unknown";
  }
  return "unknown";
}

std::size_t TensorInfo::element_count() const noexcept {
  std::size_t count = 1;
  for (const std::int64_t d : shape) count *= static_cast<std::size_t>(std::max<std::int64_t>(d, 0));
  return count;
}

std::size_t TensorInfo::byte_size() const noexcept { return element_count() * element_size(dtype); }

std::int32_t quantize_value(float value, float scale, std::int64_t zero_point, ElementType type) noexcept {
  std::int64_t lo = -128;
  std::int64_t hi = 127;
  switch (type) {
    case ElementType::kUint8: lo = 0; hi = 255; break;
    case ElementType::kInt16: lo = -32768; hi = 32767; break;
    case ElementType::kInt32:
      lo = std::numeric_limits<std::int32_t>::min();
      hi = std::numeric_limits<std::int32_t>::max();
      break;
    default: break;
  }
  if (std::isnan(value) || !(scale > 0.0F) || !std::isfinite(scale)) {
    return static_cast<std::int32_t>(std::clamp(zero_point, lo, hi));
  }
  // TFLite's reference Quantize: round(value / scale) + zero_point, in float,
  // round half away from zero (std::round), then saturate.
  const float scaled = std::round(value / scale);
  constexpr float kLimit = 4.0e12F;  // far beyond any int32 range, exact in int64
  const auto q = static_cast<std::int64_t>(std::clamp(scaled, -kLimit, kLimit));
  return static_cast<std::int32_t>(std::clamp(q + zero_point, lo, hi));
}

struct Model::Impl {
  std::string source;
  TfliteModel model;
  std::unique_ptr<Interpreter> interpreter;
  std::vector<TensorInfo> inputs;
  std::vector<TensorInfo> outputs;
  bool invoked = false;
  bool profiling = false;
  std::vector<OpTiming> timings;
  RunOptions run_options;
};

Model::Model(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
Model::Model(Model&& other) noexcept = default;
Model& Model::operator=(Model&& other) noexcept = default;
Model::~Model() = default;

Result<Model> Model::load(const std::string& path, const RunOptions& options) noexcept {
  std::vector<std::uint8_t> bytes;
  const Status status = guarded(StatusCode::kNotFound, [&] { bytes = read_model_file(path); });
  if (!status.ok()) return status;
  return load_from_bytes(bytes, path, options);
}

Result<Model> Model::load_from_bytes(std::span<const std::uint8_t> bytes, const std::string& name,
                                     const RunOptions& options) noexcept {
  std::unique_ptr<Impl> impl;
  Status status = guarded(StatusCode::kInvalidModel, [&] {
    impl = std::make_unique<Impl>();
    impl->source = name;
    impl->model = read_tflite_model(bytes, name);
  });
  if (!status.ok()) {
    // The reader says "not supported" for valid files it cannot represent.
    if (status.code() == StatusCode::kInvalidModel &&
        (contains(status.message(), "not supported") || contains(status.message(), "unsupported") ||
         contains(status.message(), "octet reads") || contains(status.message(), "octet needs"))) {
      return Status(StatusCode::kUnsupported, status.message());
    }
    return status;
  }
  return ModelFactory::prepare(std::move(impl), options);
}

Result<Model> ModelFactory::from_graph(Graph graph, const std::string& name, const std::string& conversion_metadata,
                                       const RunOptions& options) noexcept {
  std::unique_ptr<Model::Impl> impl;
  const Status status = guarded(StatusCode::kInvalidModel, [&] {
    impl = std::make_unique<Model::Impl>();
    impl->source = name;
    impl->model.graph = std::move(graph);
    verify_graph(impl->model.graph);
    impl->model.metadata.emplace_back(
        kConversionMetadataName, std::vector<std::uint8_t>(conversion_metadata.begin(), conversion_metadata.end()));
  });
  if (!status.ok()) return status;
  return prepare(std::move(impl), options);
}

Result<Model> ModelFactory::prepare(std::unique_ptr<Model::Impl> impl, const RunOptions& options) noexcept {
  const std::string& name = impl->source;
  Status status = Status::Ok();
  if (options.threads < 1) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("{}: threads must be at least 1, got {}", name, options.threads));
  }
  const Graph& graph = impl->model.graph;

  // Tensor memory the interpreter would allocate: refuse what cannot fit
  // rather than being killed (a damaged file can claim huge shapes).
  std::uint64_t activation_bytes = 0;
  for (std::size_t i = 0; i < graph.tensor_count(); ++i) {
    const Tensor& t = graph.tensor(static_cast<TensorId>(i));
    if (!t.is_constant()) activation_bytes += t.byte_size();  // each is < 1 TiB (the reader checks)
  }
  const std::uint64_t memory = physical_memory();
  if (memory != 0 && activation_bytes > memory / 2) {
    return Status(StatusCode::kUnsupported,
                  fmt::format("{}: its tensors need {} bytes, more than half of this machine's memory ({} bytes)",
                              name, activation_bytes, memory));
  }

  status = guarded(StatusCode::kUnsupported, [&] {
    try {
      const InterpreterOptions interpreter_options{
          .kernels = options.reference_kernels ? KernelSet::kReference : KernelSet::kFast, .threads = options.threads};
      impl->interpreter = std::make_unique<Interpreter>(graph, interpreter_options);
      impl->run_options = options;
    } catch (const Error& e) {
      throw fail("{}: {}", name, e.what());
    }
  });
  if (!status.ok()) return status;

  std::optional<nlohmann::ordered_json> conversion;
  for (const auto& [key, value] : impl->model.metadata) {
    if (key == kConversionMetadataName) conversion = parse_conversion_metadata(std::string(value.begin(), value.end()));
  }
  status = guarded(StatusCode::kInternal, [&] {
    for (const bool is_input : {true, false}) {
      const std::vector<TensorId>& ids = is_input ? graph.inputs() : graph.outputs();
      std::vector<TensorInfo>& infos = is_input ? impl->inputs : impl->outputs;
      for (std::size_t i = 0; i < ids.size(); ++i) {
        const Tensor& t = graph.tensor(ids[i]);
        TensorInfo info;
        info.name = t.name;
        info.index = i;
        info.tensor = ids[i];
        info.shape = t.shape;
        info.dtype = to_element_type(t.dtype);
        if (t.quant) {
          info.quantization.scales = t.quant->scale;
          info.quantization.zero_points = t.quant->zero_point;
          info.quantization.zero_points.resize(info.quantization.scales.size(), 0);
          info.quantization.axis = t.quant->axis;
        }
        const LayoutGuess layout = guess_layout(t.shape, t.name, is_input, conversion ? &*conversion : nullptr);
        info.layout = to_layout(layout.layout);
        info.layout_source = layout.source;
        infos.push_back(std::move(info));
      }
    }
  });
  if (!status.ok()) return status;
  return Model(std::move(impl));
}

const std::vector<TensorInfo>& Model::inputs() const noexcept { return impl_->inputs; }
const std::vector<TensorInfo>& Model::outputs() const noexcept { return impl_->outputs; }

Status Model::set_input_float(std::size_t index, std::span<const float> values) noexcept {
  if (index >= impl_->inputs.size()) {
    return {StatusCode::kInvalidArgument,
            fmt::format("input {}: the model has {} input(s)", index, impl_->inputs.size())};
  }
  const TensorInfo& info = impl_->inputs[index];
  if (values.size() != info.element_count()) {
    return {StatusCode::kInvalidArgument,
            fmt::format("input {} '{}': {} values given, the tensor [{}] holds {}", index, info.name, values.size(),
                        fmt::join(info.shape, ","), info.element_count())};
  }
  return guarded(StatusCode::kInvalidArgument, [&] {
    const TensorView view = impl_->interpreter->input(index);
    switch (info.dtype) {
      case ElementType::kFloat32:
        if (!values.empty()) std::memcpy(view.data, values.data(), values.size_bytes());
        return;
      case ElementType::kInt8:
      case ElementType::kUint8:
      case ElementType::kInt16: {
        const Quantization& q = info.quantization;
        if (!q.quantized()) {
          throw fail("input {} '{}' is {} without quantization parameters; set it with set_input_raw", index,
                     info.name, element_type_name(info.dtype));
        }
        for (std::size_t i = 0; i < values.size(); ++i) {
          const std::size_t c = channel_of(i, info.shape, q);
          const std::int32_t v = quantize_value(values[i], q.scales[c], q.zero_points[c], info.dtype);
          if (info.dtype == ElementType::kInt8) {
            view.as<std::int8_t>()[i] = static_cast<std::int8_t>(v);
          } else if (info.dtype == ElementType::kUint8) {
            view.as<std::uint8_t>()[i] = static_cast<std::uint8_t>(v);
          } else {
            view.as<std::int16_t>()[i] = static_cast<std::int16_t>(v);
          }
        }
        return;
      }
      default:
        throw fail("input {} '{}' is {}: float values are accepted for float32, int8, uint8 and int16 inputs; "
                   "use set_input_raw",
                   index, info.name, element_type_name(info.dtype));
    }
  });
}

Status Model::set_input_raw(std::size_t index, std::span<const std::byte> bytes) noexcept {
  if (index >= impl_->inputs.size()) {
    return {StatusCode::kInvalidArgument,
            fmt::format("input {}: the model has {} input(s)", index, impl_->inputs.size())};
  }
  const TensorInfo& info = impl_->inputs[index];
  if (bytes.size() != info.byte_size()) {
    return {StatusCode::kInvalidArgument,
            fmt::format("input {} '{}': {} bytes given, the tensor ({} [{}]) holds {}", index, info.name,
                        bytes.size(), element_type_name(info.dtype), fmt::join(info.shape, ","), info.byte_size())};
  }
  return guarded(StatusCode::kInvalidArgument, [&] {
    const TensorView view = impl_->interpreter->input(index);
    if (!bytes.empty()) std::memcpy(view.data, bytes.data(), bytes.size());
  });
}

Status Model::invoke() noexcept {
  Impl& impl = *impl_;
  impl.timings.clear();
  using Clock = std::chrono::steady_clock;
  Clock::time_point last;
  if (impl.profiling) {
    const Graph& graph = impl.model.graph;
    impl.timings.reserve(graph.ops().size());
    impl.interpreter->set_observer([&impl, &last, &graph](std::size_t op) {
      const Clock::time_point now = Clock::now();
      const Op& o = graph.ops()[op];
      impl.timings.push_back({op, std::string(op_name(o.type)),
                              o.outputs.empty() ? std::string() : graph.tensor(o.outputs[0]).name,
                              std::chrono::duration_cast<std::chrono::nanoseconds>(now - last)});
      last = Clock::now();  // the observer's own cost is not charged to the next op
    });
  } else {
    impl.interpreter->set_observer(nullptr);
  }
  last = Clock::now();
  const Status status = guarded(StatusCode::kInvalidArgument, [&] {
    try {
      impl.interpreter->invoke();
    } catch (const Error& e) {
      throw fail("{}: {}", impl.source, e.what());
    }
  });
  impl.interpreter->set_observer(nullptr);
  impl.invoked = status.ok();
  return status;
}

Result<std::span<const std::byte>> Model::output_raw(std::size_t index) const noexcept {
  if (index >= impl_->outputs.size()) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("output {}: the model has {} output(s)", index, impl_->outputs.size()));
  }
  if (!impl_->invoked) {
    return Status(StatusCode::kFailedPrecondition, fmt::format("output {}: invoke() has not run", index));
  }
  std::span<const std::byte> bytes;
  const Status status = guarded(StatusCode::kInternal, [&] {
    const TensorView view = impl_->interpreter->output(index);
    bytes = {view.data, impl_->outputs[index].byte_size()};
  });
  if (!status.ok()) return status;
  return bytes;
}

Result<std::vector<float>> Model::output_float(std::size_t index) const noexcept {
  Result<std::span<const std::byte>> raw = output_raw(index);
  if (!raw.ok()) return raw.status();
  const TensorInfo& info = impl_->outputs[index];
  std::vector<float> out;
  const Status status = guarded(StatusCode::kInvalidArgument, [&] {
    const std::size_t n = info.element_count();
    out.resize(n);
    const std::byte* data = raw->data();
    const Quantization& q = info.quantization;
    auto dequantize = [&](std::size_t i, double v) {
      if (!q.quantized()) return static_cast<float>(v);
      const std::size_t c = channel_of(i, info.shape, q);
      return static_cast<float>(static_cast<double>(q.scales[c]) * (v - static_cast<double>(q.zero_points[c])));
    };
    for (std::size_t i = 0; i < n; ++i) {
      switch (info.dtype) {
        case ElementType::kFloat32: std::memcpy(&out[i], data + 4 * i, 4); break;
        case ElementType::kFloat16: {
          std::uint16_t h = 0;
          std::memcpy(&h, data + 2 * i, 2);
          out[i] = half_to_float(h);
          break;
        }
        case ElementType::kInt8: out[i] = dequantize(i, static_cast<double>(reinterpret_cast<const std::int8_t*>(data)[i])); break;
        case ElementType::kUint8: out[i] = dequantize(i, static_cast<double>(reinterpret_cast<const std::uint8_t*>(data)[i])); break;
        case ElementType::kInt16: {
          std::int16_t v = 0;
          std::memcpy(&v, data + 2 * i, 2);
          out[i] = dequantize(i, static_cast<double>(v));
          break;
        }
        case ElementType::kInt32: {
          std::int32_t v = 0;
          std::memcpy(&v, data + 4 * i, 4);
          out[i] = dequantize(i, static_cast<double>(v));
          break;
        }
        case ElementType::kInt64: {
          std::int64_t v = 0;
          std::memcpy(&v, data + 8 * i, 8);
          out[i] = dequantize(i, static_cast<double>(v));
          break;
        }
        case ElementType::kBool: out[i] = data[i] != std::byte{0} ? 1.0F : 0.0F; break;
      }
    }
  });
  if (!status.ok()) return status;
  return out;
}

void Model::set_profiling(bool enabled) noexcept { impl_->profiling = enabled; }

const std::vector<OpTiming>& Model::op_timings() const noexcept { return impl_->timings; }

std::size_t Model::op_count() const noexcept { return impl_->model.graph.ops().size(); }

RuntimeInfo Model::runtime_info() const noexcept {
  const Interpreter& interpreter = *impl_->interpreter;
  RuntimeInfo info;
  info.threads = impl_->run_options.reference_kernels ? 1 : impl_->run_options.threads;
  info.reference_kernels = impl_->run_options.reference_kernels;
  info.fast_ops = interpreter.fast_op_count();
  info.cpu_specific_ops = interpreter.cpu_specific_op_count();
  info.folded_ops = interpreter.folded_op_count();
  info.reference_ops = op_count() - info.fast_ops - info.folded_ops;
  info.arena_bytes = interpreter.arena_bytes();
  info.unshared_bytes = interpreter.memory_plan().unshared_bytes;
  return info;
}

std::optional<std::string> Model::metadata(const std::string& name) const noexcept {
  try {
    for (const auto& [key, value] : impl_->model.metadata) {
      if (key == name) return std::string(value.begin(), value.end());
    }
  } catch (...) {
    return std::nullopt;
  }
  return std::nullopt;
}

const std::string& Model::source() const noexcept { return impl_->source; }

}  // namespace octet
