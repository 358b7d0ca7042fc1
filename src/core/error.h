#pragma once
// octet's error types. Every failure a user can cause is an octet::Error whose
// message is one line that names the thing at fault and the rule it broke.

#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace octet {

// A bad input or environment problem (missing file, malformed data, ...).
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message);
};

// The command line itself is wrong (bad flag value, missing option).
class UsageError : public Error {
 public:
  using Error::Error;
};

// The user interrupted the work (Ctrl-C, SIGTERM).
class Cancelled : public Error {
 public:
  Cancelled();
};

// Builds an Error from a fmt format string: throw fail("{}: not found", path).
template <typename... Args>
Error fail(fmt::format_string<Args...> format, Args&&... args) {
  return Error(fmt::format(format, std::forward<Args>(args)...));
}

template <typename... Args>
UsageError usage_fail(fmt::format_string<Args...> format, Args&&... args) {
  return UsageError(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace octet
