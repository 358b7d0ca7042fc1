#pragma once
// A fixed number of worker threads taking job ids from a bounded queue. Each
// running job has its own CancelToken, tripped by cancel() or by stop().

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "util/cancel.h"

namespace octet::serve {

class WorkerPool {
 public:
  // run(id, token) executes one job; exceptions must not escape it.
  using RunJob = std::function<void(const std::string&, const CancelToken&)>;
  WorkerPool(unsigned workers, std::size_t max_queued, RunJob run);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False when the queue is full (or the pool stopping).
  bool submit(const std::string& id);
  // Removes a queued job (true), or trips a running job's token (true); false if neither.
  bool cancel(const std::string& id);
  bool running(const std::string& id) const;
  // True once stop() began: a job cancelled now was interrupted, not cancelled by a user.
  bool stopping() const;
  // Trips every running job's token, drops the queue and joins the workers.
  // Returns the ids that were still queued.
  std::vector<std::string> stop();

  std::size_t queued() const;
  std::size_t active() const;

 private:
  void work();

  RunJob run_;
  std::size_t max_queued_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::string> queue_;
  std::map<std::string, std::shared_ptr<CancelToken>> running_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace octet::serve
