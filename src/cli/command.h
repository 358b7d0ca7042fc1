#pragma once
// Each subcommand registers itself on the root CLI11 app and returns the
// function that runs it once the command line is parsed.

#include <functional>

#include <CLI/CLI.hpp>

namespace octet::cli {

// Exit codes shared by every command (docs/cli.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;        // bad input, nothing written
inline constexpr int kExitUsage = 2;        // bad command line
inline constexpr int kExitInterrupted = 130;

struct Command {
  CLI::App* app;                 // the parsed subcommand
  std::function<int()> run;      // runs it; returns the exit code
};

Command add_prepare_command(CLI::App& app);
Command add_convert_command(CLI::App& app);
Command add_inspect_command(CLI::App& app);
Command add_run_command(CLI::App& app);
Command add_bench_command(CLI::App& app);
Command add_serve_command(CLI::App& app);

}  // namespace octet::cli
