// LaunchX's "Inference Code for TFlite INT8", in C++ with octet's API:
// load a model, list its input/output attributes (model_input_output_attributes),
// quantize the input for int8/uint8 models, invoke, read the outputs and
// dequantize them.
//
//   octet_inference MODEL.tflite [INPUT.f32]
//
// INPUT.f32 holds the first input's values as raw little-endian float32 in
// the input's own shape and layout (numpy: x.astype('<f4').tofile(path)),
// i.e. already preprocessed like the calibration set; without it the input is
// filled with 0.5. (`octet run` does the image preprocessing for you.)
// Prints the attributes, then per output: its raw values' first entries, the
// dequantized ones, and the arg-max. Exit status 0 on success, 1 on error.

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <octet/model.h>

namespace {

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + (shape.size() == 1 ? ",)" : ")");
}

// model_input_output_attributes: name, location, shape, dtype, quantization, format.
void print_attributes(const char* side, const std::vector<octet::TensorInfo>& tensors) {
  for (const octet::TensorInfo& t : tensors) {
    const octet::Quantization& q = t.quantization;
    const double scale = q.scales.size() == 1 ? static_cast<double>(q.scales[0]) : 0.0;
    const long long zero_point = q.zero_points.size() == 1 ? static_cast<long long>(q.zero_points[0]) : 0;
    std::printf("%s %zu: name=%s location=%d shape=%s dtype=%s quantization=(%g, %lld)%s format=%s\n", side,
                t.index, t.name.c_str(), t.tensor, shape_text(t.shape).c_str(), octet::element_type_name(t.dtype),
                scale, zero_point, q.per_channel() ? " per-channel" : "", octet::layout_name(t.layout));
  }
}

int fail(const octet::Status& status) {
  std::fprintf(stderr, "octet_inference: error: %s\n", status.message().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s MODEL.tflite [INPUT.f32]\n", argv[0]);
    return 2;
  }
  std::printf("octet %s\n", octet::version());

  octet::Result<octet::Model> loaded = octet::Model::load(argv[1]);
  if (!loaded.ok()) return fail(loaded.status());
  octet::Model& model = loaded.value();
  print_attributes("input", model.inputs());
  print_attributes("output", model.outputs());

  // The input image, already preprocessed (float32, the input's shape).
  for (const octet::TensorInfo& input : model.inputs()) {
    std::vector<float> values(input.element_count(), 0.5F);
    if (input.index == 0 && argc == 3) {
      std::ifstream file(argv[2], std::ios::binary);
      if (!file) return fail({octet::StatusCode::kNotFound, std::string(argv[2]) + ": cannot open"});
      const std::vector<char> bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
      if (bytes.size() != values.size() * sizeof(float)) {
        return fail({octet::StatusCode::kInvalidArgument,
                     std::string(argv[2]) + ": " + std::to_string(bytes.size()) + " bytes, input 0 needs " +
                         std::to_string(values.size() * sizeof(float)) + " (float32)"});
      }
      std::copy_n(bytes.data(), bytes.size(), reinterpret_cast<char*>(values.data()));
    }
    // For int8/uint8 inputs set_input_float quantizes as TFLite does:
    // round(x / scale) + zero_point, saturated (LaunchX's example truncates
    // with astype and does not clamp).
    if (octet::Status status = model.set_input_float(input.index, values); !status.ok()) return fail(status);
  }

  if (octet::Status status = model.invoke(); !status.ok()) return fail(status);

  for (const octet::TensorInfo& output : model.outputs()) {
    octet::Result<std::span<const std::byte>> raw = model.output_raw(output.index);
    octet::Result<std::vector<float>> values = model.output_float(output.index);
    if (!raw.ok()) return fail(raw.status());
    if (!values.ok()) return fail(values.status());
    const std::vector<float>& v = values.value();
    const std::size_t shown = std::min<std::size_t>(v.size(), 8);
    std::printf("output %zu '%s':", output.index, output.name.c_str());
    if (output.dtype == octet::ElementType::kInt8 || output.dtype == octet::ElementType::kUint8) {
      std::printf(" raw");
      for (std::size_t i = 0; i < shown; ++i) {
        const auto byte = static_cast<unsigned char>(raw.value()[i]);
        std::printf(" %d", output.dtype == octet::ElementType::kInt8 ? static_cast<int>(static_cast<signed char>(byte))
                                                                     : static_cast<int>(byte));
      }
      std::printf(" | dequantized");
    }
    for (std::size_t i = 0; i < shown; ++i) std::printf(" %.6g", static_cast<double>(v[i]));
    if (v.size() > shown) std::printf(" ...");
    if (!v.empty()) {
      const auto best = std::max_element(v.begin(), v.end());
      std::printf(" | argmax %td (%.6g)", best - v.begin(), static_cast<double>(*best));
    }
    std::printf("\n");
  }
  return 0;
}
