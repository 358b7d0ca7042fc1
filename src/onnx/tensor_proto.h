#pragma once
// ONNX TensorProto (initializers, Constant values, attributes) to IR tensors.

#include <filesystem>

#include <onnx/onnx_pb.h>

#include "core/tensor.h"

namespace octet::onnx_import {

// Maps an ONNX element type to an IR dtype; throws for types octet does not handle.
DType dtype_from_onnx(int onnx_type, const std::string& what);

// Decodes a tensor's values (raw_data, typed fields, or external data stored
// relative to `model_dir`). Throws octet::Error naming the tensor.
Tensor tensor_from_proto(const onnx::TensorProto& proto, const std::filesystem::path& model_dir);

}  // namespace octet::onnx_import
