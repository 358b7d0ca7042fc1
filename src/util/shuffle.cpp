#include "util/shuffle.h"

#include <limits>

namespace octet {

std::uint64_t uniform_below(std::mt19937_64& engine, std::uint64_t bound) {
  // Reject the top partial bucket so every residue is equally likely.
  const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  const std::uint64_t limit = max - (max % bound + 1) % bound;
  std::uint64_t draw = engine();
  while (draw > limit) draw = engine();
  return draw % bound;
}

}  // namespace octet
