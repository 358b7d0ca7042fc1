#include "util/cancel.h"

#include <csignal>

#include "core/error.h"

namespace octet {

void CancelToken::check() const {
  if (requested()) throw Cancelled();
}

CancelToken& process_cancel_token() {
  static CancelToken token;
  return token;
}

namespace {
extern "C" void on_cancel_signal(int signal_number) {
  process_cancel_token().request();  // lock-free atomic store: async-signal-safe
  std::signal(signal_number, SIG_DFL);
}
}  // namespace

void install_signal_cancel() {
  process_cancel_token();  // construct before any signal can arrive
  std::signal(SIGINT, on_cancel_signal);
  std::signal(SIGTERM, on_cancel_signal);
}

}  // namespace octet
