#pragma once
// Calibration arrays (--calib [NAME=]FILE.npy) bound to a graph's inputs and
// validated before any work: name binding, float32, shape (the input's own
// layout, or NCHW for a rank-4 NHWC input), one sample count, a size limit
// checked on the file size before mapping, and the value range against the
// `octet prepare` recipe beside the array. Rules in docs/calibration.md.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/graph.h"
#include "dataset/npy_reader.h"

namespace octet {
class Interpreter;
}  // namespace octet

namespace octet::quant {

struct CalibrationSpec {
  std::string input_name;  // empty: bind to the model's single input
  std::filesystem::path file;
};

// "[NAME=]FILE.npy". The text splits at its first '=' unless it names an
// existing file as a whole; throws octet::UsageError for an empty name or file.
CalibrationSpec parse_calibration_spec(std::string_view text);

// LaunchX accepts calibration datasets up to 500 MB (octet prepare's --max-bytes default).
inline constexpr std::uint64_t kDefaultCalibrationLimitBytes = 500'000'000;

struct CalibrationLimits {
  // Largest calibration file accepted, in bytes, checked before mapping it.
  std::uint64_t limit_bytes = kDefaultCalibrationLimitBytes;
  // Rank-4 graph inputs are NHWC (octet's import default), so an NCHW array is
  // accepted and transposed. False when the model was imported keeping NCHW inputs.
  bool nhwc_inputs = true;
};

// How one sample of the array becomes the input tensor.
enum class SampleLayout {
  kAsInput,     // the input's own layout: copied as is
  kNchwToNhwc,  // an NCHW array for an NHWC input: transposed per sample
};

// The layout's name in convert's report and in the model's metadata
// (octet_conversion.calibration.data[i].layout): "as input", "NCHW transposed to NHWC".
const char* sample_layout_name(SampleLayout layout);

struct CalibrationBinding {
  std::filesystem::path file;
  std::string input_name;
  Shape array_shape;
  Shape input_shape;
  SampleLayout layout = SampleLayout::kAsInput;
  std::size_t samples = 0;
  std::optional<std::filesystem::path> recipe;  // the recipe checked against the values

  // One line for the report: file, input, layout, N, recipe.
  std::string describe() const;
};

class CalibrationData {
 public:
  std::size_t sample_count() const { return samples_; }
  // Writes sample `index` of every array into its graph input (found by name
  // in the interpreter's graph). Throws octet::Error for an index out of
  // range or an input that is missing or has another size.
  void write_sample(std::size_t index, Interpreter& interpreter) const;
  std::span<const CalibrationBinding> bindings() const { return bindings_; }
  // One line per binding.
  std::string describe() const;

 private:
  friend CalibrationData open_calibration_data(const Graph& graph, std::span<const CalibrationSpec> specs,
                                               const CalibrationLimits& limits);
  std::vector<NpyArray> arrays_;  // parallel to bindings_
  std::vector<CalibrationBinding> bindings_;
  std::size_t samples_ = 0;
  // An NCHW sample read before its transposition into the input (one sample's
  // bytes, reused: write_sample keeps no other state).
  mutable std::vector<std::byte> staging_;
};

// Opens, binds and validates every spec; throws a one-line octet::Error naming
// the file and the rule (with the expected shape) at the first problem.
CalibrationData open_calibration_data(const Graph& graph, std::span<const CalibrationSpec> specs,
                                      const CalibrationLimits& limits);

// The recipe file `octet prepare` writes beside an array: same name, .json.
std::filesystem::path recipe_path_for(const std::filesystem::path& array_file);

}  // namespace octet::quant
