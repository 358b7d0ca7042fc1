// CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV on float32 NHWC tensors, as
// TFLite's reference kernels compute them: zero padding by skipping taps
// outside the image, padding before = floor(total / 2) (the odd pixel goes
// after), bias added to the accumulated sum, then the fused activation.
// An int8 input selects the int8 kernels of conv_int8.cpp: Prepare checks
// shapes as below plus the quantization (int8_common.h).

#include "runtime/reference/common.h"
#include "runtime/reference/int8_common.h"
#include "runtime/reference/int8_kernels.h"
#include "runtime/reference/registry.h"

namespace octet::reference {

namespace {

constexpr std::size_t kIn = 0;
constexpr std::size_t kFilter = 1;
constexpr std::size_t kBias = 2;

// Input `index`'s dtype: int8 selects the int8 kernel; anything else must be float32.
DType kernel_dtype(const KernelContext& context, std::size_t index) {
  if (input_tensor(context, index).dtype == DType::kInt8) return DType::kInt8;
  require_dtype(context, index, DType::kFloat32);
  return DType::kFloat32;
}

// Checks an optional bias: float32 vector of `channels` values.
void check_bias(const KernelContext& context, std::size_t index, std::int64_t channels) {
  const Tensor* bias = context.input(index);
  if (bias == nullptr) return;
  require_dtype(context, index, DType::kFloat32);
  if (bias->shape.size() != 1 || bias->shape[0] != channels) {
    throw op_fail(context, "bias '{}' must have shape {}, got {}", bias->name, channels, shape_string(bias->shape));
  }
}

// ---- CONV_2D: input NHWC, filter OHWI (I = input channels / groups).

std::vector<TensorSpec> prepare_conv(const KernelContext& context) {
  const auto& o = context.op.opts<Conv2DOptions>();
  const DType dtype = kernel_dtype(context, kIn);
  if (dtype == DType::kFloat32) require_dtype(context, kFilter, DType::kFloat32);
  require_rank(context, kIn, 4);
  require_rank(context, kFilter, 4);
  const Shape& in = input_tensor(context, kIn).shape;
  const Shape& filter = input_tensor(context, kFilter).shape;
  const std::int64_t out_channels = filter[0];
  if (in[3] < 1 || filter[3] < 1 || in[3] % filter[3] != 0) {
    throw op_fail(context, "input channels {} must be a multiple of the filter's input channels {} (filter OHWI {})",
                  in[3], filter[3], shape_string(filter));
  }
  const std::int64_t groups = in[3] / filter[3];
  if (out_channels < 1 || out_channels % groups != 0) {
    throw op_fail(context, "output channels {} must be a positive multiple of the group count {}", out_channels,
                  groups);
  }
  if (dtype == DType::kInt8) {
    require_int8_conv_quant(context, kIn, kFilter, kBias, 0, out_channels);
  } else {
    check_bias(context, kBias, out_channels);
  }
  require_activation_supported(context, o.activation, dtype);
  const std::int64_t out_h = checked_window_output(context, o.padding, in[1], filter[1], o.stride_h, o.dilation_h, "h");
  const std::int64_t out_w = checked_window_output(context, o.padding, in[2], filter[2], o.stride_w, o.dilation_w, "w");
  return {{dtype, {in[0], out_h, out_w, out_channels}}};
}

void eval_conv(const KernelContext& context, std::span<const TensorView> inputs, std::span<const TensorView> outputs) {
  if (inputs[kIn].dtype == DType::kInt8) return eval_conv_int8(context, inputs, outputs);
  const auto& o = context.op.opts<Conv2DOptions>();
  const Shape& in_shape = inputs[kIn].shape;
  const Shape& f_shape = inputs[kFilter].shape;
  const Shape& out_shape = outputs[0].shape;
  const float* input = inputs[kIn].as<const float>();
  const float* filter = inputs[kFilter].as<const float>();
  const float* bias = inputs.size() > kBias ? inputs[kBias].as<const float>() : nullptr;
  float* output = outputs[0].as<float>();

  const std::int64_t batches = in_shape[0], in_h = in_shape[1], in_w = in_shape[2], in_c = in_shape[3];
  const std::int64_t f_h = f_shape[1], f_w = f_shape[2], f_c = f_shape[3];
  const std::int64_t out_h = out_shape[1], out_w = out_shape[2], out_c = out_shape[3];
  const std::int64_t per_group = out_c / (in_c / f_c);
  const std::int64_t pad_h = window_padding_before(in_h, f_h, o.stride_h, o.dilation_h, out_h);
  const std::int64_t pad_w = window_padding_before(in_w, f_w, o.stride_w, o.dilation_w, out_w);

  for (std::int64_t b = 0; b < batches; ++b) {
    for (std::int64_t oy = 0; oy < out_h; ++oy) {
      const std::int64_t y0 = oy * o.stride_h - pad_h;
      for (std::int64_t ox = 0; ox < out_w; ++ox) {
        const std::int64_t x0 = ox * o.stride_w - pad_w;
        for (std::int64_t oc = 0; oc < out_c; ++oc) {
          const std::int64_t group = oc / per_group;
          float total = 0.0F;
          for (std::int64_t fy = 0; fy < f_h; ++fy) {
            const std::int64_t y = y0 + fy * o.dilation_h;
            if (y < 0 || y >= in_h) continue;
            for (std::int64_t fx = 0; fx < f_w; ++fx) {
              const std::int64_t x = x0 + fx * o.dilation_w;
              if (x < 0 || x >= in_w) continue;
              const float* in_px = input + ((b * in_h + y) * in_w + x) * in_c + group * f_c;
              const float* f_px = filter + ((oc * f_h + fy) * f_w + fx) * f_c;
              for (std::int64_t ic = 0; ic < f_c; ++ic) total += in_px[ic] * f_px[ic];
            }
          }
          const float biased = total + (bias != nullptr ? bias[oc] : 0.0F);
          output[((b * out_h + oy) * out_w + ox) * out_c + oc] = apply_activation(biased, o.activation);
        }
      }
    }
  }
}

// ---- DEPTHWISE_CONV_2D: filter 1HW(C*M); output channel c*M + m reads input channel c.

std::vector<TensorSpec> prepare_depthwise(const KernelContext& context) {
  const auto& o = context.op.opts<DepthwiseConv2DOptions>();
  const DType dtype = kernel_dtype(context, kIn);
  if (dtype == DType::kFloat32) require_dtype(context, kFilter, DType::kFloat32);
  require_rank(context, kIn, 4);
  require_rank(context, kFilter, 4);
  const Shape& in = input_tensor(context, kIn).shape;
  const Shape& filter = input_tensor(context, kFilter).shape;
  if (filter[0] != 1) throw op_fail(context, "filter must have shape 1xHxWx(C*M), got {}", shape_string(filter));
  if (o.depth_multiplier < 1 || in[3] * o.depth_multiplier != filter[3]) {
    throw op_fail(context, "filter channels {} must equal input channels {} x depth_multiplier {}", filter[3], in[3],
                  o.depth_multiplier);
  }
  if (dtype == DType::kInt8) {
    // Depthwise weights 1HW(C*M) are quantized along their last axis.
    constexpr int kDepthwiseChannelAxis = 3;
    require_int8_conv_quant(context, kIn, kFilter, kBias, kDepthwiseChannelAxis, filter[3]);
  } else {
    check_bias(context, kBias, filter[3]);
  }
  require_activation_supported(context, o.activation, dtype);
  const std::int64_t out_h = checked_window_output(context, o.padding, in[1], filter[1], o.stride_h, o.dilation_h, "h");
  const std::int64_t out_w = checked_window_output(context, o.padding, in[2], filter[2], o.stride_w, o.dilation_w, "w");
  return {{dtype, {in[0], out_h, out_w, filter[3]}}};
}

void eval_depthwise(const KernelContext& context, std::span<const TensorView> inputs,
                    std::span<const TensorView> outputs) {
  if (inputs[kIn].dtype == DType::kInt8) return eval_depthwise_int8(context, inputs, outputs);
  const auto& o = context.op.opts<DepthwiseConv2DOptions>();
  const Shape& in_shape = inputs[kIn].shape;
  const Shape& f_shape = inputs[kFilter].shape;
  const Shape& out_shape = outputs[0].shape;
  const float* input = inputs[kIn].as<const float>();
  const float* filter = inputs[kFilter].as<const float>();
  const float* bias = inputs.size() > kBias ? inputs[kBias].as<const float>() : nullptr;
  float* output = outputs[0].as<float>();

  const std::int64_t batches = in_shape[0], in_h = in_shape[1], in_w = in_shape[2], in_c = in_shape[3];
  const std::int64_t f_h = f_shape[1], f_w = f_shape[2];
  const std::int64_t out_h = out_shape[1], out_w = out_shape[2], out_c = out_shape[3];
  const std::int64_t multiplier = o.depth_multiplier;
  const std::int64_t pad_h = window_padding_before(in_h, f_h, o.stride_h, o.dilation_h, out_h);
  const std::int64_t pad_w = window_padding_before(in_w, f_w, o.stride_w, o.dilation_w, out_w);

  for (std::int64_t b = 0; b < batches; ++b) {
    for (std::int64_t oy = 0; oy < out_h; ++oy) {
      const std::int64_t y0 = oy * o.stride_h - pad_h;
      for (std::int64_t ox = 0; ox < out_w; ++ox) {
        const std::int64_t x0 = ox * o.stride_w - pad_w;
        for (std::int64_t ic = 0; ic < in_c; ++ic) {
          for (std::int64_t m = 0; m < multiplier; ++m) {
            const std::int64_t oc = ic * multiplier + m;
            float total = 0.0F;
            for (std::int64_t fy = 0; fy < f_h; ++fy) {
              const std::int64_t y = y0 + fy * o.dilation_h;
              if (y < 0 || y >= in_h) continue;
              for (std::int64_t fx = 0; fx < f_w; ++fx) {
                const std::int64_t x = x0 + fx * o.dilation_w;
                if (x < 0 || x >= in_w) continue;
                total += input[((b * in_h + y) * in_w + x) * in_c + ic] * filter[(fy * f_w + fx) * out_c + oc];
              }
            }
            const float biased = total + (bias != nullptr ? bias[oc] : 0.0F);
            output[((b * out_h + oy) * out_w + ox) * out_c + oc] = apply_activation(biased, o.activation);
          }
        }
      }
    }
  }
}

// ---- TRANSPOSE_CONV: inputs (output_shape, weights OHWI, input, optional bias).

constexpr std::size_t kTcOutputShape = 0;
constexpr std::size_t kTcWeights = 1;
constexpr std::size_t kTcInput = 2;
constexpr std::size_t kTcBias = 3;

std::vector<TensorSpec> prepare_transpose_conv(const KernelContext& context) {
  const auto& o = context.op.opts<TransposeConvOptions>();
  const DType dtype = kernel_dtype(context, kTcInput);
  if (dtype == DType::kFloat32) require_dtype(context, kTcWeights, DType::kFloat32);
  require_rank(context, kTcWeights, 4);
  require_rank(context, kTcInput, 4);
  const Shape out = constant_ints(context, kTcOutputShape);
  const Shape& weights = input_tensor(context, kTcWeights).shape;
  const Shape& in = input_tensor(context, kTcInput).shape;
  if (out.size() != 4) throw op_fail(context, "output_shape must hold 4 values (NHWC), got {}", out.size());
  for (const std::int64_t d : out) {
    if (d < 1) throw op_fail(context, "output_shape {} must be positive", shape_string(out));
  }
  if (out[0] != in[0]) throw op_fail(context, "output_shape batch {} differs from the input's {}", out[0], in[0]);
  if (weights[3] != in[3]) {
    throw op_fail(context, "weights input channels {} differ from the input's {} (weights OHWI {})", weights[3], in[3],
                  shape_string(weights));
  }
  if (weights[0] != out[3]) {
    throw op_fail(context, "weights output channels {} differ from output_shape channels {}", weights[0], out[3]);
  }
  if (o.stride_h < 1 || o.stride_w < 1) throw op_fail(context, "strides must be >= 1");
  if (weights[1] < 1 || weights[2] < 1) throw op_fail(context, "weights {} have an empty window", shape_string(weights));
  if (dtype == DType::kInt8) {
    require_int8_conv_quant(context, kTcInput, kTcWeights, kTcBias, 0, out[3]);
  } else {
    check_bias(context, kTcBias, out[3]);
  }
  require_activation_supported(context, o.activation, dtype);
  return {{dtype, out}};
}

void eval_transpose_conv(const KernelContext& context, std::span<const TensorView> inputs,
                         std::span<const TensorView> outputs) {
  if (inputs[kTcInput].dtype == DType::kInt8) return eval_transpose_conv_int8(context, inputs, outputs);
  const auto& o = context.op.opts<TransposeConvOptions>();
  const Shape& in_shape = inputs[kTcInput].shape;
  const Shape& w_shape = inputs[kTcWeights].shape;
  const Shape& out_shape = outputs[0].shape;
  const float* input = inputs[kTcInput].as<const float>();
  const float* weights = inputs[kTcWeights].as<const float>();
  const float* bias = inputs.size() > kTcBias ? inputs[kTcBias].as<const float>() : nullptr;
  float* output = outputs[0].as<float>();

  const std::int64_t batches = in_shape[0], in_h = in_shape[1], in_w = in_shape[2], in_c = in_shape[3];
  const std::int64_t f_h = w_shape[1], f_w = w_shape[2];
  const std::int64_t out_h = out_shape[1], out_w = out_shape[2], out_c = out_shape[3];
  // TFLite pads as if convolving the output back to the input: the padding of
  // a conv from out_h to ComputeOutSize(padding, out_h, f_h, stride).
  const std::int64_t pad_h = window_padding_before(
      out_h, f_h, o.stride_h, 1, window_output_size(o.padding, out_h, f_h, o.stride_h, 1));
  const std::int64_t pad_w = window_padding_before(
      out_w, f_w, o.stride_w, 1, window_output_size(o.padding, out_w, f_w, o.stride_w, 1));

  std::fill(output, output + outputs[0].count(), 0.0F);
  // Scatter: every input pixel adds its contribution to the outputs it reaches.
  for (std::int64_t b = 0; b < batches; ++b) {
    for (std::int64_t iy = 0; iy < in_h; ++iy) {
      for (std::int64_t ix = 0; ix < in_w; ++ix) {
        const std::int64_t y0 = iy * o.stride_h - pad_h;
        const std::int64_t x0 = ix * o.stride_w - pad_w;
        for (std::int64_t ic = 0; ic < in_c; ++ic) {
          const float value = input[((b * in_h + iy) * in_w + ix) * in_c + ic];
          for (std::int64_t fy = 0; fy < f_h; ++fy) {
            const std::int64_t y = y0 + fy;
            if (y < 0 || y >= out_h) continue;
            for (std::int64_t fx = 0; fx < f_w; ++fx) {
              const std::int64_t x = x0 + fx;
              if (x < 0 || x >= out_w) continue;
              for (std::int64_t oc = 0; oc < out_c; ++oc) {
                output[((b * out_h + y) * out_w + x) * out_c + oc] +=
                    value * weights[((oc * f_h + fy) * f_w + fx) * in_c + ic];
              }
            }
          }
        }
      }
    }
  }
  const auto count = static_cast<std::int64_t>(outputs[0].count());
  for (std::int64_t i = 0; i < count; ++i) {
    const float biased = output[i] + (bias != nullptr ? bias[i % out_c] : 0.0F);
    output[i] = apply_activation(biased, o.activation);
  }
}

}  // namespace

void add_conv_kernels(KernelTable& table) {
  table.add(OpType::kConv2D, prepare_conv, eval_conv);
  table.add(OpType::kDepthwiseConv2D, prepare_depthwise, eval_depthwise);
  table.add(OpType::kTransposeConv, prepare_transpose_conv, eval_transpose_conv);
}

}  // namespace octet::reference
