#pragma once
// Helpers for the calibration tests: deterministic synthetic distributions,
// an independent brute-force int8 quantize-dequantize error, and .npy writers.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "dataset/npy_writer.h"

namespace octet::quant::test {

inline constexpr double kTwoPi = 6.283185307179586;

// Standard normal values by Box-Muller on a fixed-seed mt19937 (fully specified by the standard).
inline std::vector<float> gaussian(std::size_t count, std::uint32_t seed) {
  std::mt19937 engine(seed);
  const auto uniform = [&engine] {
    return (static_cast<double>(engine()) + 0.5) / 4294967296.0;  // (0, 1)
  };
  std::vector<float> out;
  out.reserve(count);
  while (out.size() < count) {
    const double r = std::sqrt(-2.0 * std::log(uniform()));
    const double angle = kTwoPi * uniform();
    out.push_back(static_cast<float>(r * std::cos(angle)));
    if (out.size() < count) out.push_back(static_cast<float>(r * std::sin(angle)));
  }
  return out;
}

// The mean squared error of TFLite's asymmetric int8 quantize-dequantize over
// [lo, hi] (zero point rounded into 0..255), computed value by value.
inline double brute_force_int8_mse(std::span<const float> values, double lo, double hi) {
  const double scale = (hi - lo) / 255.0;
  const double zero_point = std::clamp(std::round(-lo / scale), 0.0, 255.0);
  double sum = 0.0;
  for (const float v : values) {
    const double x = static_cast<double>(v);
    const double q = std::clamp(std::round(x / scale) + zero_point, 0.0, 255.0);
    const double error = x - (q - zero_point) * scale;
    sum += error * error;
  }
  return sum / static_cast<double>(values.size());
}

// A float32 .npy of `shape` (rows along the first axis) via octet's writer.
inline void write_npy(const std::filesystem::path& path, const std::vector<std::uint64_t>& shape,
                      const std::vector<float>& values) {
  NpyStreamWriter writer(path.string() + ".partial", std::vector<std::uint64_t>(shape.begin() + 1, shape.end()));
  const std::size_t row = shape[0] == 0 ? 0 : values.size() / shape[0];
  for (std::uint64_t i = 0; i < shape[0]; ++i) {
    writer.append_row(std::span<const float>(values.data() + i * row, row));
  }
  writer.commit_as(path);
}

// A .npy of any descr (e.g. "<i4") with `data_bytes` zero bytes of data.
inline void write_raw_npy(const std::filesystem::path& path, const std::string& descr, const std::string& shape_text,
                          std::size_t data_bytes) {
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape_text + ", }";
  const std::size_t prelude = 10;
  const std::size_t aligned = 64;
  while ((prelude + dict.size() + 1) % aligned != 0) dict += ' ';
  dict += '\n';
  std::string bytes("\x93NUMPY\x01\x00", 8);
  bytes += static_cast<char>(dict.size() & 0xFFU);
  bytes += static_cast<char>((dict.size() >> 8U) & 0xFFU);
  bytes += dict;
  bytes.append(data_bytes, '\0');
  std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace octet::quant::test
