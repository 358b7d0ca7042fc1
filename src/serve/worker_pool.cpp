#include "serve/worker_pool.h"

#include <algorithm>

namespace octet::serve {

WorkerPool::WorkerPool(unsigned workers, std::size_t max_queued, RunJob run)
    : run_(std::move(run)), max_queued_(max_queued) {
  for (unsigned i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
}

WorkerPool::~WorkerPool() { stop(); }

bool WorkerPool::submit(const std::string& id) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= max_queued_) return false;
    queue_.push_back(id);
  }
  wake_.notify_one();
  return true;
}

bool WorkerPool::cancel(const std::string& id) {
  std::lock_guard lock(mutex_);
  if (const auto it = std::find(queue_.begin(), queue_.end(), id); it != queue_.end()) {
    queue_.erase(it);
    return true;
  }
  if (const auto it = running_.find(id); it != running_.end()) {
    it->second->request();
    return true;
  }
  return false;
}

bool WorkerPool::running(const std::string& id) const {
  std::lock_guard lock(mutex_);
  return running_.contains(id);
}

bool WorkerPool::stopping() const {
  std::lock_guard lock(mutex_);
  return stopping_;
}

std::vector<std::string> WorkerPool::stop() {
  std::vector<std::string> dropped;
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && threads_.empty()) return dropped;
    stopping_ = true;
    dropped.assign(queue_.begin(), queue_.end());
    queue_.clear();
    for (auto& [id, token] : running_) token->request();
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  return dropped;
}

std::size_t WorkerPool::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

std::size_t WorkerPool::active() const {
  std::lock_guard lock(mutex_);
  return running_.size();
}

void WorkerPool::work() {
  for (;;) {
    std::string id;
    std::shared_ptr<CancelToken> token = std::make_shared<CancelToken>();
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      id = queue_.front();
      queue_.pop_front();
      running_.emplace(id, token);
    }
    run_(id, *token);
    std::lock_guard lock(mutex_);
    running_.erase(id);
  }
}

}  // namespace octet::serve
