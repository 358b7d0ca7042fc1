#include "core/error.h"

namespace octet {

namespace {
// Messages are one line: fold any newline a library put into its text.
std::string one_line(std::string message) {
  for (char& c : message) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  while (!message.empty() && message.back() == ' ') message.pop_back();
  return message;
}
}  // namespace

Error::Error(const std::string& message) : std::runtime_error(one_line(message)) {}

Cancelled::Cancelled() : Error("interrupted by the user; no output was written") {}

}  // namespace octet
