#include "util/output_guard.h"

#include <algorithm>
#include <system_error>

#include "core/error.h"

namespace octet {

namespace fs = std::filesystem;

OutputGuard::~OutputGuard() {
  for (auto it = created_.rbegin(); it != created_.rend(); ++it) {
    std::error_code ec;
    fs::remove(*it, ec);  // best effort: a folder the user filled meanwhile stays
  }
}

void OutputGuard::create_directories(const fs::path& dir) {
  std::vector<fs::path> missing;
  for (fs::path p = dir; !p.empty(); p = p.parent_path()) {
    std::error_code ec;
    if (fs::exists(p, ec)) break;
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw fail("{}: cannot create the output folder: {}", dir.string(), ec.message());
  std::reverse(missing.begin(), missing.end());  // parents first, so they are removed last
  created_.insert(created_.end(), missing.begin(), missing.end());
}

}  // namespace octet
