#include "convert/int8_conversion.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"
#include "dataset/recipe.h"
#include "runtime/interpreter.h"
#include "util/stopwatch.h"

namespace octet {

namespace {

using Json = nlohmann::ordered_json;

// Held-out samples for the accuracy check: a tenth of the set, at least one
// (when there are two or more samples) and at most kMaxHeldOut.
constexpr std::size_t kHeldOutFraction = 10;
constexpr std::size_t kMaxHeldOut = 32;

struct SampleSplit {
  std::vector<std::size_t> calibration;
  std::vector<std::size_t> held_out;  // empty when the set has a single sample
};

SampleSplit split_samples(std::size_t count, std::size_t max_calibration) {
  SampleSplit split;
  const std::size_t held = count < 2 ? 0 : std::clamp<std::size_t>(count / kHeldOutFraction, 1, kMaxHeldOut);
  std::size_t calibration = count - held;
  if (max_calibration > 0) calibration = std::min(calibration, max_calibration);
  for (std::size_t i = 0; i < calibration; ++i) split.calibration.push_back(i);
  for (std::size_t i = count - held; i < count; ++i) split.held_out.push_back(i);
  return split;
}

// Writes the float values of `from` into `to`, quantizing for int8/uint8 inputs.
void feed(const TensorView& from, const TensorView& to) {
  const std::span<const float> values(from.as<const float>(), from.count());
  if (to.dtype == DType::kFloat32) {
    std::copy(values.begin(), values.end(), to.as<float>());
    return;
  }
  const QuantParams& q = *to.quant;
  const quant::IntRange range = quant::int_range(to.dtype);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::int32_t v = quant::quantize_value(values[i], q.scale[0], q.zero_point[0], range);
    if (to.dtype == DType::kInt8) {
      to.as<std::int8_t>()[i] = static_cast<std::int8_t>(v);
    } else {
      to.as<std::uint8_t>()[i] = static_cast<std::uint8_t>(v);
    }
  }
}

bool is_real(const TensorView& view) {
  return view.dtype == DType::kFloat32 || ((view.dtype == DType::kInt8 || view.dtype == DType::kUint8) && view.quant);
}

// The real values of an output view (dequantized when integer).
std::vector<float> real_values(const TensorView& view) {
  std::vector<float> out(view.count());
  for (std::size_t i = 0; i < out.size(); ++i) {
    switch (view.dtype) {
      case DType::kFloat32: out[i] = view.as<const float>()[i]; break;
      case DType::kInt8:
        out[i] = quant::dequantize_value(view.as<const std::int8_t>()[i], view.quant->scale[0], view.quant->zero_point[0]);
        break;
      case DType::kUint8:
        out[i] = quant::dequantize_value(view.as<const std::uint8_t>()[i], view.quant->scale[0], view.quant->zero_point[0]);
        break;
      default: break;
    }
  }
  return out;
}

double median(std::vector<double> values) {
  if (values.empty()) return std::nan("");
  std::sort(values.begin(), values.end());
  const std::size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2.0;
}

Json finite_or_null(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

// SQNR of each model output, INT8 against FP32, on `samples`.
Json measure_accuracy(const Graph& float_graph, const Graph& int8_graph, const quant::CalibrationData& data,
                      const std::vector<std::size_t>& samples, int threads) {
  const InterpreterOptions interpreter_options{.threads = threads};
  Interpreter reference(float_graph, interpreter_options);
  Interpreter quantized(int8_graph, interpreter_options);
  const std::size_t outputs = reference.output_count();
  std::vector<std::vector<double>> per_sample(outputs);
  std::vector<double> signal(outputs, 0.0);
  std::vector<double> noise(outputs, 0.0);
  for (const std::size_t s : samples) {
    data.write_sample(s, reference);
    for (std::size_t i = 0; i < reference.input_count(); ++i) feed(reference.input(i), quantized.input(i));
    reference.invoke();
    quantized.invoke();
    for (std::size_t o = 0; o < outputs; ++o) {
      if (!is_real(reference.output(o)) || !is_real(quantized.output(o))) continue;  // indices (ARG_MAX): no SQNR
      const std::vector<float> y = real_values(reference.output(o));
      const std::vector<float> yq = real_values(quantized.output(o));
      per_sample[o].push_back(quant::sqnr_db(y, yq));
      for (std::size_t i = 0; i < y.size(); ++i) {
        const double d = static_cast<double>(y[i]) - static_cast<double>(yq[i]);
        signal[o] += static_cast<double>(y[i]) * static_cast<double>(y[i]);
        noise[o] += d * d;
      }
    }
  }
  Json list = Json::array();
  constexpr double kDecibelsPerDecade = 10.0;
  for (std::size_t o = 0; o < outputs; ++o) {
    const double total = noise[o] == 0.0 ? std::numeric_limits<double>::infinity()
                                          : kDecibelsPerDecade * std::log10(signal[o] / noise[o]);
    const auto [lo, hi] = std::minmax_element(per_sample[o].begin(), per_sample[o].end());
    list.push_back({{"output", float_graph.tensor(float_graph.outputs()[o]).name},
                    {"sqnr_db_median", finite_or_null(median(per_sample[o]))},
                    {"sqnr_db_min", per_sample[o].empty() ? Json(nullptr) : finite_or_null(*lo)},
                    {"sqnr_db_max", per_sample[o].empty() ? Json(nullptr) : finite_or_null(*hi)},
                    {"sqnr_db_pooled", finite_or_null(total)}});
  }
  return list;
}

// The calibration data binding, with the preprocessing recipe when there is
// one (`octet run` applies it to images by default).
Json bindings_json(const quant::CalibrationData& data) {
  Json list = Json::array();
  for (const quant::CalibrationBinding& b : data.bindings()) {
    Json entry = {{"file", b.file.filename().string()},
                  {"input", b.input_name},
                  {"array_shape", b.array_shape},
                  {"layout", quant::sample_layout_name(b.layout)},
                  {"samples", b.samples}};
    if (b.recipe) entry["recipe"] = Json::parse(recipe_to_json(read_recipe(*b.recipe)));
    list.push_back(std::move(entry));
  }
  return list;
}

}  // namespace

Int8Conversion convert_to_int8(const Graph& float_graph, const Int8Options& options) {
  const quant::CalibrationData data = quant::open_calibration_data(float_graph, options.calibration, options.limits);
  const SampleSplit split = split_samples(data.sample_count(), options.max_samples);

  quant::CalibrationOptions calibration;
  calibration.method = options.method;
  calibration.progress = options.progress;
  calibration.cancel = options.cancel;
  calibration.threads = options.threads;
  const auto report_progress = [&options](std::string_view stage, std::size_t done, std::size_t total) {
    if (options.on_progress) options.on_progress(stage, done, total);
  };
  calibration.on_sample = [&](std::size_t done, std::size_t total) { report_progress("calibrating", done, total); };
  report_progress("calibrating", 0, split.calibration.size());
  Stopwatch clock;
  const quant::CalibrationResult calibrated = quant::calibrate(float_graph, data, split.calibration, calibration);
  const double calibration_seconds = clock.lap();

  report_progress("quantizing", 0, 0);
  quant::TensorRanges ranges;
  for (const auto& [name, t] : calibrated.tensors) ranges[name] = {t.range.min, t.range.max};
  quant::QuantizeResult quantized = quant::quantize_graph(float_graph, ranges, options.quantize);
  const double quantize_seconds = clock.lap();

  Int8Conversion result;
  result.notes = quantized.notes;
  const bool held_out = !split.held_out.empty();
  if (!held_out) result.notes.push_back("accuracy measured on the calibration sample itself (the set has one sample)");
  const std::vector<std::size_t>& accuracy_samples = held_out ? split.held_out : split.calibration;

  Json tensors = Json::array();
  for (const quant::QuantizedTensorRecord& t : quantized.tensors) {
    Json entry = {{"name", t.name}, {"rule", t.rule}};
    if (const auto it = calibrated.tensors.find(t.name); it != calibrated.tensors.end()) {
      entry["observer"] = quant::calibration_method_name(it->second.range.method);
      entry["observed"] = {it->second.range.observed_min, it->second.range.observed_max};
      if (it->second.range.approximate) {
        entry["approximate"] = true;
        result.notes.push_back(fmt::format(
            "tensor '{}': its percentile fell where the calibration histogram only counted values (the samples after "
            "the first ones were narrower); the range is interpolated there",
            t.name));
      }
    }
    entry["range"] = {t.range.min, t.range.max};
    entry["scale"] = t.scale;
    entry["zero_point"] = t.zero_point;
    tensors.push_back(std::move(entry));
  }
  Json ops = Json::array();
  for (const quant::QuantizedOpRecord& op : quantized.ops) {
    Json entry = {{"name", op.name}, {"type", op.type}, {"dtype", op.dtype}};
    if (!op.note.empty()) entry["fallback"] = op.note;
    ops.push_back(std::move(entry));
  }
  result.report["calibration"] = {{"data", bindings_json(data)},
                                  {"method", quant::calibration_method_name(options.method)},
                                  {"samples", split.calibration.size()},
                                  {"held_out", split.held_out.size()}};
  report_progress("measuring accuracy", 0, 0);
  result.report["accuracy"] = {
      {"samples", accuracy_samples.size()},
      {"held_out", held_out},
      {"outputs", measure_accuracy(float_graph, quantized.graph, data, accuracy_samples, options.threads)}};
  result.timing = {{"calibration_seconds", calibration_seconds},
                   {"calibration_samples", split.calibration.size()},
                   {"quantize_seconds", quantize_seconds},
                   {"accuracy_seconds", clock.lap()},
                   {"accuracy_samples", accuracy_samples.size()}};
  result.report["tensors"] = std::move(tensors);
  result.report["op_dtypes"] = std::move(ops);
  result.graph = std::move(quantized.graph);
  return result;
}

}  // namespace octet
