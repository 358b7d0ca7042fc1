// SerialWorker: tasks run one at a time in submission order; wait_done(t)
// returns only after task t and all before it ran; a task's exception reaches
// the waiting thread; destruction with queued tasks neither hangs nor runs them.

#include "util/serial_worker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace octet {
namespace {

TEST(SerialWorker, RunsTasksInSubmissionOrder) {
  std::vector<int> seen;  // written by the worker only, read after wait_idle()
  SerialWorker worker;
  constexpr int kTasks = 1000;
  for (int i = 0; i < kTasks; ++i) worker.submit([&seen, i] { seen.push_back(i); });
  worker.wait_idle();
  ASSERT_EQ(seen.size(), static_cast<std::size_t>(kTasks));
  for (int i = 0; i < kTasks; ++i) EXPECT_EQ(seen[static_cast<std::size_t>(i)], i);
}

TEST(SerialWorker, WaitDoneCoversTheTicketAndEveryEarlierTask) {
  std::atomic<int> done{0};
  SerialWorker worker;
  std::vector<std::uint64_t> tickets;
  for (int i = 0; i < 8; ++i) {
    tickets.push_back(worker.submit([&done] {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      ++done;
    }));
  }
  EXPECT_EQ(tickets.front(), 1U);
  EXPECT_EQ(tickets.back(), 8U);
  worker.wait_done(tickets[3]);
  EXPECT_GE(done.load(), 4);
  worker.wait_done(0);  // nothing to wait for
  worker.wait_idle();
  EXPECT_EQ(done.load(), 8);
}

TEST(SerialWorker, ATaskExceptionReachesTheWaiterAndDropsLaterTasks) {
  std::atomic<int> ran{0};
  SerialWorker worker;
  worker.submit([&ran] { ++ran; });
  const std::uint64_t failing = worker.submit([] { throw std::runtime_error("observer failed"); });
  worker.submit([&ran] { ++ran; });  // may be dropped: it comes after the failure
  try {
    worker.wait_done(failing);
    FAIL() << "the task's exception was not rethrown";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "observer failed");
  }
  EXPECT_THROW(worker.wait_idle(), std::runtime_error);
  EXPECT_EQ(ran.load(), 1);
}

TEST(SerialWorker, DestructionWithQueuedTasksJoinsWithoutRunningThem) {
  std::atomic<int> ran{0};
  {
    SerialWorker worker;
    worker.submit([] { std::this_thread::sleep_for(std::chrono::milliseconds(20)); });
    for (int i = 0; i < 100; ++i) worker.submit([&ran] { ++ran; });
  }
  EXPECT_LT(ran.load(), 100);
}

}  // namespace
}  // namespace octet
