// Micro-benchmarks of the calibration observers' per-value cost (they see
// every activation of every calibration sample, so they bound calibration
// speed once the forward pass is fast). Data: ReLU-like (half exact zeros,
// the rest half-normal) and signed normal values, 1M per call.
//   cmake --preset release -DOCTET_BUILD_BENCHMARKS=ON && cmake --build build
//   build/bench/micro/octet_micro_bench --benchmark_filter=Observer

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "quant/histogram.h"
#include "quant/observer.h"

namespace {

constexpr std::size_t kValues = 1 << 20;
constexpr unsigned kSeed = 7;

std::vector<float> activations(bool relu) {
  std::mt19937 rng(kSeed);
  std::normal_distribution<float> normal(0.0F, 1.0F);
  std::vector<float> values(kValues);
  for (float& v : values) {
    v = normal(rng);
    if (relu && v < 0.0F) v = 0.0F;
  }
  return values;
}

void BM_ObserverHistogram(benchmark::State& state) {
  const std::vector<float> values = activations(state.range(0) != 0);
  octet::quant::ActivationHistogram histogram;
  for (auto _ : state) {
    histogram.add(values);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kValues));
}
BENCHMARK(BM_ObserverHistogram)->Arg(0)->Arg(1)->ArgName("relu");

// The percentile method's histogram: tail mode (only the outer 1% of each
// half binned once the band is set by the first call).
void BM_ObserverHistogramTails(benchmark::State& state) {
  const std::vector<float> values = activations(state.range(0) != 0);
  constexpr double kTailFraction = 0.01;
  octet::quant::ActivationHistogram histogram(kTailFraction);
  histogram.add(values);
  for (auto _ : state) {
    histogram.add(values);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kValues));
}
BENCHMARK(BM_ObserverHistogramTails)->Arg(0)->Arg(1)->ArgName("relu");

void BM_ObserverMinMax(benchmark::State& state) {
  const std::vector<float> values = activations(state.range(0) != 0);
  auto observer = octet::quant::make_observer(octet::quant::CalibrationMethod::kMinMax, {});
  for (auto _ : state) {
    observer->observe(values);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kValues));
}
BENCHMARK(BM_ObserverMinMax)->Arg(0)->Arg(1)->ArgName("relu");

}  // namespace
