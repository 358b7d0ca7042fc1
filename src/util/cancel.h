#pragma once
// Cooperative cancellation: long-running work polls a CancelToken and throws
// octet::Cancelled, so that RAII cleans up partial output on the way out.

#include <atomic>

namespace octet {

class CancelToken {
 public:
  void request() noexcept { requested_.store(true, std::memory_order_relaxed); }
  bool requested() const noexcept { return requested_.load(std::memory_order_relaxed); }
  // Throws octet::Cancelled if cancellation was requested.
  void check() const;

 private:
  std::atomic<bool> requested_{false};
};

// The process-wide token that SIGINT/SIGTERM trip once install_signal_cancel() ran.
CancelToken& process_cancel_token();
// Routes SIGINT and SIGTERM to process_cancel_token(). A second signal kills at once.
void install_signal_cancel();

}  // namespace octet
