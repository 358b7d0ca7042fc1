#pragma once
// SHA-256 of a file (OpenSSL), as lowercase hex: recorded in converted models
// so a .tflite names the exact source it came from.

#include <filesystem>
#include <string>

namespace octet {

std::string sha256_file(const std::filesystem::path& path);

}  // namespace octet
