#pragma once
// Runs produce(i, slot) for i = 0..count-1 on worker threads and hands the
// results to consume(i, slot) on the calling thread strictly in index order.
// At most `window` results are in flight, so memory stays bounded however
// large `count` is. consume() returns false to stop early. Cancellation is
// polled while waiting; an exception from a worker is rethrown here.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "util/cancel.h"

namespace octet {

template <typename Slot, typename Produce, typename Consume>
void run_ordered_pipeline(std::size_t count, unsigned threads, std::size_t window,
                          Produce produce, Consume consume, const CancelToken& cancel) {
  if (count == 0) return;
  if (threads == 0) threads = 1;
  if (window < threads) window = threads;

  std::vector<Slot> slots(window);
  std::vector<char> ready(window, 0);
  std::mutex mutex;
  std::condition_variable changed;
  std::size_t next = 0;
  std::size_t consumed = 0;
  bool stop = false;
  std::exception_ptr worker_error;

  auto worker = [&] {
    for (;;) {
      std::size_t index = 0;
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return stop || next >= count || next < consumed + window; });
        if (stop || next >= count) return;
        index = next++;
      }
      try {
        produce(index, slots[index % window]);
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!worker_error) worker_error = std::current_exception();
        stop = true;
        changed.notify_all();
        return;
      }
      std::lock_guard lock(mutex);
      ready[index % window] = 1;
      changed.notify_all();
    }
  };

  std::vector<std::jthread> pool;
  auto shutdown = [&] {
    {
      std::lock_guard lock(mutex);
      stop = true;
    }
    changed.notify_all();
    pool.clear();  // joins
  };
  struct ShutdownGuard {
    decltype(shutdown)& run;
    ~ShutdownGuard() { run(); }
  } guard{shutdown};

  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);

  constexpr auto kCancelPoll = std::chrono::milliseconds(50);
  for (std::size_t index = 0; index < count; ++index) {
    const std::size_t slot = index % window;
    {
      std::unique_lock lock(mutex);
      while (!ready[slot] && !worker_error) {
        if (cancel.requested()) break;
        changed.wait_for(lock, kCancelPoll);
      }
      if (worker_error) std::rethrow_exception(worker_error);
    }
    cancel.check();
    const bool keep_going = consume(index, slots[slot]);
    {
      std::lock_guard lock(mutex);
      ready[slot] = 0;
      ++consumed;
    }
    changed.notify_all();
    if (!keep_going) break;
  }
}

}  // namespace octet
