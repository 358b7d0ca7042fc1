#pragma once
// Calibration: runs the float graph on calibration samples with octet's
// interpreter and observes the range of every non-constant float32 tensor
// (graph inputs included). Memory is one interpreter plus one observer per
// tensor, whatever the number of samples.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>

#include "core/graph.h"
#include "quant/calibration_data.h"
#include "quant/observer.h"

namespace octet {
class CancelToken;
}  // namespace octet

namespace octet::quant {

struct CalibrationOptions {
  CalibrationMethod method = kDefaultCalibrationMethod;
  ObserverOptions observer;
  bool progress = true;                  // a progress bar on stderr (when it is a terminal)
  const CancelToken* cancel = nullptr;   // polled before each sample; nullptr: process_cancel_token()
  std::function<void(std::size_t, std::size_t)> on_sample;  // (done, total) after each sample, if set
  int threads = 1;                       // threads of the interpreter's fast kernels (at least 1)
};

struct TensorCalibration {
  TensorId id = 0;
  CalibratedRange range;  // method chosen, calibrated min/max, observed min/max, counts
};

struct CalibrationResult {
  CalibrationMethod requested = CalibrationMethod::kMinMax;
  std::size_t samples = 0;  // samples run
  std::map<std::string, TensorCalibration, std::less<>> tensors;  // by tensor name

  // Throws octet::Error naming the tensor if it was not calibrated.
  const TensorCalibration& at(std::string_view name) const;
};

// Throws octet::Error for an empty or out-of-range sample index list, and
// octet::Cancelled when the token is tripped (checked before each sample).
CalibrationResult calibrate(const Graph& float_graph, const CalibrationData& data,
                            std::span<const std::size_t> sample_indices, const CalibrationOptions& options);

}  // namespace octet::quant
