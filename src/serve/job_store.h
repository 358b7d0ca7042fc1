#pragma once
// `octet serve`'s persistent state: jobs and uploads in one SQLite database
// (WAL journal) under --data. Thread-safe: one connection behind a mutex.

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

struct sqlite3;

namespace octet::serve {

enum class JobStatus { kQueued, kRunning, kSucceeded, kFailed, kCancelled };
std::string_view to_string(JobStatus status);
bool is_finished(JobStatus status);

struct Job {
  std::string id;
  JobStatus status = JobStatus::kQueued;
  std::string stage;        // what the worker is doing ("queued", "calibrating", ...)
  std::uint64_t done = 0;   // progress within the stage
  std::uint64_t total = 0;  // 0: the stage has no count
  nlohmann::ordered_json settings;  // the request, validated
  std::string model_name;           // the source model's (sanitised) file name
  std::string error;                // one line, when failed or cancelled
  nlohmann::ordered_json result;    // report, inspect, prepare, artifact names (when succeeded)
  double created = 0;  // seconds since the epoch
  double updated = 0;
};

struct Upload {
  std::string id;
  std::string kind;  // "model", "calibration", "images"
  std::string name;  // sanitised file name
  std::filesystem::path path;
  std::uint64_t bytes = 0;
  double created = 0;
};

class JobStore {
 public:
  // Opens (creating) DIR/octet.db. Jobs left queued or running by a previous
  // server are failed with `interrupted_reason`.
  JobStore(const std::filesystem::path& db_path, const std::string& interrupted_reason);
  ~JobStore();
  JobStore(const JobStore&) = delete;
  JobStore& operator=(const JobStore&) = delete;

  // Inserts a job; throws octet::Error if an upload its settings use (model.upload, calibration.upload)
  // was deleted meanwhile (checked under the same lock as erase_upload, so none slips between).
  void insert_job(const Job& job);
  std::optional<Job> job(const std::string& id) const;
  std::vector<Job> jobs() const;  // newest first
  // Sets status, stage and error (and the result when given); returns false if the job is gone.
  bool set_status(const std::string& id, JobStatus status, const std::string& stage, const std::string& error,
                  const nlohmann::ordered_json* result = nullptr);
  // Moves queued -> running (stage "starting") atomically; returns false if the job was not queued.
  bool start_if_queued(const std::string& id);
  // Moves queued -> cancelled atomically; returns false if the job was not queued.
  bool cancel_if_queued(const std::string& id, const std::string& reason);
  void set_progress(const std::string& id, const std::string& stage, std::uint64_t done, std::uint64_t total);
  bool erase_job(const std::string& id);

  void insert_upload(const Upload& upload);
  std::optional<Upload> upload(const std::string& id) const;
  std::vector<Upload> uploads() const;  // newest first
  // The queued or running jobs whose settings use the upload.
  std::vector<std::string> active_jobs_using(const std::string& upload_id) const;
  // Deletes the upload's record unless a queued or running job uses it.
  struct EraseUpload {
    bool found = false;
    std::vector<std::string> active_jobs;  // not empty: refused, nothing deleted
  };
  EraseUpload erase_upload(const std::string& id);

  std::size_t interrupted() const { return interrupted_; }

 private:
  void exec(const char* sql) const;
  std::vector<std::string> active_jobs_using_locked(const std::string& upload_id) const;
  sqlite3* db_ = nullptr;
  mutable std::mutex mutex_;
  std::size_t interrupted_ = 0;
};

double now_seconds();

}  // namespace octet::serve
