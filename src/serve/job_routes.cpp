// /api/health, /api/options, /api/models and /api/jobs (docs/serve.md).

#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "core/error.h"
#include "core/version.h"
#include "serve/http_util.h"
#include "serve/job_spec.h"
#include "serve/routes.h"
#include "serve/upload.h"

namespace octet::serve {

namespace {

using Json = nlohmann::ordered_json;

// Largest JSON request body (job settings are a few hundred bytes).
constexpr std::size_t kMaxJsonBody = 64 * 1024;
// Downloads are sent in blocks of this size.
constexpr std::size_t kDownloadBlock = 64 * 1024;

Json job_summary(const Job& job) {
  Json j{{"id", job.id},
         {"status", to_string(job.status)},
         {"stage", job.stage},
         {"progress", {{"done", job.done}, {"total", job.total}}},
         {"model", job.model_name},
         {"precision", job.settings["precision"]},
         {"device", job.settings["device"]},
         {"error", job.error},
         {"created", job.created},
         {"updated", job.updated},
         {"settings", job.settings}};
  if (job.status == JobStatus::kSucceeded && job.result.is_object()) {
    Json summary{{"file", job.result["artifact"]["file"]}, {"bytes", job.result["artifact"]["bytes"]}};
    if (job.result["report"].contains("accuracy")) {
      Json sqnr = Json::array();
      for (const Json& o : job.result["report"]["accuracy"]["outputs"]) sqnr.push_back(o["sqnr_db_median"]);
      summary["sqnr_db_median"] = sqnr;
    }
    j["summary"] = summary;
  }
  return j;
}

Json job_detail(const Job& job) {
  Json j = job_summary(job);
  j["result"] = job.result;
  return j;
}

// Reads a small JSON body; throws octet::Error for a too-large or malformed one.
nlohmann::json read_json_body(const httplib::ContentReader& reader) {
  std::string body;
  bool too_large = false;
  reader([&](const char* data, std::size_t size) {
    if (body.size() + size > kMaxJsonBody) {
      too_large = true;
      return false;
    }
    body.append(data, size);
    return true;
  });
  if (too_large) throw fail("request body: larger than {} bytes", kMaxJsonBody);
  try {
    return nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    throw fail("request body: not valid JSON ({})", e.what());
  }
}

std::optional<Job> find_job(ServerContext& context, const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1];
  std::optional<Job> job = context.store.job(id);
  if (!job) reply_error(res, kHttpNotFound, fmt::format("job '{}': no such job", id));
  return job;
}

void send_file(httplib::Response& res, const std::filesystem::path& path, const std::string& download_name,
               const char* content_type) {
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return reply_error(res, kHttpNotFound, fmt::format("{}: not found", download_name));
  res.set_header("Content-Disposition", fmt::format("attachment; filename=\"{}\"", download_name));
  res.set_content_provider(static_cast<std::size_t>(size), content_type,
                           [path](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                             std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"),
                                                                               &std::fclose);
                             if (!f || std::fseek(f.get(), static_cast<long>(offset), SEEK_SET) != 0) return false;
                             std::vector<char> block(std::min(length, kDownloadBlock));
                             const std::size_t n = std::fread(block.data(), 1, block.size(), f.get());
                             if (n == 0) return false;
                             sink.write(block.data(), n);
                             return true;
                           });
}

// Sends one artifact of a succeeded job (409 for any other status); `file_of` names it in the job's folder.
template <typename FileOf>
void send_artifact(const httplib::Request& req, httplib::Response& res, ServerContext& context, std::string_view what,
                   const char* content_type, FileOf file_of) {
  const std::optional<Job> job = find_job(context, req, res);
  if (!job) return;
  if (job->status != JobStatus::kSucceeded) {
    return reply_error(res, kHttpConflict, fmt::format("job '{}': {}, no {}", job->id, to_string(job->status), what));
  }
  const std::string file = file_of(*job);
  send_file(res, context.runner.job_dir(job->id) / file, file, content_type);
}

