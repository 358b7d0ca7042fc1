#pragma once
// The INT8 step of `octet convert`: calibrate the float graph on the user's
// samples, quantize it, and measure what quantization cost on held-out samples.

#include <filesystem>
#include <functional>
#include <string_view>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/graph.h"
#include "quant/calibration_data.h"
#include "quant/calibrator.h"
#include "quant/quantize_graph.h"

namespace octet {

class CancelToken;

// Progress of a conversion: (stage, done, total); total 0 when the stage has no count.
using ConvertProgress = std::function<void(std::string_view, std::size_t, std::size_t)>;

struct Int8Options {
  std::vector<quant::CalibrationSpec> calibration;  // --calib [NAME=]FILE.npy
  quant::CalibrationLimits limits;
  quant::CalibrationMethod method = quant::kDefaultCalibrationMethod;
  std::size_t max_samples = 0;  // --calib-samples (0 = all but the held-out ones)
  quant::QuantizeOptions quantize;
  bool progress = true;
  int threads = 1;                      // threads of the interpreter (calibration, accuracy); at least 1
  const CancelToken* cancel = nullptr;  // nullptr: process_cancel_token()
  ConvertProgress on_progress;          // stages "calibrating" (per sample), "quantizing", "measuring accuracy"
};

struct Int8Conversion {
  Graph graph;                     // the int8 graph
  nlohmann::ordered_json report;   // calibration, tensors, ops, accuracy
  std::vector<std::string> notes;  // decisions taken for the user
  // Wall seconds per stage (calibration, quantization, accuracy); kept out of
  // `report`, whose calibration entry goes into the .tflite's metadata.
  nlohmann::ordered_json timing;
};

// `float_graph` is the verified output of the float pipeline.
Int8Conversion convert_to_int8(const Graph& float_graph, const Int8Options& options);

}  // namespace octet
