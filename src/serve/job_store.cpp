#include "serve/job_store.h"

#include <sqlite3.h>

#include <array>
#include <chrono>

#include "core/error.h"

namespace octet::serve {

namespace {

using Json = nlohmann::ordered_json;

// How long a writer waits for the database lock before failing.
constexpr int kBusyTimeoutMs = 5000;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  stage TEXT NOT NULL,
  done INTEGER NOT NULL DEFAULT 0,
  total INTEGER NOT NULL DEFAULT 0,
  settings TEXT NOT NULL,
  model_name TEXT NOT NULL,
  error TEXT NOT NULL DEFAULT '',
  result TEXT NOT NULL DEFAULT 'null',
  created REAL NOT NULL,
  updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS uploads (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  created REAL NOT NULL
);
)sql";

JobStatus parse_status(std::string_view text) {
  if (text == "queued") return JobStatus::kQueued;
  if (text == "running") return JobStatus::kRunning;
  if (text == "succeeded") return JobStatus::kSucceeded;
  if (text == "failed") return JobStatus::kFailed;
  if (text == "cancelled") return JobStatus::kCancelled;
  throw fail("job database: unknown job status '{}'", text);
}

// A prepared statement, finalized on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      throw fail("job database: {} ({})", sqlite3_errmsg(db), sql);
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, const std::string& text) {
    check(sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Statement& bind(int index, std::int64_t value) {
    check(sqlite3_bind_int64(stmt_, index, value));
    return *this;
  }
  Statement& bind(int index, double value) {
    check(sqlite3_bind_double(stmt_, index, value));
    return *this;
  }
  // True while there is a row.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw fail("job database: {}", sqlite3_errmsg(db_));
  }
  std::string text(int column) const {
    const auto* p = sqlite3_column_text(stmt_, column);
    return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p));
  }
  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  double real(int column) const { return sqlite3_column_double(stmt_, column); }

 private:
  void check(int rc) const {
    if (rc != SQLITE_OK) throw fail("job database: {}", sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Where a job's settings name the uploads it uses (job_spec.cpp writes them).
struct UploadField {
  const char* pointer;  // JSON pointer into the settings
  const char* name;     // as error messages name it
};
constexpr std::array<UploadField, 2> kUploadFields{{{"/model/upload", "model.upload"},
                                                    {"/calibration/upload", "calibration.upload"}}};
constexpr const char* kActiveJobsUsing =
    "SELECT id FROM jobs WHERE status IN ('queued', 'running') AND "
    "(json_extract(settings, '$.model.upload') = ?1 OR json_extract(settings, '$.calibration.upload') = ?1) "
    "ORDER BY created";
constexpr const char* kUploadColumns = "SELECT id, kind, name, path, bytes, created FROM uploads";

Upload read_upload(const Statement& s) {
  Upload u;
  u.id = s.text(0);
  u.kind = s.text(1);
  u.name = s.text(2);
  u.path = s.text(3);
  u.bytes = static_cast<std::uint64_t>(s.integer(4));
  u.created = s.real(5);
  return u;
}

constexpr const char* kJobColumns =
    "SELECT id, status, stage, done, total, settings, model_name, error, result, created, updated FROM jobs";

Job read_job(const Statement& s) {
  Job job;
  job.id = s.text(0);
  job.status = parse_status(s.text(1));
  job.stage = s.text(2);
  job.done = static_cast<std::uint64_t>(s.integer(3));
  job.total = static_cast<std::uint64_t>(s.integer(4));
  job.settings = Json::parse(s.text(5));
  job.model_name = s.text(6);
  job.error = s.text(7);
  job.result = Json::parse(s.text(8));
  job.created = s.real(9);
  job.updated = s.real(10);
  return job;
}

// The rows of `sql`, each made by `read`; ?1 is bound to `id` when given.
template <typename Read>
auto select_rows(sqlite3* db, const std::string& sql, Read read, const std::string* id = nullptr) {
  Statement s(db, sql.c_str());
  if (id != nullptr) s.bind(1, *id);
  std::vector<decltype(read(s))> rows;
  while (s.step()) rows.push_back(read(s));
  return rows;
}

template <typename Row>
std::optional<Row> first(std::vector<Row> rows) {
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

}  // namespace

std::string_view to_string(JobStatus status) {
  switch (status) {
    case JobStatus::kQueued: return "queued";
    case JobStatus::kRunning: return "running";
    case JobStatus::kSucceeded: return "succeeded";
    case JobStatus::kFailed: return "failed";
    case JobStatus::kCancelled: return "cancelled";
  }
  return "failed";
}

bool is_finished(JobStatus status) {
  return status == JobStatus::kSucceeded || status == JobStatus::kFailed || status == JobStatus::kCancelled;
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

JobStore::JobStore(const std::filesystem::path& db_path, const std::string& interrupted_reason) {
  if (sqlite3_open_v2(db_path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw fail("{}: cannot open the job database: {}", db_path.string(), message);
  }
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=NORMAL");
  exec(kSchema);
  // A previous server stopped while these jobs were waiting or running.
  Statement s(db_, "UPDATE jobs SET status = 'failed', error = ?1, updated = ?2 "
                   "WHERE status IN ('queued', 'running')");
  s.bind(1, interrupted_reason).bind(2, now_seconds()).step();
  interrupted_ = static_cast<std::size_t>(sqlite3_changes(db_));
}

JobStore::~JobStore() { sqlite3_close(db_); }

void JobStore::exec(const char* sql) const {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string text = message != nullptr ? message : "unknown error";
    sqlite3_free(message);
    throw fail("job database: {}", text);
  }
}

void JobStore::insert_job(const Job& job) {
  std::lock_guard lock(mutex_);
  for (const UploadField& field : kUploadFields) {
    const Json::json_pointer where(field.pointer);
    if (!job.settings.contains(where)) continue;
    const std::string upload_id = job.settings[where].get<std::string>();
    Statement exists(db_, "SELECT 1 FROM uploads WHERE id = ?1");
    exists.bind(1, upload_id);
    if (!exists.step()) throw fail("{}: the upload '{}' was deleted", field.name, upload_id);
  }
  Statement s(db_, "INSERT INTO jobs (id, status, stage, done, total, settings, model_name, error, result, created, "
                   "updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  s.bind(1, job.id)
      .bind(2, std::string(to_string(job.status)))
      .bind(3, job.stage)
      .bind(4, static_cast<std::int64_t>(job.done))
      .bind(5, static_cast<std::int64_t>(job.total))
      .bind(6, job.settings.dump())
      .bind(7, job.model_name)
      .bind(8, job.error)
      .bind(9, job.result.dump())
      .bind(10, job.created)
      .bind(11, job.updated);
  s.step();
}

std::optional<Job> JobStore::job(const std::string& id) const {
  std::lock_guard lock(mutex_);
  return first(select_rows(db_, std::string(kJobColumns) + " WHERE id = ?1", read_job, &id));
}

std::vector<Job> JobStore::jobs() const {
  std::lock_guard lock(mutex_);
  return select_rows(db_, std::string(kJobColumns) + " ORDER BY created DESC, id", read_job);
}

bool JobStore::set_status(const std::string& id, JobStatus status, const std::string& stage, const std::string& error,
                          const nlohmann::ordered_json* result) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "UPDATE jobs SET status = ?2, stage = ?3, error = ?4, result = COALESCE(?5, result), updated = ?6 "
                   "WHERE id = ?1");
  s.bind(1, id).bind(2, std::string(to_string(status))).bind(3, stage).bind(4, error);
  if (result != nullptr) s.bind(5, result->dump());
  s.bind(6, now_seconds());
  s.step();
  return sqlite3_changes(db_) > 0;
}

bool JobStore::start_if_queued(const std::string& id) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "UPDATE jobs SET status = 'running', stage = 'starting', done = 0, total = 0, updated = ?2 "
                   "WHERE id = ?1 AND status = 'queued'");
  s.bind(1, id).bind(2, now_seconds());
  s.step();
  return sqlite3_changes(db_) > 0;
}

