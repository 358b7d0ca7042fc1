#include "util/ordered_pipeline.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

#include "core/error.h"

namespace octet {
namespace {

struct Slot {
  std::size_t value = 0;
};

void jitter(std::size_t index) {
  // Later items often finish first: stresses the ordering.
  std::this_thread::sleep_for(std::chrono::microseconds((index * 7919) % 300));
}

TEST(OrderedPipeline, ConsumesEveryItemInOrder) {
  for (unsigned threads : {1U, 2U, 5U}) {
    std::vector<std::size_t> seen;
    CancelToken cancel;
    run_ordered_pipeline<Slot>(
        200, threads, threads * 2,
        [](std::size_t i, Slot& slot) {
          jitter(i);
          slot.value = i * i;
        },
        [&](std::size_t i, Slot& slot) {
          EXPECT_EQ(slot.value, i * i);
          seen.push_back(i);
          return true;
        },
        cancel);
    ASSERT_EQ(seen.size(), 200U);
    for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], i);
  }
}

TEST(OrderedPipeline, NeverRunsMoreThanWindowAhead) {
  std::atomic<std::size_t> consumed{0};
  std::atomic<std::size_t> worst_lead{0};
  CancelToken cancel;
  run_ordered_pipeline<Slot>(
      100, 3, 6,
      [&](std::size_t i, Slot&) {
        const std::size_t lead = i - consumed.load();
        std::size_t worst = worst_lead.load();
        while (lead > worst && !worst_lead.compare_exchange_weak(worst, lead)) {
        }
        jitter(i);
      },
      [&](std::size_t, Slot&) {
        consumed.fetch_add(1);
        return true;
      },
      cancel);
  EXPECT_LT(worst_lead.load(), 6U);
}

TEST(OrderedPipeline, StopsEarlyWhenConsumerSaysSo) {
  std::size_t consumed = 0;
  std::atomic<std::size_t> produced{0};
  CancelToken cancel;
  run_ordered_pipeline<Slot>(
      10000, 2, 4, [&](std::size_t, Slot&) { produced.fetch_add(1); },
      [&](std::size_t i, Slot&) {
        ++consumed;
        return i < 9;
      },
      cancel);
  EXPECT_EQ(consumed, 10U);
  EXPECT_LE(produced.load(), 10U + 4U);
}

TEST(OrderedPipeline, WorkerExceptionReachesCaller) {
  CancelToken cancel;
  EXPECT_THROW(run_ordered_pipeline<Slot>(
                   50, 2, 4,
                   [](std::size_t i, Slot&) {
                     if (i == 13) throw std::runtime_error("boom");
                   },
                   [](std::size_t, Slot&) { return true; }, cancel),
               std::runtime_error);
}

TEST(OrderedPipeline, CancellationThrowsCancelled) {
  CancelToken cancel;
  std::size_t consumed = 0;
  EXPECT_THROW(run_ordered_pipeline<Slot>(
                   1000, 2, 4, [](std::size_t i, Slot&) { jitter(i); },
                   [&](std::size_t, Slot&) {
                     if (++consumed == 5) cancel.request();
                     return true;
                   },
                   cancel),
               Cancelled);
  EXPECT_EQ(consumed, 5U);
}

}  // namespace
}  // namespace octet
