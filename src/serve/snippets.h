#pragma once
// Ready-to-run inference code for a converted model, from its `octet inspect`
// description: C++ with octet's API (examples/inference.cpp) and Python with
// tf.lite (LaunchX's "Inference Code for TFlite INT8").

#include <string>

#include <nlohmann/json.hpp>

namespace octet::serve {

struct Snippets {
  std::string cpp;
  std::string python;
};

Snippets inference_snippets(const nlohmann::ordered_json& inspect, const std::string& model_file);

}  // namespace octet::serve
