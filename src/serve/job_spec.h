#pragma once
// POST /api/jobs: the request body checked and completed with defaults into
// the settings a job stores, and turned into the library's options.

#include <nlohmann/json.hpp>

#include "convert/convert.h"
#include "dataset/prepare.h"
#include "serve/config.h"
#include "serve/job_store.h"

namespace octet::serve {

// The accepted values and defaults (GET /api/options).
nlohmann::ordered_json job_options(const ServeConfig& config);

// The example models in config.models_dir, sorted by name.
nlohmann::ordered_json example_models(const ServeConfig& config);

// Validates `request` (throws octet::Error with a one-line message naming the
// field and the rule) and returns the complete settings, uploads resolved.
nlohmann::ordered_json normalize_job_request(const nlohmann::json& request, const ServeConfig& config,
                                             const JobStore& store);

// The model file named by normalized settings.
std::filesystem::path model_path(const nlohmann::ordered_json& settings, const ServeConfig& config,
                                 const JobStore& store);

// The conversion options of normalized settings (calibration file given separately).
ConvertOptions convert_options(const nlohmann::ordered_json& settings, const std::filesystem::path& model,
                               const std::filesystem::path& output, const std::filesystem::path& calibration);

// `octet prepare`'s options of normalized settings' "calibration.prepare".
PrepareOptions prepare_options(const nlohmann::ordered_json& prepare, const std::filesystem::path& image_dir,
                               const std::filesystem::path& out_dir);

}  // namespace octet::serve
