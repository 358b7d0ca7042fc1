#pragma once
// The fast kernel of every op whose output byte depends only on one input
// byte: out[i] = table[in[i]] over the whole tensor (byte_lookup.h), split
// over the thread pool above kElementwiseParallelMin elements. The tables
// are the reference kernels' own values: unary_table_int8.cpp (one op),
// silu_table_int8.cpp (a LOGISTIC folded into its MUL).

#include <cstddef>
#include <cstdint>

#include "runtime/fast/byte_lookup.h"
#include "runtime/fast/fast_kernel.h"
#include "runtime/fast/parallel_chunks.h"

namespace octet::fast {

class TableLookupKernel final : public FastKernel {
 public:
  TableLookupKernel(const ByteTable& table, const std::uint8_t* in, std::uint8_t* out, std::size_t count,
                    pthreadpool* threadpool)
      : table_(table), lookup_(best_byte_lookup()), in_(in), out_(out), count_(count), threadpool_(threadpool) {}

  void run() override {
    parallel_chunks(threadpool_, count_,
                    [this](std::size_t begin, std::size_t end) { lookup_(table_, in_ + begin, out_ + begin, end - begin); });
  }

 private:
  ByteTable table_;
  ByteLookupFn lookup_;
  const std::uint8_t* in_;
  std::uint8_t* out_;
  std::size_t count_;
  pthreadpool* threadpool_;
};

}  // namespace octet::fast
