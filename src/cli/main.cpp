// The `octet` command: one binary, one subcommand per step of the flow.

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/command.h"
#include "core/error.h"
#include "core/version.h"
#include "util/cancel.h"

namespace {

int report(const char* message, int code) {
  fmt::print(stderr, "octet: error: {}\n", message);
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace octet::cli;
  CLI::App app{"octet: ONNX models to fast, accurate INT8 TensorFlow Lite, on your own machine.",
               "octet"};
  app.set_version_flag("--version", std::string(octet::kProducer));
  app.require_subcommand(1);
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return fmt::format("octet: error: {} (see --help)\n", e.what());
  });

  const std::vector<Command> commands{
      add_prepare_command(app),
      add_convert_command(app),
      add_inspect_command(app),
      add_run_command(app),
      add_bench_command(app),
      add_serve_command(app),
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }

  octet::install_signal_cancel();
  try {
    for (const Command& command : commands) {
      if (command.app->parsed()) return command.run();
    }
    return report("no command given (see --help)", kExitUsage);
  } catch (const octet::Cancelled& e) {
    return report(e.what(), kExitInterrupted);
  } catch (const octet::UsageError& e) {
    return report(e.what(), kExitUsage);
  } catch (const octet::Error& e) {
    return report(e.what(), kExitError);
  } catch (const std::bad_alloc&) {
    return report("out of memory", kExitError);
  } catch (const std::exception& e) {
    return report(fmt::format("internal error: {}", e.what()).c_str(), kExitError);
  }
}
