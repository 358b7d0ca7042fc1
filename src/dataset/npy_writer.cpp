#include "dataset/npy_writer.h"

#include <bit>

#include "core/error.h"

namespace octet {

namespace {

constexpr std::string_view kMagic{"\x93NUMPY\x01\x00", 8};  // format version 1.0
constexpr std::size_t kLengthFieldSize = 2;
constexpr std::size_t kAlignment = 64;          // numpy's ARRAY_ALIGN
constexpr std::size_t kGrowthAxisDigits = 21;   // numpy's GROWTH_AXIS_MAX_DIGITS

static_assert(std::endian::native == std::endian::little,
              "the .npy writer stores '<f4' data as it lies in memory");

std::string python_tuple(std::span<const std::uint64_t> shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(shape[i]);
  }
  if (shape.size() == 1) text += ',';
  return text + ")";
}

}  // namespace

std::string npy_float32_header(std::span<const std::uint64_t> shape) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + python_tuple(shape) + ", }";
  if (!shape.empty()) {
    dict.append(kGrowthAxisDigits - std::to_string(shape.front()).size(), ' ');
  }
  const std::size_t text_size = dict.size() + 1;  // + the final newline
  const std::size_t padding = kAlignment - (kMagic.size() + kLengthFieldSize + text_size) % kAlignment;
  const std::size_t header_length = text_size + padding;
  constexpr std::size_t kMaxVersion1Header = 0xFFFF;
  if (header_length > kMaxVersion1Header) throw fail(".npy header too long for format 1.0");

  std::string header(kMagic);
  header += static_cast<char>(header_length & 0xFFU);
  header += static_cast<char>((header_length >> 8U) & 0xFFU);
  header += dict;
  header.append(padding, ' ');
  header += '\n';
  return header;
}

NpyStreamWriter::NpyStreamWriter(const std::filesystem::path& temporary_destination,
                                 std::vector<std::uint64_t> row_shape)
    : file_(temporary_destination), row_shape_(std::move(row_shape)) {
  for (const std::uint64_t dim : row_shape_) row_values_ *= dim;
  const std::string header = npy_float32_header(shape());
  header_size_ = header.size();
  file_.write(header.data(), header.size());
}

std::vector<std::uint64_t> NpyStreamWriter::shape() const {
  std::vector<std::uint64_t> full{rows_};
  full.insert(full.end(), row_shape_.begin(), row_shape_.end());
  return full;
}

void NpyStreamWriter::append_row(std::span<const float> values) {
  if (values.size() != row_values_) {
    throw fail("internal: .npy row of {} values, expected {}", values.size(), row_values_);
  }
  file_.write(values.data(), values.size_bytes());
  ++rows_;
}

void NpyStreamWriter::commit_as(const std::filesystem::path& destination) {
  const std::string header = npy_float32_header(shape());
  if (header.size() != header_size_) {
    throw fail("internal: .npy header changed size ({} -> {} bytes)", header_size_, header.size());
  }
  file_.write_at(0, header.data(), header.size());
  file_.commit_as(destination);
}

}  // namespace octet
