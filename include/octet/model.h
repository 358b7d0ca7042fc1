#pragma once
// octet's C++ API: load a TensorFlow Lite model, list its inputs and outputs
// with their quantization, set inputs (float or raw), invoke, read outputs
// (float or raw). It runs octet's own interpreter (fast kernels, XNNPACK,
// where they cover an op and reference kernels elsewhere; RunOptions picks
// the threads or the reference kernels only) and hides octet's IR. Error contract: <octet/status.h>;
// guide and example: docs/api.md, examples/inference.cpp.
//
//   auto model = octet::Model::load("model.tflite");
//   if (!model.ok()) { std::cerr << model.status().message() << "\n"; return 1; }
//   for (const octet::TensorInfo& in : model->inputs()) ...
//   octet::Status s = model->set_input_float(0, pixels);   // quantized for int8/uint8 inputs
//   s = model->invoke();
//   auto scores = model->output_float(0);                  // dequantized

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "octet/status.h"

namespace octet {

// The library's version, "0.1.0".
const char* version() noexcept;

enum class ElementType { kFloat32, kFloat16, kInt8, kUint8, kInt16, kInt32, kInt64, kBool };

// "float32", "int8", ... (numpy's names).
const char* element_type_name(ElementType type) noexcept;
// Bytes per element.
std::size_t element_size(ElementType type) noexcept;

// How an image tensor is laid out. kUnknown for tensors that are not rank 4.
enum class TensorLayout { kUnknown, kNhwc, kNchw };
const char* layout_name(TensorLayout layout) noexcept;  // "unknown", "nhwc", "nchw"

// TFLite's affine quantization: real = scale * (q - zero_point). Empty
// vectors: the tensor is not quantized. One entry per tensor, or one per
// channel along `axis` (per-channel; weights only in practice).
struct Quantization {
  std::vector<float> scales;
  std::vector<std::int64_t> zero_points;
  int axis = 0;

  bool quantized() const noexcept { return !scales.empty(); }
  bool per_channel() const noexcept { return scales.size() > 1; }
};

struct TensorInfo {
  std::string name;
  std::size_t index = 0;      // position among the model's inputs (or outputs): what set_input_*/output_* take
  std::int32_t tensor = 0;    // the tensor's index in the model's subgraph (TFLite's "index" / location)
  std::vector<std::int64_t> shape;
  ElementType dtype = ElementType::kFloat32;
  Quantization quantization;
  TensorLayout layout = TensorLayout::kUnknown;
  // Where `layout` comes from: "octet metadata" (octet wrote the model and
  // recorded it) or "heuristic" (the LaunchX rule: NCHW iff shape[1] == 3).
  std::string layout_source;

  std::size_t element_count() const noexcept;
  std::size_t byte_size() const noexcept;
};

// Time spent in one operator by the last invoke() (profiling on).
struct OpTiming {
  std::size_t op = 0;       // operator index, in execution order
  std::string type;         // TFLite builtin name: "CONV_2D", ...
  std::string output;       // name of its first output tensor
  std::chrono::nanoseconds time{0};
};

// TFLite's quantization of one value: round half away from zero, add the zero
// point, saturate to the type's range (int8: -128..127, uint8: 0..255).
// (LaunchX's Python example truncates with astype and never clamps.)
std::int32_t quantize_value(float value, float scale, std::int64_t zero_point, ElementType type) noexcept;

// How a model runs.
struct RunOptions {
  // Threads the fast kernels use (1: the calling thread only); at least 1.
  int threads = 1;
  // Run every operator with octet's reference kernels (the ground truth the
  // fast kernels are tested against; much slower): for comparisons.
  bool reference_kernels = false;
};

// How the loaded model runs: which kernels and how much activation memory.
struct RuntimeInfo {
  int threads = 1;
  bool reference_kernels = false;
  std::size_t fast_ops = 0;        // operators run by a fast kernel (XNNPACK or octet's own)
  std::size_t cpu_specific_ops = 0;  // of those, run by octet's AVX-512 / VNNI convolutions (docs/runtime.md)
  std::size_t reference_ops = 0;   // operators run by a reference kernel
  std::size_t folded_ops = 0;      // PADs folded into the convolution reading them (they do not run)
  std::size_t arena_bytes = 0;     // the planned activation arena (tensors share memory when their lifetimes allow)
  std::size_t unshared_bytes = 0;  // what the activations would need without sharing
};

struct ModelFactory;  // internal (src/api/model_from_graph.h)

class Model {
 public:
  // Reads, verifies and prepares a model. Errors: kNotFound (missing or
  // unreadable file), kInvalidModel (not a valid .tflite: truncated, wrong
  // identifier, failed flatbuffer verification, inconsistent tensors),
  // kUnsupported (valid, but uses an operator or feature octet's interpreter
  // does not run), kOutOfMemory, kInvalidArgument (options.threads < 1).
  static Result<Model> load(const std::string& path, const RunOptions& options = {}) noexcept;
  // The same from bytes in memory (copied; `name` prefixes error messages).
  static Result<Model> load_from_bytes(std::span<const std::uint8_t> bytes, const std::string& name = "model",
                                       const RunOptions& options = {}) noexcept;

  Model(Model&& other) noexcept;
  Model& operator=(Model&& other) noexcept;
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;
  ~Model();

  const std::vector<TensorInfo>& inputs() const noexcept;
  const std::vector<TensorInfo>& outputs() const noexcept;

  // Sets input `index` from float values (element_count() of them, in the
  // tensor's own layout and shape). float32 inputs take them as they are;
  // int8/uint8 inputs are quantized with quantize_value and the tensor's
  // scale and zero point; float16/int16/int32/int64/bool inputs need
  // set_input_raw. Errors: kInvalidArgument (index, count, dtype).
  Status set_input_float(std::size_t index, std::span<const float> values) noexcept;
  // Sets input `index` from raw little-endian element bytes (exactly
  // byte_size() of them), e.g. int8 values that are already quantized.
  Status set_input_raw(std::size_t index, std::span<const std::byte> bytes) noexcept;

  // Runs the model. Inputs never set are zero (raw bytes).
  Status invoke() noexcept;

  // Output `index` of the last invoke() as floats: float32 as is, int8/uint8/
  // int16/int32 dequantized with the tensor's scale and zero point (or
  // converted when not quantized), float16 widened, bool as 0/1.
  // Errors: kInvalidArgument (index), kFailedPrecondition (no invoke() yet).
  Result<std::vector<float>> output_float(std::size_t index) const noexcept;
  // Output `index` of the last invoke() as raw bytes; valid until the next
  // invoke() or until the model is destroyed.
  Result<std::span<const std::byte>> output_raw(std::size_t index) const noexcept;

  // Per-operator timing of each following invoke() (off by default; costs a
  // clock read per operator).
  void set_profiling(bool enabled) noexcept;
  // The timings of the last invoke() with profiling on, one per operator.
  const std::vector<OpTiming>& op_timings() const noexcept;

  // Number of operators.
  std::size_t op_count() const noexcept;
  // Threads, kernel split and planned activation memory.
  RuntimeInfo runtime_info() const noexcept;
  // The metadata entry `name` of the model (Model.metadata), if present:
  // "octet_conversion" holds octet's conversion record (JSON) in models octet wrote.
  std::optional<std::string> metadata(const std::string& name) const noexcept;
  // The model's file (or load_from_bytes name).
  const std::string& source() const noexcept;

 private:
  friend struct ModelFactory;
  struct Impl;
  explicit Model(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace octet
