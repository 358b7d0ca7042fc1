#include "dataset/npy_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <string>
#include <string_view>

#include "core/error.h"

namespace octet {

namespace {

constexpr std::string_view kMagic{"\x93NUMPY", 6};
constexpr std::size_t kPreludeV1 = 10;  // magic, version (2), uint16 length
constexpr std::size_t kPreludeV2 = 12;  // magic, version (2), uint32 length

struct Descr {
  std::string_view text;
  DType dtype;
};
// Little-endian (or byte-sized) types octet reads.
constexpr std::array kDescrs{
    Descr{"<f4", DType::kFloat32}, Descr{"<f2", DType::kFloat16}, Descr{"|i1", DType::kInt8},
    Descr{"|u1", DType::kUint8},   Descr{"<i2", DType::kInt16},   Descr{"<i4", DType::kInt32},
    Descr{"<i8", DType::kInt64},   Descr{"|b1", DType::kBool},
};

// The value text following 'key': in numpy's header dict.
std::string_view field(std::string_view header, std::string_view key, const std::string& file) {
  const std::string quoted = fmt::format("'{}':", key);
  const auto at = header.find(quoted);
  if (at == std::string_view::npos) throw fail("{}: malformed .npy header (no '{}' field)", file, key);
  std::string_view rest = header.substr(at + quoted.size());
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  return rest;
}

DType parse_descr(std::string_view header, const std::string& file) {
  std::string_view value = field(header, "descr", file);
  if (value.empty() || value.front() != '\'') throw fail("{}: malformed .npy header (descr)", file);
  value.remove_prefix(1);
  const auto end = value.find('\'');
  if (end == std::string_view::npos) throw fail("{}: malformed .npy header (descr)", file);
  value = value.substr(0, end);
  for (const Descr& d : kDescrs) {
    if (value == d.text) return d.dtype;
  }
  throw fail("{}: element type '{}' is not supported (octet reads little-endian float32, float16, int8, uint8, "
             "int16, int32, int64, bool)",
             file, value);
}

Shape parse_shape(std::string_view header, const std::string& file) {
  std::string_view value = field(header, "shape", file);
  if (value.empty() || value.front() != '(') throw fail("{}: malformed .npy header (shape)", file);
  const auto close = value.find(')');
  if (close == std::string_view::npos) throw fail("{}: malformed .npy header (shape)", file);
  std::string_view dims = value.substr(1, close - 1);
  Shape shape;
  while (!dims.empty()) {
    while (!dims.empty() && (dims.front() == ' ' || dims.front() == ',')) dims.remove_prefix(1);
    if (dims.empty()) break;
    std::int64_t dim = 0;
    const auto [ptr, ec] = std::from_chars(dims.data(), dims.data() + dims.size(), dim);
    if (ec != std::errc{} || dim < 0) throw fail("{}: malformed .npy header (shape)", file);
    shape.push_back(dim);
    dims.remove_prefix(static_cast<std::size_t>(ptr - dims.data()));
  }
  return shape;
}

}  // namespace

NpyArray::NpyArray(const std::filesystem::path& path) : path_(path) {
  const std::string file = path.string();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw fail("{}: cannot open: {}", file, std::strerror(errno));
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    throw fail("{}: not a regular file", file);
  }
  mapping_size_ = static_cast<std::size_t>(info.st_size);
  if (mapping_size_ < kPreludeV1) {
    ::close(fd);
    throw fail("{}: not a .npy file (too short)", file);
  }
  mapping_ = ::mmap(nullptr, mapping_size_, PROT_READ, MAP_PRIVATE, fd, 0);
  if (mapping_ == MAP_FAILED) {
    mapping_ = nullptr;
    ::close(fd);
    throw fail("{}: cannot map: {}", file, std::strerror(errno));
  }
  fd_ = fd;
  const auto* bytes = static_cast<const unsigned char*>(mapping_);
  const std::string_view view(static_cast<const char*>(mapping_), mapping_size_);
  if (view.substr(0, kMagic.size()) != kMagic) {
    unmap();
    throw fail("{}: not a .npy file (bad magic)", file);
  }
  const unsigned major = bytes[6];
  std::size_t header_length = 0;
  std::size_t prelude = kPreludeV1;
  if (major == 1) {
    header_length = bytes[8] | (static_cast<std::size_t>(bytes[9]) << 8U);
  } else if (major == 2 || major == 3) {
    if (mapping_size_ < kPreludeV2) {
      unmap();
      throw fail("{}: not a .npy file (too short)", file);
    }
    prelude = kPreludeV2;
    for (std::size_t i = 0; i < 4; ++i) header_length |= static_cast<std::size_t>(bytes[8 + i]) << (8U * i);
  } else {
    unmap();
    throw fail("{}: .npy format version {} is not supported", file, major);
  }
  if (header_length > mapping_size_ - prelude) {
    unmap();
    throw fail("{}: truncated .npy header", file);
  }
  const std::string_view header = view.substr(prelude, header_length);
  try {
    dtype_ = parse_descr(header, file);
    shape_ = parse_shape(header, file);
    if (field(header, "fortran_order", file).substr(0, 5) != "False") {
      throw fail("{}: Fortran-order arrays are not supported (save with np.ascontiguousarray)", file);
    }
  } catch (...) {
    unmap();
    throw;
  }
  std::size_t count = 1;
  for (const auto dim : shape_) count *= static_cast<std::size_t>(dim);
  byte_size_ = count * dtype_size(dtype_);
  const std::size_t offset = prelude + header_length;
  if (mapping_size_ - offset != byte_size_) {
    const std::size_t have = mapping_size_ - offset;
    unmap();
    throw fail("{}: holds {} data bytes, its {} {} shape needs {} (truncated or padded file)", file, have,
               dtype_name(dtype_), shape_string(shape_), byte_size_);
  }
  data_ = reinterpret_cast<const std::byte*>(bytes + offset);
  data_offset_ = offset;
}