bool JobStore::cancel_if_queued(const std::string& id, const std::string& reason) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "UPDATE jobs SET status = 'cancelled', stage = 'cancelled', error = ?2, updated = ?3 "
                   "WHERE id = ?1 AND status = 'queued'");
  s.bind(1, id).bind(2, reason).bind(3, now_seconds());
  s.step();
  return sqlite3_changes(db_) > 0;
}

void JobStore::set_progress(const std::string& id, const std::string& stage, std::uint64_t done,
                            std::uint64_t total) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "UPDATE jobs SET stage = ?2, done = ?3, total = ?4, updated = ?5 WHERE id = ?1");
  s.bind(1, id)
      .bind(2, stage)
      .bind(3, static_cast<std::int64_t>(done))
      .bind(4, static_cast<std::int64_t>(total))
      .bind(5, now_seconds());
  s.step();
}

bool JobStore::erase_job(const std::string& id) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "DELETE FROM jobs WHERE id = ?1");
  s.bind(1, id);
  s.step();
  return sqlite3_changes(db_) > 0;
}

void JobStore::insert_upload(const Upload& upload) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "INSERT INTO uploads (id, kind, name, path, bytes, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  s.bind(1, upload.id)
      .bind(2, upload.kind)
      .bind(3, upload.name)
      .bind(4, upload.path.string())
      .bind(5, static_cast<std::int64_t>(upload.bytes))
      .bind(6, upload.created);
  s.step();
}

std::optional<Upload> JobStore::upload(const std::string& id) const {
  std::lock_guard lock(mutex_);
  return first(select_rows(db_, std::string(kUploadColumns) + " WHERE id = ?1", read_upload, &id));
}

std::vector<Upload> JobStore::uploads() const {
  std::lock_guard lock(mutex_);
  return select_rows(db_, std::string(kUploadColumns) + " ORDER BY created DESC, id", read_upload);
}

std::vector<std::string> JobStore::active_jobs_using_locked(const std::string& upload_id) const {
  return select_rows(db_, kActiveJobsUsing, [](const Statement& s) { return s.text(0); }, &upload_id);
}

std::vector<std::string> JobStore::active_jobs_using(const std::string& upload_id) const {
  std::lock_guard lock(mutex_);
  return active_jobs_using_locked(upload_id);
}

JobStore::EraseUpload JobStore::erase_upload(const std::string& id) {
  std::lock_guard lock(mutex_);
  EraseUpload result;
  result.active_jobs = active_jobs_using_locked(id);
  if (!result.active_jobs.empty()) {
    result.found = true;
    return result;
  }
  Statement s(db_, "DELETE FROM uploads WHERE id = ?1");
  s.bind(1, id);
  s.step();
  result.found = sqlite3_changes(db_) > 0;
  return result;
}

}  // namespace octet::serve
