#pragma once
// Where `octet serve` finds its example ("free") models (docs/serve.md): --models when given, else the
// first folder that exists of: the installed share/octet/models next to the binary (BIN/../share/octet/models),
// then the source tree's examples/models (a binary run from its build folder).

#include <filesystem>
#include <string>
#include <vector>

namespace octet::serve {

struct ModelsDir {
  std::filesystem::path dir;                 // empty: none found (the page offers no example models)
  std::vector<std::filesystem::path> tried;  // the default folders looked at, in order
};

// `given`: --models (empty when not given; must then be a folder, else octet::Error).
// `binary`: the running executable; `installed_relative`: the models folder relative to the binary's
// folder in the install layout; `source_dir`: the source tree's examples/models (empty: none).
ModelsDir find_models_dir(const std::filesystem::path& given, const std::filesystem::path& binary,
                          const std::filesystem::path& installed_relative, const std::filesystem::path& source_dir);

// The one line `octet serve` prints about it.
std::string describe_models_dir(const ModelsDir& models);

}  // namespace octet::serve
