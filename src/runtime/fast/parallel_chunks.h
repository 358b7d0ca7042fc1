#pragma once
// Splits an element-wise loop over a fast kernel's thread pool: [0, count) in
// chunks of kElementwiseChunk elements, one pthreadpool task per chunk, when
// the tensor has at least kElementwiseParallelMin elements (below that the
// pool's wake-up costs more than the loop); otherwise on the calling thread.

#include <pthreadpool.h>

#include <cstddef>

namespace octet::fast {

// Chunk size: 16 KiB of int8 output, a few microseconds of work per task.
inline constexpr std::size_t kElementwiseChunk = 16 * 1024;
// Smallest tensor worth splitting (two chunks).
inline constexpr std::size_t kElementwiseParallelMin = 2 * kElementwiseChunk;

// Calls body(begin, end) over disjoint ranges covering [0, count).
template <typename Body>
void parallel_chunks(pthreadpool* pool, std::size_t count, const Body& body) {
  if (pool == nullptr || pthreadpool_get_threads_count(pool) <= 1 || count < kElementwiseParallelMin) {
    body(std::size_t{0}, count);
    return;
  }
  struct Task {
    const Body* body;
    std::size_t count;
  } task{&body, count};
  const std::size_t chunks = (count + kElementwiseChunk - 1) / kElementwiseChunk;
  pthreadpool_parallelize_1d(
      pool,
      [](void* context, std::size_t chunk) {
        const Task& t = *static_cast<const Task*>(context);
        const std::size_t begin = chunk * kElementwiseChunk;
        const std::size_t end = begin + kElementwiseChunk < t.count ? begin + kElementwiseChunk : t.count;
        (*t.body)(begin, end);
      },
      &task, chunks, 0);
}

}  // namespace octet::fast
