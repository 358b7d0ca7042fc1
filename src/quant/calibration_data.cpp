#include "quant/calibration_data.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <system_error>

#include <fmt/format.h>

#include "core/error.h"
#include "dataset/prepare.h"
#include "dataset/recipe.h"
#include "quant/value_stats.h"
#include "runtime/interpreter.h"
#include "util/byte_size.h"

namespace octet::quant {

namespace {

static_assert(kDefaultCalibrationLimitBytes == kDefaultMaxDatasetBytes, "one dataset limit for prepare and convert");

constexpr std::size_t kRank4 = 4;
// Samples read to check the value range against the recipe (evenly spread,
// first and last included): enough to catch a wrong normalisation, cheap.
constexpr std::size_t kRecipeScanSamples = 4;
// A /255-normalised image lies in [0, 1]; values above 1.5 mean it was not divided.
constexpr float kNormalisedMaxTolerance = 1.5F;
// Pixels kept in 0..255 reach well above 1; a maximum of at most 1 means they were divided.
constexpr float kUnnormalisedMinMax = 1.0F;

// The array holds samples of `input`: [N] + input[1:] for a batch-1 input, or [N] + input.
bool fits(const Shape& array, const Shape& input) {
  if (array.size() == input.size() && !input.empty() && input[0] == 1 &&
      std::equal(array.begin() + 1, array.end(), input.begin() + 1)) {
    return true;
  }
  return array.size() == input.size() + 1 && std::equal(array.begin() + 1, array.end(), input.begin());
}

// "Nx224x224x3" for input 1x224x224x3.
std::string expected_shape(const Shape& input) {
  if (!input.empty() && input[0] == 1) {
    return input.size() == 1 ? "N" : fmt::format("Nx{}", shape_string(Shape(input.begin() + 1, input.end())));
  }
  return input.empty() ? "N" : fmt::format("Nx{}", shape_string(input));
}

Shape nhwc_to_nchw(const Shape& s) { return {s[0], s[3], s[1], s[2]}; }

std::string input_names(const Graph& graph) {
  std::string names;
  for (const TensorId id : graph.inputs()) {
    names += names.empty() ? "" : ", ";
    names += fmt::format("'{}'", graph.tensor(id).name);
  }
  return names;
}

// Binds every spec to a graph input; returns the input id per spec.
std::vector<TensorId> bind_inputs(const Graph& graph, std::span<const CalibrationSpec> specs) {
  const std::vector<TensorId>& inputs = graph.inputs();
  if (specs.empty()) throw fail("no calibration data: pass --calib [NAME=]FILE.npy");
  if (inputs.empty()) throw fail("the model has no inputs to calibrate");
  if (specs.size() == 1 && specs[0].input_name.empty()) {
    if (inputs.size() != 1) {
      throw fail("{}: the model has {} inputs ({}); name the input of each array: --calib NAME=FILE.npy",
                 specs[0].file.string(), inputs.size(), input_names(graph));
    }
    return {inputs[0]};
  }
  std::vector<TensorId> bound;
  for (const CalibrationSpec& spec : specs) {
    if (spec.input_name.empty()) {
      throw fail("{}: several --calib arrays are given; name the input of each: --calib NAME=FILE.npy",
                 spec.file.string());
    }
    const auto it = std::find_if(inputs.begin(), inputs.end(),
                                 [&](TensorId id) { return graph.tensor(id).name == spec.input_name; });
    if (it == inputs.end()) {
      throw fail("{}: the model has no input '{}' (inputs: {})", spec.file.string(), spec.input_name,
                 input_names(graph));
    }
    if (std::find(bound.begin(), bound.end(), *it) != bound.end()) {
      throw fail("{}: input '{}' already has calibration data; give one array per input", spec.file.string(),
                 spec.input_name);
    }
    bound.push_back(*it);
  }
  for (const TensorId id : inputs) {
    if (std::find(bound.begin(), bound.end(), id) == bound.end()) {
      throw fail("input '{}' has no calibration data: pass --calib {}=FILE.npy", graph.tensor(id).name,
                 graph.tensor(id).name);
    }
  }
  return bound;
}

void check_file_size(const std::filesystem::path& file, std::uint64_t limit) {
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(file, ec);
  if (ec) throw fail("{}: cannot read calibration array: {}", file.string(), ec.message());
  if (size > limit) {
    throw fail("{}: {} is over the calibration size limit of {}; pass fewer samples (octet prepare --limit)",
               file.string(), format_byte_size(size), format_byte_size(limit));
  }
}

// The layout of the array for `input`, or an error with the expected shape.
SampleLayout detect_layout(const NpyArray& array, const Tensor& input, bool nhwc_inputs,
                           const std::optional<CalibrationRecipe>& recipe) {
  const std::string file = array.path().string();
  const bool nchw_possible = nhwc_inputs && input.shape.size() == kRank4;
  const bool as_input = fits(array.shape(), input.shape);
  const bool as_nchw = nchw_possible && fits(array.shape(), nhwc_to_nchw(input.shape));
  // An ambiguous shape (C == H == W) is read in the input's own layout unless
  // the recipe that made the array says it is NCHW.
  if (as_input && as_nchw && recipe && recipe->preprocess.layout == Layout::kNchw) {
    return SampleLayout::kNchwToNhwc;
  }
  if (as_input) return SampleLayout::kAsInput;
  if (as_nchw) return SampleLayout::kNchwToNhwc;
  if (nchw_possible) {
    throw fail("{}: shape {} does not fit input '{}' ({}, NHWC): expected {} (NHWC) or {} (NCHW)", file,
               shape_string(array.shape()), input.name, shape_string(input.shape), expected_shape(input.shape),
               expected_shape(nhwc_to_nchw(input.shape)));
  }
  throw fail("{}: shape {} does not fit input '{}' ({}): expected {}", file, shape_string(array.shape()),
             input.name, shape_string(input.shape), expected_shape(input.shape));
}

// Largest value of a few evenly spread samples.
float scanned_max(const NpyArray& array, std::size_t samples, std::size_t& scanned) {
  const std::size_t count = std::min(samples, kRecipeScanSamples);
  float best = -std::numeric_limits<float>::infinity();
  std::vector<float> values;
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t index = count == 1 ? 0 : k * (samples - 1) / (count - 1);
    values.resize(array.row(index).size() / sizeof(float));
    array.read_row(index, std::as_writable_bytes(std::span<float>(values)));
    for (const float x : values) best = std::max(best, x);
  }
  scanned = count;
  return best;
}

void check_recipe_range(const NpyArray& array, std::size_t samples, const CalibrationRecipe& recipe,
                        const std::filesystem::path& recipe_file) {
  const PreprocessOptions& p = recipe.preprocess;
  // The bound for raw pixel value v after the recipe's (x - mean) / std, largest over channels.
  const auto bound = [&p](float v) {
    float out = -std::numeric_limits<float>::infinity();
    for (int c = 0; c < kChannels; ++c) {
      const auto i = static_cast<std::size_t>(c);
      out = std::max(out, (v - p.mean[i]) / p.std[i]);
    }
    return out;
  };
  std::size_t scanned = 0;
  const float max = scanned_max(array, samples, scanned);
  if (p.normalize && max > bound(kNormalisedMaxTolerance)) {
    throw fail("{}: values reach {} but recipe {} normalises pixels (/255): expected at most {} "
               "(was the array made without normalisation?)",
               array.path().string(), max, recipe_file.filename().string(), bound(kNormalisedMaxTolerance));
  }
  if (!p.normalize && max <= bound(kUnnormalisedMinMax)) {
    throw fail("{}: values are at most {} in {} samples checked but recipe {} keeps pixels in 0..255 (no /255): "
               "expected a maximum above {} (was the array normalised?)",
               array.path().string(), max, scanned, recipe_file.filename().string(), bound(kUnnormalisedMinMax));
  }
}

// Copies one NCHW sample into an NHWC input tensor.
void nchw_to_nhwc(std::span<const std::byte> row, const Shape& input_shape, std::byte* out) {
  const auto batch = static_cast<std::size_t>(input_shape[0]);
  const auto height = static_cast<std::size_t>(input_shape[1]);
  const auto width = static_cast<std::size_t>(input_shape[2]);
  const auto channels = static_cast<std::size_t>(input_shape[3]);
  const std::byte* in = row.data();
  for (std::size_t b = 0; b < batch; ++b) {
    for (std::size_t c = 0; c < channels; ++c) {
      for (std::size_t h = 0; h < height; ++h) {
        for (std::size_t w = 0; w < width; ++w) {
          const std::size_t from = ((b * channels + c) * height + h) * width + w;
          const std::size_t to = ((b * height + h) * width + w) * channels + c;
          std::memcpy(out + to * sizeof(float), in + from * sizeof(float), sizeof(float));
        }
      }
    }
  }
}

}  // namespace

