#include "serve/snippets.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace octet::serve {

namespace {

using Json = nlohmann::ordered_json;

std::string shape_list(const Json& io) {
  std::vector<std::string> dims;
  for (const Json& d : io["shape"]) dims.push_back(d.dump());
  return fmt::format("{}", fmt::join(dims, ", "));
}

}  // namespace

Snippets inference_snippets(const Json& inspect, const std::string& model_file) {
  const Json& input = inspect["inputs"][0];
  const Json& output = inspect["outputs"][0];
  Snippets s;
  s.cpp = fmt::format(R"(// {file}: input '{in_name}' {in_dtype} [{in_shape}], output '{out_name}' {out_dtype} [{out_shape}]
// Build: find_package(octet) and target_link_libraries(app PRIVATE octet::octet) (docs/api.md).
#include <cstdio>
#include <vector>

#include <octet/model.h>

int main() {{
  octet::Result<octet::Model> loaded = octet::Model::load("{file}");
  if (!loaded.ok()) {{ std::fprintf(stderr, "%s\n", loaded.status().message().c_str()); return 1; }}
  octet::Model& model = loaded.value();

  // The image, preprocessed like the calibration set ({in_layout}, float32).
  std::vector<float> pixels(model.inputs()[0].element_count(), 0.5F);
  // For int8/uint8 inputs set_input_float quantizes: round(x / scale) + zero_point.
  if (octet::Status s = model.set_input_float(0, pixels); !s.ok()) {{ std::fprintf(stderr, "%s\n", s.message().c_str()); return 1; }}
  if (octet::Status s = model.invoke(); !s.ok()) {{ std::fprintf(stderr, "%s\n", s.message().c_str()); return 1; }}

  // Dequantized for int8/uint8 outputs: (q - zero_point) * scale.
  octet::Result<std::vector<float>> scores = model.output_float(0);
  if (!scores.ok()) {{ std::fprintf(stderr, "%s\n", scores.status().message().c_str()); return 1; }}
  std::size_t best = 0;
  for (std::size_t i = 1; i < scores.value().size(); ++i) if (scores.value()[i] > scores.value()[best]) best = i;
  std::printf("arg-max %zu (%g)\n", best, static_cast<double>(scores.value()[best]));
  return 0;
}}
)",
                      fmt::arg("file", model_file), fmt::arg("in_name", input["name"].get<std::string>()),
                      fmt::arg("in_dtype", input["dtype"].get<std::string>()), fmt::arg("in_shape", shape_list(input)),
                      fmt::arg("in_layout", input["format"].get<std::string>()),
                      fmt::arg("out_name", output["name"].get<std::string>()),
                      fmt::arg("out_dtype", output["dtype"].get<std::string>()),
                      fmt::arg("out_shape", shape_list(output)));
  s.python = fmt::format(R"(# {file}: input '{in_name}' {in_dtype} [{in_shape}], output '{out_name}' {out_dtype} [{out_shape}]
import numpy as np
import tensorflow as tf  # or: from tflite_runtime.interpreter import Interpreter

interpreter = tf.lite.Interpreter(model_path="{file}")
interpreter.allocate_tensors()
input_details = interpreter.get_input_details()[0]
output_details = interpreter.get_output_details()[0]

# The image, preprocessed like the calibration set ({in_layout}, float32).
x = np.full(input_details["shape"], 0.5, dtype=np.float32)
if input_details["dtype"] in (np.int8, np.uint8):
    scale, zero_point = input_details["quantization"]
    info = np.iinfo(input_details["dtype"])
    x = np.clip(np.round(x / scale) + zero_point, info.min, info.max).astype(input_details["dtype"])
interpreter.set_tensor(input_details["index"], x)
interpreter.invoke()

y = interpreter.get_tensor(output_details["index"])
if output_details["dtype"] in (np.int8, np.uint8):
    scale, zero_point = output_details["quantization"]
    y = (y.astype(np.float32) - zero_point) * scale
print("arg-max", int(np.argmax(y)), float(np.max(y)))
)",
                         fmt::arg("file", model_file), fmt::arg("in_name", input["name"].get<std::string>()),
                         fmt::arg("in_dtype", input["dtype"].get<std::string>()),
                         fmt::arg("in_shape", shape_list(input)),
                         fmt::arg("in_layout", input["format"].get<std::string>()),
                         fmt::arg("out_name", output["name"].get<std::string>()),
                         fmt::arg("out_dtype", output["dtype"].get<std::string>()),
                         fmt::arg("out_shape", shape_list(output)));
  return s;
}

}  // namespace octet::serve
