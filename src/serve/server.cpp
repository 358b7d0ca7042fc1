#include "serve/server.h"

#include <chrono>
#include <cstdio>
#include <thread>

#include <sys/socket.h>

#include <fmt/format.h>
#include <httplib.h>

#include "core/error.h"
#include "serve/http_util.h"
#include "serve/job_runner.h"
#include "serve/job_store.h"
#include "serve/page_assets.h"
#include "serve/routes.h"
#include "serve/upload.h"
#include "serve/worker_pool.h"
#include "util/cancel.h"

namespace octet::serve {

namespace {

// HTTP connections served at once (uploads and downloads hold one each).
constexpr std::size_t kHttpThreads = 32;
// How often the signal watcher looks at the process cancel token.
constexpr auto kSignalPoll = std::chrono::milliseconds(100);
// Idle time before a slow client's request is dropped.
constexpr time_t kReadTimeoutSeconds = 30;

std::string_view content_type_of(std::string_view file) {
  if (file.ends_with(".html")) return "text/html; charset=utf-8";
  if (file.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (file.ends_with(".css")) return "text/css; charset=utf-8";
  return "application/octet-stream";
}

bool is_loopback_name(std::string_view host) {
  return host == "127.0.0.1" || host == "localhost" || host == "[::1]" || host.starts_with("127.");
}

// The host part of a Host header ("127.0.0.1:8080" -> "127.0.0.1", "[::1]:80" -> "[::1]").
std::string_view host_name(std::string_view host) {
  const std::size_t colon = host.rfind(':');
  if (colon == std::string_view::npos || (host.find(']') != std::string_view::npos && colon < host.find(']'))) {
    return host;
  }
  return host.substr(0, colon);
}

// A web page from another origin must not drive the API through the user's browser: a state-changing
// request carrying an Origin must come from this server's own page, and a server on loopback answers
// only to loopback host names (no DNS rebinding). Returns the refusal, or an empty string.
std::string cross_origin_refusal(const httplib::Request& req, const ServeConfig& config) {
  const std::string host = req.get_header_value("Host");
  if (is_loopback_name(config.host) || config.host == "::1") {
    if (!is_loopback_name(host_name(host))) {
      return fmt::format("Host '{}' refused: this server listens on loopback only", host);
    }
  }
  if (req.method != "GET" && req.method != "HEAD" && req.has_header("Origin")) {
    const std::string origin = req.get_header_value("Origin");
    if (origin != "http://" + host) return fmt::format("cross-origin request from '{}' refused", origin);
  }
  return {};
}

bool authorized(const httplib::Request& req, const std::string& token) {
  if (token.empty()) return true;
  if (req.get_header_value("Authorization") == "Bearer " + token) return true;
  return req.has_param("token") && req.get_param_value("token") == token;
}

// Folders under uploads/ and jobs/ named like an id but without a record: left by a server killed
// mid-upload, or mid-delete. Other entries (not made by this server) are left alone.
std::size_t remove_orphans(const ServeConfig& config, const JobStore& store) {
  std::size_t removed = 0;
  const auto sweep = [&](const char* folder, const auto& known) {
    for (const auto& entry : std::filesystem::directory_iterator(config.data_dir / folder)) {
      const std::string name = entry.path().filename().string();
      if (entry.is_directory() && is_valid_id(name) && !known(name)) {
        std::filesystem::remove_all(entry.path());
        ++removed;
      }
    }
  };
  sweep("uploads", [&](const std::string& id) { return store.upload(id).has_value(); });
  sweep("jobs", [&](const std::string& id) { return store.job(id).has_value(); });
  return removed;
}

void add_page_routes(httplib::Server& http) {
  for (const PageAsset& asset : page_assets()) {
    http.Get(std::string(asset.path), [asset](const httplib::Request&, httplib::Response& res) {
      res.set_header("Cache-Control", "no-cache");
      res.set_content(std::string(asset.body), std::string(content_type_of(asset.file)));
    });
  }
}

}  // namespace

int run_server(const ServeConfig& config) {
  std::filesystem::create_directories(config.data_dir / "uploads");
  std::filesystem::create_directories(config.data_dir / "jobs");
  JobStore store(config.data_dir / "octet.db", kInterruptedReason);
  const std::size_t orphans = remove_orphans(config, store);
  std::unique_ptr<WorkerPool> pool;
  JobRunner runner(config, store, [&pool] { return pool->stopping(); });
  pool = std::make_unique<WorkerPool>(config.workers, config.max_queued,
                                      [&runner](const std::string& id, const CancelToken& cancel) {
                                        runner.run(id, cancel);
                                      });
  ServerContext context{config, store, *pool, runner};

  httplib::Server http;
  http.new_task_queue = [] { return new httplib::ThreadPool(kHttpThreads); };
  http.set_read_timeout(kReadTimeoutSeconds, 0);
  // SO_REUSEADDR only: cpp-httplib's default also sets SO_REUSEPORT, which would let a second server
  // share the port (and the requests) instead of failing to start.
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  // One request per connection: a refused upload's unread body is never parsed as a next request.
  http.set_keep_alive_max_count(1);
  http.set_pre_routing_handler([&config](const httplib::Request& req, httplib::Response& res) {
    if (const std::string refusal = cross_origin_refusal(req, config); !refusal.empty()) {
      reply_error(res, kHttpForbidden, refusal);
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.path.rfind("/api/", 0) == 0 && !authorized(req, config.token)) {
      reply_error(res, kHttpUnauthorized, "this server needs its token: Authorization: Bearer TOKEN (or ?token=)");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (res.body.empty()) {
      reply_error(res, res.status,
                  res.status == kHttpNotFound ? fmt::format("{} {}: no such endpoint (docs/serve.md)", req.method, req.path)
                                              : fmt::format("{} {}: HTTP status {}", req.method, req.path, res.status));
    }
  });
  add_page_routes(http);
  add_upload_routes(http, context);
  add_job_routes(http, context);

  const int port = config.port == 0 ? http.bind_to_any_port(config.host) : (http.bind_to_port(config.host, config.port)
                                                                                ? config.port
                                                                                : -1);
  if (port < 0) throw fail("cannot listen on {}:{} (in use, or not an address of this machine)", config.host, config.port);
  const std::string host = config.host.find(':') != std::string::npos ? fmt::format("[{}]", config.host) : config.host;
  fmt::print("octet serve: listening on http://{}:{}/ (data {}, {} worker(s){}{})\n", host, port,
             config.data_dir.string(), config.workers,
             store.interrupted() > 0 ? fmt::format(", {} interrupted job(s) marked failed", store.interrupted())
                                     : std::string(),
             orphans > 0 ? fmt::format(", {} leftover folder(s) removed", orphans) : std::string());
  if (!config.token.empty()) fmt::print("token: {}  (open http://{}:{}/#token={})\n", config.token, host, port, config.token);
  std::fflush(stdout);

  std::thread watcher([&http] {
    while (!process_cancel_token().requested()) std::this_thread::sleep_for(kSignalPoll);
    http.stop();
  });
  const bool listened = http.listen_after_bind();
  process_cancel_token().request();  // ends the watcher if listen stopped for another reason
  watcher.join();
  for (const std::string& id : pool->stop()) store.set_status(id, JobStatus::kFailed, "failed", kInterruptedReason);
  fmt::print("octet serve: stopped\n");
  std::fflush(stdout);
  if (!listened) throw fail("the HTTP server stopped unexpectedly on {}:{}", config.host, port);
  return 0;
}

}  // namespace octet::serve
