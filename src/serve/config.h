#pragma once
// `octet serve`'s settings (the command line, docs/serve.md).

#include <cstdint>
#include <filesystem>
#include <string>

namespace octet::serve {

struct ServeConfig {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (printed)
  std::filesystem::path data_dir;    // jobs database, uploads, artifacts
  std::filesystem::path models_dir;  // the example ("free") models, *.onnx / *.tflite
  unsigned workers = 1;              // conversions running at once
  std::size_t max_queued = 0;        // jobs waiting for a worker before POST /api/jobs answers 503
  std::string token;                 // required on /api/ when not empty
  std::uint64_t max_model_bytes = 0;
  std::uint64_t max_calib_bytes = 0;   // a calibration .npy (LaunchX: 500 MB)
  std::uint64_t max_images_bytes = 0;  // an image archive, and its unpacked content
};

}  // namespace octet::serve
