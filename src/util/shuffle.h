#pragma once
// A shuffle whose result depends only on the seed: std::shuffle and
// std::uniform_int_distribution are implementation-defined, so octet uses its
// own Fisher-Yates over std::mt19937_64 (whose output the standard fixes).

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace octet {

// Uniform integer in [0, bound) by rejection sampling; bound > 0.
std::uint64_t uniform_below(std::mt19937_64& engine, std::uint64_t bound);

template <typename T>
void deterministic_shuffle(std::vector<T>& items, std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  for (std::size_t i = items.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(uniform_below(engine, i));
    using std::swap;
    swap(items[i - 1], items[j]);
  }
}

}  // namespace octet
