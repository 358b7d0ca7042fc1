// `octet serve [--host 127.0.0.1] [--port 8080] [--data DIR] [--workers N] ...`

#include <cstdlib>
#include <thread>

#include <fmt/format.h>

#include "cli/command.h"
#include "core/error.h"
#include "dataset/prepare.h"
#include "serve/models_dir.h"
#include "serve/server.h"
#include "serve/upload.h"
#include "util/byte_size.h"

#ifndef OCTET_EXAMPLE_MODELS_DIR
#define OCTET_EXAMPLE_MODELS_DIR ""
#endif
#ifndef OCTET_INSTALLED_MODELS_RELDIR
#define OCTET_INSTALLED_MODELS_RELDIR ""
#endif

namespace octet::cli {

namespace {

struct ServeArgs {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string data;
  std::string models;  // empty: the lookup of serve/models_dir.h
  unsigned workers = 0;
  std::size_t max_queued = 64;
  std::string token;
  std::string max_model_size = "1GB";
  std::string max_calib_size = "500MB";
  std::string max_images_size = "2GB";
};

// $XDG_DATA_HOME/octet/serve, else ~/.local/share/octet/serve.
std::filesystem::path default_data_dir() {
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && *xdg != '\0') {
    return std::filesystem::path(xdg) / "octet" / "serve";
  }
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') throw usage_fail("--data: no default (HOME is not set); give --data DIR");
  return std::filesystem::path(home) / ".local" / "share" / "octet" / "serve";
}

// The running binary (for the installed models next to it); empty if /proc is not there.
std::filesystem::path running_binary() {
  std::error_code ec;
  std::filesystem::path path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : path;
}

bool is_loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

}  // namespace

Command add_serve_command(CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "serve", "The convert flow as a local web app and JSON REST API (docs/serve.md); nothing leaves this machine.");
  cmd->add_option("--host", args->host, "Address to listen on (another than loopback needs a token)")
      ->capture_default_str();
  cmd->add_option("--port", args->port, "TCP port (0: any free port, printed)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--data", args->data, "Folder of the job database, uploads and artifacts "
                                        "(default: $XDG_DATA_HOME/octet/serve or ~/.local/share/octet/serve)");
  cmd->add_option("--models", args->models,
                  "Folder of example models offered on the page (*.onnx, *.tflite; default: BIN/../share/octet/models, "
                  "else the source tree's examples/models)");
  cmd->add_option("--workers", args->workers, "Conversions running at once (default: half the cores, at least 1)");
  cmd->add_option("--max-queued", args->max_queued, "Jobs waiting for a worker before new ones are refused (503)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--token", args->token, "Require this token on /api/ (generated when --host is not loopback)");
  cmd->add_option("--max-model-size", args->max_model_size, "Largest model upload")->capture_default_str();
  cmd->add_option("--max-calib-size", args->max_calib_size, "Largest calibration .npy (upload or prepared)")
      ->capture_default_str();
  cmd->add_option("--max-images-size", args->max_images_size, "Largest image archive, and its unpacked content")
      ->capture_default_str();

  auto run = [args]() {
    serve::ServeConfig config;
    config.host = args->host;
    config.port = args->port;
    config.data_dir = args->data.empty() ? default_data_dir() : std::filesystem::path(args->data);
    const serve::ModelsDir models =
        serve::find_models_dir(args->models, running_binary(), OCTET_INSTALLED_MODELS_RELDIR, OCTET_EXAMPLE_MODELS_DIR);
    config.models_dir = models.dir;
    config.workers = args->workers > 0 ? args->workers : std::max(1U, std::thread::hardware_concurrency() / 2);
    config.max_queued = args->max_queued;
    config.token = args->token;
    if (config.token.empty() && !is_loopback(config.host)) config.token = serve::new_id() + serve::new_id();
    config.max_model_bytes = parse_byte_size(args->max_model_size);
    config.max_calib_bytes = parse_byte_size(args->max_calib_size);
    config.max_images_bytes = parse_byte_size(args->max_images_size);
    fmt::print("{}\n", serve::describe_models_dir(models));
    return serve::run_server(config);
  };
  return {cmd, run};
}

}  // namespace octet::cli
