#pragma once
// Human byte sizes for options such as --max-bytes: "500MB", "1.5 GiB", "1024".
// Decimal units (KB, MB, GB, TB) are powers of 1000; binary ones (KiB, MiB,
// GiB, TiB) powers of 1024. A bare number is bytes.

#include <cstdint>
#include <string>
#include <string_view>

namespace octet {

// Throws octet::UsageError naming the text and the accepted forms.
std::uint64_t parse_byte_size(std::string_view text);
// "512.0 MB" style, decimal units, for messages.
std::string format_byte_size(std::uint64_t bytes);

}  // namespace octet
