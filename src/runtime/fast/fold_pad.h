#pragma once
// Folding an explicit PAD into the convolution that reads it. TFLite's
// padding is only SAME or VALID, so an ONNX convolution whose pads SAME
// cannot express (stride 2 with pads 1 on both sides, the stem of most CNNs)
// becomes PAD + CONV_2D/DEPTHWISE_CONV_2D VALID. XNNPACK's convolution takes
// explicit padding and pads with what the PAD writes (0 for float32, the
// input zero point for int8), so the convolution's fast kernel can read the
// PAD's input directly with the PAD's amounts added to its own padding, and
// the PAD does not run at all.
//
// A fold needs: PAD or PADV2 of a 4-D float32 or int8 tensor, constant
// non-negative paddings on H and W only, and an output that is not a graph
// output and is read by exactly one op as its data input: a CONV_2D or
// DEPTHWISE_CONV_2D, with the pad value the convolution pads with (float32 0;
// int8 the zero point, input and output quantized alike), or a float32
// MAX_POOL_2D, with a PADV2 of the lowest float (or -inf): ONNX MaxPool's
// explicit padding, which XNNPACK's max pooling ignores, the same result while
// every window keeps a value of the image (its factory checks that). The
// interpreter then asks the consumer's fast kernel whether it takes the fold;
// if not, both ops run as usual. A folded PAD's output is never written.

#include <cstddef>
#include <vector>

#include "core/graph.h"
#include "runtime/fast/fast_kernel.h"
#include "runtime/fast/window.h"
#include "runtime/memory_plan.h"

namespace octet::fast {

struct PadFold {
  std::size_t pad_op = 0;       // index of the PAD / PADV2 op
  std::size_t consumer_op = 0;  // index of the convolution reading its output
  Window extra{};               // the PAD's amounts: top, right, bottom, left
};

// Every PAD of `graph` that meets the conditions above, in op order.
std::vector<PadFold> find_pad_folds(const Graph& graph);

// The reads folds add (a convolution reading a PAD's input), for the memory
// plan (folds.h gathers every fold's).
std::vector<ExtraRead> pad_fold_extra_reads(const Graph& graph, std::span<const PadFold> folds);

// What a convolution's fast kernel reads: the op's data input with its own
// padding, or, for a folded PAD, the PAD's input with both paddings.
struct ConvSource {
  const TensorView& view;
  Window pad;
};
ConvSource conv_source(const FastContext& context, const Window& own_padding);

}  // namespace octet::fast