CalibrationSpec parse_calibration_spec(std::string_view text) {
  std::error_code ec;
  if (!text.empty() && std::filesystem::is_regular_file(std::filesystem::path(text), ec)) {
    return {"", std::filesystem::path(text)};
  }
  const auto eq = text.find('=');
  if (eq == std::string_view::npos) {
    if (text.empty()) throw usage_fail("--calib '': expected [NAME=]FILE.npy");
    return {"", std::filesystem::path(text)};
  }
  const std::string_view name = text.substr(0, eq);
  const std::string_view file = text.substr(eq + 1);
  if (name.empty() || file.empty()) throw usage_fail("--calib '{}': expected [NAME=]FILE.npy", text);
  return {std::string(name), std::filesystem::path(file)};
}

std::filesystem::path recipe_path_for(const std::filesystem::path& array_file) {
  std::filesystem::path recipe = array_file;
  recipe.replace_extension(".json");
  return recipe;
}

const char* sample_layout_name(SampleLayout layout) {
  return layout == SampleLayout::kAsInput ? "as input" : "NCHW transposed to NHWC";
}

std::string CalibrationBinding::describe() const {
  const std::string layout_text =
      layout == SampleLayout::kAsInput
          ? fmt::format("array {} in the input's layout", shape_string(array_shape))
          : fmt::format("array {} NCHW, transposed to the input's NHWC {}", shape_string(array_shape),
                        shape_string(input_shape));
  const std::string recipe_text =
      recipe ? fmt::format(", values checked against recipe {}", recipe->filename().string()) : ", no recipe";
  return fmt::format("{} -> input '{}' ({}): {} samples, {}{}", file.string(), input_name,
                     shape_string(input_shape), samples, layout_text, recipe_text);
}

