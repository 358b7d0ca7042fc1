#include "runtime/fast/xnnpack_util.h"

#include <limits>

#include "core/error.h"

namespace octet::fast {

namespace {

const char* status_name(xnn_status status) {
  switch (status) {
    case xnn_status_success: return "success";
    case xnn_status_uninitialized: return "uninitialized";
    case xnn_status_invalid_parameter: return "invalid parameter";
    case xnn_status_invalid_state: return "invalid state";
    case xnn_status_unsupported_parameter: return "unsupported parameter";
    case xnn_status_unsupported_hardware: return "unsupported hardware";
    case xnn_status_out_of_memory: return "out of memory";
  }
  return "unknown status";
}

}  // namespace

bool xnnpack_available() {
  static const bool available = xnn_initialize(/*allocator=*/nullptr) == xnn_status_success;
  return available;
}

void check(const FastContext& context, xnn_status status, const char* what) {
  if (status != xnn_status_success) {
    throw fail("op '{}' ({}): XNNPACK {} failed ({})", context.op.name, op_name(context.op.type), what,
               status_name(status));
  }
}

std::optional<std::pair<float, float>> activation_range(Activation activation) {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  switch (activation) {
    case Activation::kNone: return std::pair{-kInf, kInf};
    case Activation::kRelu: return std::pair{0.0F, kInf};
    case Activation::kReluN1To1: return std::pair{-1.0F, 1.0F};
    case Activation::kRelu6: return std::pair{0.0F, 6.0F};
    case Activation::kTanh: return std::nullopt;
  }
  return std::nullopt;
}

XnnOperatorKernel::XnnOperatorKernel(const FastContext& context, OperatorPtr op)
    : op_(context.op), operator_(std::move(op)), threadpool_(context.threadpool) {}

void XnnOperatorKernel::run() {
  const xnn_status status = xnn_run_operator(operator_.get(), threadpool_);
  if (status != xnn_status_success) {
    throw fail("op '{}' ({}): XNNPACK run failed ({})", op_.name, op_name(op_.type), status_name(status));
  }
}

}  // namespace octet::fast
