#pragma once
// One background thread that runs submitted tasks one at a time, in the order
// they were submitted. The submitting thread goes on with its own work and
// calls wait_done(ticket) or wait_idle() before it touches anything the
// queued tasks read; an exception thrown by a task is rethrown there (later
// tasks are dropped). The destructor drops queued tasks and joins the thread.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

namespace octet {

class SerialWorker {
 public:
  using Task = std::function<void()>;

  SerialWorker() : thread_([this](const std::stop_token& stop) { loop(stop); }) {}
  SerialWorker(const SerialWorker&) = delete;
  SerialWorker& operator=(const SerialWorker&) = delete;
  ~SerialWorker() {
    {
      std::lock_guard lock(mutex_);
      tasks_.clear();
      thread_.request_stop();
    }
    changed_.notify_all();
  }

  // Queues a task; returns its ticket (1 for the first task, then 2, 3...).
  std::uint64_t submit(Task task) {
    std::uint64_t ticket = 0;
    {
      std::lock_guard lock(mutex_);
      ticket = ++submitted_;
      if (error_) return ticket;  // a task failed: the wait reports it, the rest is moot
      tasks_.push_back(std::move(task));
    }
    changed_.notify_all();
    return ticket;
  }

  // Blocks until the task with this ticket and every one before it has run
  // (ticket 0: returns at once); rethrows a task's exception.
  void wait_done(std::uint64_t ticket) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return finished_ >= ticket || error_; });
    if (error_) std::rethrow_exception(error_);
  }

  // Blocks until every submitted task has run; rethrows a task's exception.
  void wait_idle() {
    std::uint64_t last = 0;
    {
      std::lock_guard lock(mutex_);
      last = submitted_;
    }
    wait_done(last);
  }

 private:
  void loop(const std::stop_token& stop) {
    std::unique_lock lock(mutex_);
    for (;;) {
      changed_.wait(lock, [&] { return stop.stop_requested() || !tasks_.empty(); });
      if (stop.stop_requested()) return;
      Task task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      std::exception_ptr error;
      try {
        task();
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      ++finished_;
      if (error && !error_) {
        error_ = error;
        tasks_.clear();
      }
      changed_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Task> tasks_;
  std::uint64_t submitted_ = 0;
  std::uint64_t finished_ = 0;
  std::exception_ptr error_;
  std::jthread thread_;  // last: starts after the members it uses exist
};

}  // namespace octet
