#pragma once
// The JSON REST API under /api/ (docs/serve.md).

#include <httplib.h>

#include "serve/config.h"
#include "serve/job_runner.h"
#include "serve/job_store.h"
#include "serve/worker_pool.h"

namespace octet::serve {

struct ServerContext {
  const ServeConfig& config;
  JobStore& store;
  WorkerPool& pool;
  JobRunner& runner;
};

// /api/uploads (streaming uploads with size limits).
void add_upload_routes(httplib::Server& http, ServerContext& context);
// /api/health, /api/options, /api/models, /api/jobs...
void add_job_routes(httplib::Server& http, ServerContext& context);

}  // namespace octet::serve
