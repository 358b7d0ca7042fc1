#include "util/byte_size.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <utility>

#include "core/error.h"

namespace octet {

namespace {

constexpr std::array<std::pair<std::string_view, double>, 9> kUnits{{
    {"B", 1.0},
    {"KB", 1e3},
    {"MB", 1e6},
    {"GB", 1e9},
    {"TB", 1e12},
    {"KIB", 1024.0},
    {"MIB", 1024.0 * 1024.0},
    {"GIB", 1024.0 * 1024.0 * 1024.0},
    {"TIB", 1024.0 * 1024.0 * 1024.0 * 1024.0},
}};

std::string upper(std::string_view text) {
  std::string result(text);
  for (char& c : result) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return result;
}

UsageError bad_size(std::string_view text) {
  return usage_fail("'{}' is not a byte size (use e.g. 500MB, 1.5GB, 256MiB or a number of bytes)",
                    text);
}

}  // namespace

std::uint64_t parse_byte_size(std::string_view text) {
  double number = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  const auto [rest, ec] = std::from_chars(begin, end, number);
  if (ec != std::errc{} || rest == begin || !std::isfinite(number) || number < 0) {
    throw bad_size(text);
  }
  std::string_view unit(rest, static_cast<std::size_t>(end - rest));
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  double multiplier = 1.0;
  if (!unit.empty()) {
    const std::string key = upper(unit);
    bool found = false;
    for (const auto& [name, factor] : kUnits) {
      if (key == name) {
        multiplier = factor;
        found = true;
      }
    }
    if (!found) throw bad_size(text);
  }
  const double bytes = std::floor(number * multiplier);
  if (bytes >= 1.8e19) throw bad_size(text);
  return static_cast<std::uint64_t>(bytes);
}

std::string format_byte_size(std::uint64_t bytes) {
  const auto value = static_cast<double>(bytes);
  if (value >= 1e9) return fmt::format("{:.2f} GB", value / 1e9);
  if (value >= 1e6) return fmt::format("{:.1f} MB", value / 1e6);
  if (value >= 1e3) return fmt::format("{:.1f} KB", value / 1e3);
  return fmt::format("{} bytes", bytes);
}

}  // namespace octet
