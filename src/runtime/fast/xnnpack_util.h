#pragma once
// What every XNNPACK-backed fast kernel needs: the library initialised once,
// operators owned by RAII handles, statuses turned into octet errors that
// name the op, and TFLite's fused activations as XNNPACK output ranges.

#include <xnnpack.h>

#include <memory>
#include <optional>
#include <utility>

#include "runtime/fast/fast_kernel.h"

namespace octet::fast {

// Initialises XNNPACK on first use; false when the CPU is not supported
// (then no XNNPACK kernel is created and the reference kernels run).
bool xnnpack_available();

struct OperatorDeleter {
  void operator()(xnn_operator_t op) const { xnn_delete_operator(op); }
};
using OperatorPtr = std::unique_ptr<xnn_operator, OperatorDeleter>;

// Throws "op 'NAME' (TYPE): XNNPACK <what> failed (<status>)" unless ok.
void check(const FastContext& context, xnn_status status, const char* what);

// The output range of a fused activation, or nullopt for one XNNPACK cannot
// apply as a clamp (TANH).
std::optional<std::pair<float, float>> activation_range(Activation activation);

// A fast kernel that runs one XNNPACK operator, set up once at creation.
class XnnOperatorKernel final : public FastKernel {
 public:
  XnnOperatorKernel(const FastContext& context, OperatorPtr op);
  void run() override;

 private:
  const Op& op_;
  OperatorPtr operator_;
  pthreadpool* threadpool_;
};

}  // namespace octet::fast
