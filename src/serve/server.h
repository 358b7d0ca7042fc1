#pragma once
// `octet serve`: the HTTP server (cpp-httplib), the job store (SQLite), the
// worker pool and the page, wired together.

#include <memory>

#include "serve/config.h"

namespace octet::serve {

// Serves until SIGINT/SIGTERM (process_cancel_token()). Prints the URL (and
// the token when one is required) on stdout once listening. Returns the exit code.
int run_server(const ServeConfig& config);

}  // namespace octet::serve
