#pragma once
// --threads N, shared by run, bench and convert: the threads octet's
// interpreter gives its fast kernels (XNNPACK's thread pool).

#include <string>

#include <CLI/CLI.hpp>

namespace octet::cli {

// The largest --threads accepted (a sanity bound: far beyond any CPU here).
inline constexpr unsigned kMaxThreads = 1024;

inline CLI::Option* add_threads_option(CLI::App* cmd, unsigned& threads, const std::string& description) {
  return cmd->add_option("--threads", threads, description)->check(CLI::Range(1U, kMaxThreads))->capture_default_str();
}

}  // namespace octet::cli
