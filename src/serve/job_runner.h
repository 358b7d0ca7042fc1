#pragma once
// Runs one job in a worker: unpack and prepare the calibration images (image
// archives), convert with the library (src/convert, as `octet convert`),
// inspect the result, and record everything in the job store.

#include <filesystem>
#include <functional>
#include <string>

#include "serve/config.h"
#include "serve/job_store.h"
#include "util/cancel.h"

namespace octet::serve {

inline constexpr const char* kInterruptedReason =
    "interrupted: the server stopped before this job finished; submit it again";
inline constexpr const char* kCancelledReason = "cancelled by the user";

class JobRunner {
 public:
  // `stopping` tells a cancellation by shutdown from one by a user.
  JobRunner(const ServeConfig& config, JobStore& store, std::function<bool()> stopping);

  // Never throws: every outcome is recorded in the store.
  void run(const std::string& id, const CancelToken& cancel);

  // The folder of a job's artifacts.
  std::filesystem::path job_dir(const std::string& id) const;

 private:
  nlohmann::ordered_json execute(const Job& job, const CancelToken& cancel);
  // The library's one-line error as the user knows the files: an upload's or example's path becomes
  // its file name (as `octet convert NAME` would print it), the job's folder is cut from paths.
  std::string user_message(const Job& job, std::string message) const;

  const ServeConfig& config_;
  JobStore& store_;
  std::function<bool()> stopping_;
};

}  // namespace octet::serve