std::string CalibrationData::describe() const {
  std::string out;
  for (const CalibrationBinding& binding : bindings_) out += fmt::format("{}\n", binding.describe());
  return out;
}

void CalibrationData::write_sample(std::size_t index, Interpreter& interpreter) const {
  if (index >= samples_) throw fail("calibration sample {} is out of range (the arrays hold {})", index, samples_);
  const Graph& graph = interpreter.graph();
  for (std::size_t k = 0; k < bindings_.size(); ++k) {
    const CalibrationBinding& binding = bindings_[k];
    const auto it = std::find_if(graph.inputs().begin(), graph.inputs().end(),
                                 [&](TensorId id) { return graph.tensor(id).name == binding.input_name; });
    if (it == graph.inputs().end()) {
      throw fail("{}: the graph being run has no input '{}'", binding.file.string(), binding.input_name);
    }
    const TensorView view = interpreter.tensor(*it);
    if (view.dtype != DType::kFloat32 || view.shape != binding.input_shape) {
      throw fail("{}: input '{}' of the graph being run is {} {}, the array was validated for float32 {}",
                 binding.file.string(), binding.input_name, dtype_name(view.dtype), shape_string(view.shape),
                 shape_string(binding.input_shape));
    }
    // Read with pread, not through the mapping: no page faults, and the
    // resident memory does not grow with the samples read.
    const std::span<std::byte> input(view.data, view.count() * sizeof(float));
    if (binding.layout == SampleLayout::kAsInput) {
      arrays_[k].read_row(index, input);
    } else {
      staging_.resize(input.size());
      arrays_[k].read_row(index, staging_);
      nchw_to_nhwc(staging_, binding.input_shape, view.data);
    }
    if (!span_min_max(std::span<const float>(view.as<const float>(), view.count())).all_finite) {
      throw fail("{}: sample {} holds NaN or infinite values (calibration data must be finite)",
                 binding.file.string(), index);
    }
  }
}

CalibrationData open_calibration_data(const Graph& graph, std::span<const CalibrationSpec> specs,
                                      const CalibrationLimits& limits) {
  const std::vector<TensorId> inputs = bind_inputs(graph, specs);
  CalibrationData data;
  for (std::size_t k = 0; k < specs.size(); ++k) {
    const CalibrationSpec& spec = specs[k];
    const Tensor& input = graph.tensor(inputs[k]);
    const std::string file = spec.file.string();
    if (input.dtype != DType::kFloat32) {
      throw fail("{}: input '{}' is {}; calibration feeds float32 inputs only", file, input.name,
                 dtype_name(input.dtype));
    }
    check_file_size(spec.file, limits.limit_bytes);
    NpyArray array(spec.file);
    if (array.dtype() != DType::kFloat32) {
      throw fail("{}: element type is {}, calibration arrays must be float32 (expected {} float32 for input '{}')",
                 file, dtype_name(array.dtype()), expected_shape(input.shape), input.name);
    }
    std::optional<CalibrationRecipe> recipe;
    std::optional<std::filesystem::path> recipe_file;
    const std::filesystem::path candidate = recipe_path_for(spec.file);
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec)) {
      recipe = read_recipe(candidate);
      recipe_file = candidate;
    }
    const SampleLayout layout = detect_layout(array, input, limits.nhwc_inputs, recipe);
    const auto samples = static_cast<std::size_t>(array.shape()[0]);
    if (samples == 0) throw fail("{}: holds no samples (first dimension is 0)", file);
    if (k > 0 && samples != data.samples_) {
      throw fail("{}: holds {} samples but {} holds {}; every input needs the same number", file, samples,
                 data.bindings_.front().file.string(), data.samples_);
    }
    if (recipe) check_recipe_range(array, samples, *recipe, *recipe_file);

    CalibrationBinding binding;
    binding.file = spec.file;
    binding.input_name = input.name;
    binding.array_shape = array.shape();
    binding.input_shape = input.shape;
    binding.layout = layout;
    binding.samples = samples;
    binding.recipe = recipe_file;
    data.samples_ = samples;
    data.bindings_.push_back(std::move(binding));
    data.arrays_.push_back(std::move(array));
  }
  return data;
}

}  // namespace octet::quant
