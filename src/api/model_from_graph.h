#pragma once
// Internal: an octet::Model over an IR graph rather than a .tflite file, so
// that `octet run MODEL.onnx` runs octet's interpreter on the imported graph
// exactly as the rest of the API would run the written file.

#include <memory>
#include <string>

#include "core/graph.h"
#include "octet/model.h"

namespace octet {

struct ModelFactory {
  // `graph` is verified and prepared like a loaded .tflite's; `conversion_metadata`
  // becomes the model's "octet_conversion" metadata (JSON: the I/O layouts
  // are read from its "inputs"/"outputs" "layout" fields and notes, as for
  // files octet wrote). `name` prefixes error messages. Errors as Model::load.
  static Result<Model> from_graph(Graph graph, const std::string& name, const std::string& conversion_metadata,
                                  const RunOptions& options = {}) noexcept;

  // The checks and set-up shared with Model::load_from_bytes.
  static Result<Model> prepare(std::unique_ptr<Model::Impl> impl, const RunOptions& options) noexcept;
};

}  // namespace octet
