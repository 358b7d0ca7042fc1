#include "onnx/tensor_proto.h"

#include <fstream>
#include <limits>

#include "core/error.h"

namespace octet::onnx_import {

namespace fs = std::filesystem;

DType dtype_from_onnx(int onnx_type, const std::string& what) {
  switch (onnx_type) {
    case onnx::TensorProto::FLOAT: return DType::kFloat32;
    case onnx::TensorProto::FLOAT16: return DType::kFloat16;
    case onnx::TensorProto::INT8: return DType::kInt8;
    case onnx::TensorProto::UINT8: return DType::kUint8;
    case onnx::TensorProto::INT16: return DType::kInt16;
    case onnx::TensorProto::INT32: return DType::kInt32;
    case onnx::TensorProto::INT64: return DType::kInt64;
    case onnx::TensorProto::BOOL: return DType::kBool;
    default: break;
  }
  const auto* descriptor = onnx::TensorProto::DataType_descriptor();
  const auto* value = descriptor->FindValueByNumber(onnx_type);
  throw fail("{}: element type {} is not supported (octet handles float32, float16, int8, uint8, int16, "
             "int32, int64, bool)",
             what, value != nullptr ? value->name() : std::to_string(onnx_type));
}

namespace {

template <typename Field, typename T>
void copy_typed(const Field& field, std::vector<std::byte>& out, std::size_t count, const std::string& name) {
  if (static_cast<std::size_t>(field.size()) != count) {
    throw fail("initializer '{}': holds {} values, its shape needs {}", name, field.size(), count);
  }
  out.resize(count * sizeof(T));
  for (std::size_t i = 0; i < count; ++i) {
    const T value = static_cast<T>(field.Get(static_cast<int>(i)));
    std::memcpy(out.data() + i * sizeof(T), &value, sizeof(T));
  }
}

Bytes read_external(const onnx::TensorProto& proto, const fs::path& model_dir, std::size_t expected) {
  std::string location;
  std::uint64_t offset = 0;
  std::uint64_t length = expected;
  for (const auto& entry : proto.external_data()) {
    if (entry.key() == "location") location = entry.value();
    if (entry.key() == "offset") offset = std::stoull(entry.value());
    if (entry.key() == "length") length = std::stoull(entry.value());
  }
  const fs::path relative(location);
  if (location.empty() || relative.is_absolute() ||
      std::any_of(relative.begin(), relative.end(), [](const fs::path& p) { return p == ".."; })) {
    throw fail("initializer '{}': external data location '{}' must be a relative path inside the model's folder",
               proto.name(), location);
  }
  if (length != expected) {
    throw fail("initializer '{}': external data length {} does not match its shape ({} bytes)", proto.name(),
               length, expected);
  }
  const fs::path path = model_dir / relative;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw fail("initializer '{}': cannot open external data file {}", proto.name(), path.string());
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::uint64_t>(in.tellg());
  if (offset > size || size - offset < length) {
    throw fail("initializer '{}': external data file {} is too short ({} bytes, needs {} at offset {})",
               proto.name(), path.string(), size, length, offset);
  }
  Bytes bytes(length);
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(length));
  return bytes;
}

}  // namespace

Tensor tensor_from_proto(const onnx::TensorProto& proto, const fs::path& model_dir) {
  const std::string what = fmt::format("initializer '{}'", proto.name());
  Tensor tensor;
  tensor.name = proto.name();
  tensor.dtype = dtype_from_onnx(proto.data_type(), what);
  for (const auto dim : proto.dims()) {
    if (dim < 0) throw fail("{}: negative dimension {}", what, dim);
    tensor.shape.push_back(dim);
  }
  const std::size_t count = static_cast<std::size_t>(element_count(tensor.shape));
  const std::size_t expected = count * dtype_size(tensor.dtype);
  auto bytes = std::make_shared<Bytes>();

  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    *bytes = read_external(proto, model_dir, expected);
  } else if (proto.has_raw_data()) {
    if (proto.raw_data().size() != expected) {
      throw fail("{}: raw data has {} bytes, its {} {} shape needs {}", what, proto.raw_data().size(),
                 dtype_name(tensor.dtype), shape_string(tensor.shape), expected);
    }
    bytes->resize(expected);
    // An empty tensor's buffer may be null, and memcpy must not see a null pointer.
    if (expected > 0) std::memcpy(bytes->data(), proto.raw_data().data(), expected);
  } else {
    switch (tensor.dtype) {
      case DType::kFloat32: copy_typed<decltype(proto.float_data()), float>(proto.float_data(), *bytes, count, proto.name()); break;
      case DType::kInt64: copy_typed<decltype(proto.int64_data()), std::int64_t>(proto.int64_data(), *bytes, count, proto.name()); break;
      case DType::kInt32: copy_typed<decltype(proto.int32_data()), std::int32_t>(proto.int32_data(), *bytes, count, proto.name()); break;
      case DType::kInt16: copy_typed<decltype(proto.int32_data()), std::int16_t>(proto.int32_data(), *bytes, count, proto.name()); break;
      case DType::kInt8: copy_typed<decltype(proto.int32_data()), std::int8_t>(proto.int32_data(), *bytes, count, proto.name()); break;
      case DType::kUint8: copy_typed<decltype(proto.int32_data()), std::uint8_t>(proto.int32_data(), *bytes, count, proto.name()); break;
      case DType::kBool: copy_typed<decltype(proto.int32_data()), std::uint8_t>(proto.int32_data(), *bytes, count, proto.name()); break;
      case DType::kFloat16: copy_typed<decltype(proto.int32_data()), std::uint16_t>(proto.int32_data(), *bytes, count, proto.name()); break;
    }
  }
  tensor.data = std::move(bytes);
  return tensor;
}

}  // namespace octet::onnx_import
