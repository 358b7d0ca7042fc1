#pragma once
// Wall-clock seconds since construction (or the last restart), for the
// timings octet reports (never for anything that reaches an output file:
// those stay byte-identical from run to run).

#include <chrono>

namespace octet {

class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}

  double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

  // Seconds so far, and start again from now.
  double lap() {
    const auto now = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(now - start_).count();
    start_ = now;
    return s;
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace octet
