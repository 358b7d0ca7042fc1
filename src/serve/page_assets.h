#pragma once
// The web page's files (src/serve/page/), compiled into the binary by
// src/serve/embed_assets.cmake so `octet serve` needs nothing on disk.

#include <span>
#include <string_view>

namespace octet::serve {

struct PageAsset {
  std::string_view path;          // URL path, e.g. "/app.js"
  std::string_view file;          // its source file name (the extension gives the content type)
  std::string_view body;
};

// Every asset; "/" is the page itself.
std::span<const PageAsset> page_assets();

}  // namespace octet::serve
