// The SQLite job store (src/serve/job_store.h) and the worker pool.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "core/error.h"
#include "serve/job_store.h"
#include "serve/upload.h"
#include "serve/worker_pool.h"

namespace octet::serve {
namespace {

class JobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("octet_store_test_" + new_id());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  static Job make_job(const std::string& id, JobStatus status, double created) {
    Job job;
    job.id = id;
    job.status = status;
    job.stage = std::string(to_string(status));
    job.settings = {{"precision", "int8"}};
    job.model_name = "m.onnx";
    job.result = nullptr;
    job.created = job.updated = created;
    return job;
  }
  std::filesystem::path dir_;
};

TEST_F(JobStoreTest, UploadInUseByAnActiveJobIsNotErased) {
  JobStore store(dir_ / "octet.db", "interrupted");
  store.insert_upload(Upload{"u1", "model", "m.onnx", dir_ / "m.onnx", 10, 1});
  store.insert_upload(Upload{"u2", "calibration", "c.npy", dir_ / "c.npy", 20, 2});
  EXPECT_EQ(store.uploads().size(), 2U);
  EXPECT_EQ(store.uploads()[0].id, "u2");  // newest first
  Job job = make_job("j", JobStatus::kQueued, 3);
  job.settings["model"] = {{"source", "upload"}, {"upload", "u1"}, {"name", "m.onnx"}};
  job.settings["calibration"] = {{"upload", "u2"}, {"kind", "calibration"}, {"name", "c.npy"}};
  store.insert_job(job);
  EXPECT_EQ(store.active_jobs_using("u1"), std::vector<std::string>{"j"});
  EXPECT_EQ(store.active_jobs_using("u2"), std::vector<std::string>{"j"});
  JobStore::EraseUpload refused = store.erase_upload("u2");
  EXPECT_TRUE(refused.found);
  EXPECT_EQ(refused.active_jobs, std::vector<std::string>{"j"});
  EXPECT_TRUE(store.upload("u2").has_value());
  // Running still holds it; finished releases it.
  ASSERT_TRUE(store.start_if_queued("j"));
  EXPECT_FALSE(store.start_if_queued("j"));
  EXPECT_EQ(store.erase_upload("u1").active_jobs, std::vector<std::string>{"j"});
  ASSERT_TRUE(store.set_status("j", JobStatus::kSucceeded, "done", ""));
  EXPECT_TRUE(store.active_jobs_using("u1").empty());
  const JobStore::EraseUpload erased = store.erase_upload("u1");
  EXPECT_TRUE(erased.found && erased.active_jobs.empty());
  EXPECT_FALSE(store.upload("u1").has_value());
  EXPECT_FALSE(store.erase_upload("u1").found);
  // A job naming a deleted upload is refused, not stored.
  Job late = make_job("k", JobStatus::kQueued, 4);
  late.settings["model"] = {{"source", "upload"}, {"upload", "u1"}, {"name", "m.onnx"}};
  try {
    store.insert_job(late);
    FAIL() << "insert_job accepted a job whose upload was deleted";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "model.upload: the upload 'u1' was deleted");
  }
  EXPECT_FALSE(store.job("k").has_value());
}

TEST_F(JobStoreTest, PersistsAcrossReopenAndFailsInterruptedJobs) {
  {
    JobStore store(dir_ / "octet.db", "interrupted");
    EXPECT_EQ(store.interrupted(), 0U);
    store.insert_job(make_job("a", JobStatus::kQueued, 1));
    store.insert_job(make_job("b", JobStatus::kQueued, 2));
    store.insert_job(make_job("c", JobStatus::kQueued, 3));
    const nlohmann::ordered_json result = {{"artifact", {{"file", "m.tflite"}}}};
    ASSERT_TRUE(store.set_status("a", JobStatus::kSucceeded, "done", "", &result));
    ASSERT_TRUE(store.set_status("b", JobStatus::kRunning, "calibrating", ""));
    store.set_progress("b", "calibrating", 3, 10);
  }
  JobStore store(dir_ / "octet.db", "interrupted by restart");
  EXPECT_EQ(store.interrupted(), 2U);  // b (running) and c (queued)
  const std::vector<Job> jobs = store.jobs();
  ASSERT_EQ(jobs.size(), 3U);
  EXPECT_EQ(jobs[0].id, "c");  // newest first
  const Job a = *store.job("a");
  EXPECT_EQ(a.status, JobStatus::kSucceeded);
  EXPECT_EQ(a.result["artifact"]["file"], "m.tflite");
  const Job b = *store.job("b");
  EXPECT_EQ(b.status, JobStatus::kFailed);
  EXPECT_EQ(b.error, "interrupted by restart");
  EXPECT_EQ(b.done, 3U);
  EXPECT_EQ(b.total, 10U);
}

TEST_F(JobStoreTest, CancelOnlyWhileQueuedAndErase) {
  JobStore store(dir_ / "octet.db", "interrupted");
  store.insert_job(make_job("q", JobStatus::kQueued, 1));
  store.insert_job(make_job("r", JobStatus::kRunning, 2));
  EXPECT_TRUE(store.cancel_if_queued("q", "cancelled by the user"));
  EXPECT_FALSE(store.cancel_if_queued("r", "cancelled by the user"));
  EXPECT_EQ(store.job("q")->status, JobStatus::kCancelled);
  EXPECT_EQ(store.job("r")->status, JobStatus::kRunning);
  EXPECT_TRUE(store.erase_job("q"));
  EXPECT_FALSE(store.erase_job("q"));
  EXPECT_FALSE(store.job("q").has_value());
}

TEST_F(JobStoreTest, Uploads) {
  JobStore store(dir_ / "octet.db", "interrupted");
  store.insert_upload({"0123456789abcdef", "model", "m.onnx", dir_ / "m.onnx", 42, 1.0});
  const std::optional<Upload> u = store.upload("0123456789abcdef");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->kind, "model");
  EXPECT_EQ(u->bytes, 42U);
  EXPECT_FALSE(store.upload("ffffffffffffffff").has_value());
}

TEST(WorkerPool, BoundsTheQueueAndCancels) {
  std::atomic<int> started{0};
  std::atomic<int> cancelled{0};
  WorkerPool pool(1, 2, [&](const std::string&, const CancelToken& token) {
    ++started;
    while (!token.requested()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ++cancelled;
  });
  ASSERT_TRUE(pool.submit("a"));
  while (started.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_TRUE(pool.running("a"));
  EXPECT_TRUE(pool.submit("b"));
  EXPECT_TRUE(pool.submit("c"));
  EXPECT_FALSE(pool.submit("d"));  // one running, two queued: full
  EXPECT_TRUE(pool.cancel("b"));   // queued: removed
  EXPECT_EQ(pool.queued(), 1U);
  EXPECT_TRUE(pool.cancel("a"));   // running: token tripped
  while (cancelled.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  while (started.load() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));  // c runs next
  const std::vector<std::string> dropped = pool.stop();
  EXPECT_TRUE(dropped.empty());
  EXPECT_EQ(cancelled.load(), 2);  // c cancelled by stop()
  EXPECT_FALSE(pool.cancel("zzz"));
}

}  // namespace
}  // namespace octet::serve