void create_job(const httplib::Request&, httplib::Response& res, const httplib::ContentReader& reader,
                ServerContext& context) {
  const nlohmann::json request = read_json_body(reader);
  const Json settings = normalize_job_request(request, context.config, context.store);
  Job job;
  job.id = new_id();
  job.status = JobStatus::kQueued;
  job.stage = "queued";
  job.settings = settings;
  job.model_name = settings["model"]["name"].get<std::string>();
  job.result = nullptr;
  job.created = job.updated = now_seconds();
  context.store.insert_job(job);
  if (!context.pool.submit(job.id)) {
    context.store.erase_job(job.id);
    return reply_error(res, kHttpUnavailable,
                       fmt::format("the job queue is full ({} waiting); try again later", context.config.max_queued));
  }
  res.set_header("Location", fmt::format("/api/jobs/{}", job.id));
  reply_json(res, kHttpCreated, job_detail(job));
}

void cancel_job(const httplib::Request& req, httplib::Response& res, ServerContext& context) {
  const std::optional<Job> job = find_job(context, req, res);
  if (!job) return;
  if (is_finished(job->status)) {
    return reply_error(res, kHttpConflict, fmt::format("job '{}': already {}", job->id, to_string(job->status)));
  }
  context.pool.cancel(job->id);
  // A queued job is cancelled here; a running one by its worker at the next check.
  context.store.cancel_if_queued(job->id, kCancelledReason);
  reply_json(res, kHttpOk, job_summary(*context.store.job(job->id)));
}

void delete_job(const httplib::Request& req, httplib::Response& res, ServerContext& context) {
  const std::optional<Job> job = find_job(context, req, res);
  if (!job) return;
  if (!is_finished(job->status)) {
    return reply_error(res, kHttpConflict,
                       fmt::format("job '{}': {}; cancel it first (POST /api/jobs/{}/cancel)", job->id,
                                   to_string(job->status), job->id));
  }
  context.store.erase_job(job->id);
  std::error_code ec;
  std::filesystem::remove_all(context.runner.job_dir(job->id), ec);
  reply_json(res, kHttpOk, Json{{"deleted", job->id}});
}

}  // namespace

void add_job_routes(httplib::Server& http, ServerContext& context) {
  http.Get("/api/health", guarded(context, [](const httplib::Request&, httplib::Response& res, ServerContext& c) {
             reply_json(res, kHttpOk,
                        Json{{"ok", true},
                             {"version", kProducer},
                             {"workers", c.config.workers},
                             {"active", c.pool.active()},
                             {"queued", c.pool.queued()}});
           }));
  http.Get("/api/options", guarded(context, [](const httplib::Request&, httplib::Response& res, ServerContext& c) {
             reply_json(res, kHttpOk, job_options(c.config));
           }));
  http.Get("/api/models", guarded(context, [](const httplib::Request&, httplib::Response& res, ServerContext& c) {
             reply_json(res, kHttpOk, Json{{"models", example_models(c.config)}});
           }));
  http.Get("/api/jobs", guarded(context, [](const httplib::Request&, httplib::Response& res, ServerContext& c) {
             Json list = Json::array();
             for (const Job& job : c.store.jobs()) list.push_back(job_summary(job));
             reply_json(res, kHttpOk, Json{{"jobs", list}});
           }));
  http.Post("/api/jobs", guarded_reader(context, create_job));
  const std::string job = "/api/jobs/([0-9a-f]{16})";
  http.Get(job, guarded(context, [](const httplib::Request& req, httplib::Response& res, ServerContext& c) {
             if (const std::optional<Job> j = find_job(c, req, res)) reply_json(res, kHttpOk, job_detail(*j));
           }));
  http.Post(job + "/cancel", guarded_ignoring_body(context, cancel_job));
  http.Delete(job, guarded(context, delete_job));
  http.Delete(job, guarded_ignoring_body(context, delete_job));
  http.Get(job + "/model", guarded(context, [](const httplib::Request& req, httplib::Response& res, ServerContext& c) {
             send_artifact(req, res, c, "model", "application/octet-stream",
                           [](const Job& j) { return j.result["artifact"]["file"].get<std::string>(); });
           }));
  http.Get(job + "/report", guarded(context, [](const httplib::Request& req, httplib::Response& res, ServerContext& c) {
             send_artifact(req, res, c, "report", "application/json", [](const Job&) { return "report.json"; });
           }));
}

}  // namespace octet::serve