NpyArray::~NpyArray() { unmap(); }

void NpyArray::unmap() noexcept {
  if (mapping_ != nullptr) ::munmap(mapping_, mapping_size_);
  mapping_ = nullptr;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

NpyArray::NpyArray(NpyArray&& other) noexcept
    : path_(std::move(other.path_)),
      dtype_(other.dtype_),
      shape_(std::move(other.shape_)),
      fd_(other.fd_),
      mapping_(other.mapping_),
      mapping_size_(other.mapping_size_),
      data_(other.data_),
      data_offset_(other.data_offset_),
      byte_size_(other.byte_size_) {
  other.mapping_ = nullptr;
  other.fd_ = -1;
}

std::span<const std::byte> NpyArray::row(std::size_t i) const {
  if (shape_.empty() || i >= static_cast<std::size_t>(shape_[0])) {
    throw fail("{}: row {} out of range", path_.string(), i);
  }
  const std::size_t row_bytes = byte_size_ / static_cast<std::size_t>(shape_[0]);
  return {data_ + i * row_bytes, row_bytes};
}

void NpyArray::release_row(std::size_t i) const {
  const std::span<const std::byte> bytes = row(i);
  if (bytes.empty()) return;
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto start = reinterpret_cast<std::uintptr_t>(bytes.data());
  const std::uintptr_t begin = start / page * page;  // the mapping starts on a page boundary
  const std::uintptr_t end = (start + bytes.size() + page - 1) / page * page;
  if (::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED) != 0) {
    throw fail("{}: cannot release the pages of row {}: {}", path_.string(), i, std::strerror(errno));
  }
}

void NpyArray::read_row(std::size_t i, std::span<std::byte> out) const {
  const std::span<const std::byte> bytes = row(i);
  if (out.size() != bytes.size()) {
    throw fail("{}: row {} holds {} bytes, {} requested", path_.string(), i, bytes.size(), out.size());
  }
  std::size_t done = 0;
  while (done < out.size()) {
    const auto position = static_cast<off_t>(data_offset_ + static_cast<std::size_t>(bytes.data() - data_) + done);
    const ssize_t got = ::pread(fd_, out.data() + done, out.size() - done, position);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      throw fail("{}: cannot read row {}: {}", path_.string(), i, got < 0 ? std::strerror(errno) : "file shrank");
    }
    done += static_cast<std::size_t>(got);
  }
}

}  // namespace octet
