// int8 CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV with the integer
// arithmetic of TensorFlow Lite's default CPU path. Shapes, padding and the
// quantization checks are in conv.cpp's Prepare; per output value:
//
//   acc = sum over in-image taps of (input + input_offset) * weight   (int32)
//       + bias[c]                                                     (int32, optional)
//   out = requantize(acc, c)   (ConvQuant::requantize)
//
// with input_offset = -input zero point, so a tap in the padding would add 0
// (padding is the input zero point; TFLite skips those taps). The
// requantization is the one int8_rounding.h picks: XNNPACK's fp32 rule
// (round_half_even(acc * s[c]) + zero point, s[c] = input_scale *
// weight_scale[c] / output_scale in float32) where TFLite's XNNPACK delegate
// runs the op, else TFLite's builtin double rounding
// (MultiplyByQuantizedMultiplier with M[c] = QuantizeMultiplier of the same
// ratio in double). A per-tensor weight scale is used for every channel.
// TRANSPOSE_CONV scatters the same products into int32 sums first.

#include "runtime/reference/common.h"
#include "runtime/reference/int8_common.h"
#include "runtime/reference/int8_kernels.h"

namespace octet::reference {

namespace {

constexpr std::size_t kIn = 0;
constexpr std::size_t kFilter = 1;
constexpr std::size_t kBias = 2;

constexpr std::size_t kTcWeights = 1;
constexpr std::size_t kTcInput = 2;
constexpr std::size_t kTcBias = 3;

const TensorView* bias_view(std::span<const TensorView> inputs, std::size_t index) {
  return inputs.size() > index ? &inputs[index] : nullptr;
}

const std::int32_t* bias_data(std::span<const TensorView> inputs, std::size_t index) {
  return inputs.size() > index ? inputs[index].as<const std::int32_t>() : nullptr;
}

}  // namespace

void eval_conv_int8(const KernelContext& context, std::span<const TensorView> inputs,
                    std::span<const TensorView> outputs) {
  const auto& o = context.op.opts<Conv2DOptions>();
  const Shape& in_shape = inputs[kIn].shape;
  const Shape& f_shape = inputs[kFilter].shape;
  const Shape& out_shape = outputs[0].shape;
  const std::int8_t* input = inputs[kIn].as<const std::int8_t>();
  const std::int8_t* filter = inputs[kFilter].as<const std::int8_t>();
  const std::int32_t* bias = bias_data(inputs, kBias);
  std::int8_t* output = outputs[0].as<std::int8_t>();

  const std::int64_t batches = in_shape[0], in_h = in_shape[1], in_w = in_shape[2], in_c = in_shape[3];
  const std::int64_t f_h = f_shape[1], f_w = f_shape[2], f_c = f_shape[3];
  const std::int64_t out_h = out_shape[1], out_w = out_shape[2], out_c = out_shape[3];
  const std::int64_t per_group = out_c / (in_c / f_c);
  const std::int64_t pad_h = window_padding_before(in_h, f_h, o.stride_h, o.dilation_h, out_h);
  const std::int64_t pad_w = window_padding_before(in_w, f_w, o.stride_w, o.dilation_w, out_w);
  const ConvQuant q = conv_quant(context.op.type, inputs[kIn], inputs[kFilter], bias_view(inputs, kBias), outputs[0],
                                 out_c, o.activation);

  for (std::int64_t b = 0; b < batches; ++b) {
    for (std::int64_t oy = 0; oy < out_h; ++oy) {
      const std::int64_t y0 = oy * o.stride_h - pad_h;
      for (std::int64_t ox = 0; ox < out_w; ++ox) {
        const std::int64_t x0 = ox * o.stride_w - pad_w;
        for (std::int64_t oc = 0; oc < out_c; ++oc) {
          const std::int64_t group = oc / per_group;
          std::int64_t acc = 0;
          for (std::int64_t fy = 0; fy < f_h; ++fy) {
            const std::int64_t y = y0 + fy * o.dilation_h;
            if (y < 0 || y >= in_h) continue;
            for (std::int64_t fx = 0; fx < f_w; ++fx) {
              const std::int64_t x = x0 + fx * o.dilation_w;
              if (x < 0 || x >= in_w) continue;
              const std::int8_t* in_px = input + ((b * in_h + y) * in_w + x) * in_c + group * f_c;
              const std::int8_t* f_px = filter + ((oc * f_h + fy) * f_w + fx) * f_c;
              for (std::int64_t ic = 0; ic < f_c; ++ic) {
                acc += (std::int64_t{in_px[ic]} + q.input_offset) * f_px[ic];
              }
            }
          }
          if (bias != nullptr) acc += bias[oc];
          output[((b * out_h + oy) * out_w + ox) * out_c + oc] =
              q.requantize(saturate_accumulator(acc), to_size(oc));
        }
      }
    }
  }
}

void eval_depthwise_int8(const KernelContext& context, std::span<const TensorView> inputs,
                         std::span<const TensorView> outputs) {
  const auto& o = context.op.opts<DepthwiseConv2DOptions>();
  const Shape& in_shape = inputs[kIn].shape;
  const Shape& f_shape = inputs[kFilter].shape;
  const Shape& out_shape = outputs[0].shape;
  const std::int8_t* input = inputs[kIn].as<const std::int8_t>();
  const std::int8_t* filter = inputs[kFilter].as<const std::int8_t>();
  const std::int32_t* bias = bias_data(inputs, kBias);
  std::int8_t* output = outputs[0].as<std::int8_t>();

  const std::int64_t batches = in_shape[0], in_h = in_shape[1], in_w = in_shape[2], in_c = in_shape[3];
  const std::int64_t f_h = f_shape[1], f_w = f_shape[2];
  const std::int64_t out_h = out_shape[1], out_w = out_shape[2], out_c = out_shape[3];
  const std::int64_t multiplier = o.depth_multiplier;
  const std::int64_t pad_h = window_padding_before(in_h, f_h, o.stride_h, o.dilation_h, out_h);
  const std::int64_t pad_w = window_padding_before(in_w, f_w, o.stride_w, o.dilation_w, out_w);
  const ConvQuant q = conv_quant(context.op.type, inputs[kIn], inputs[kFilter], bias_view(inputs, kBias), outputs[0],
                                 out_c, o.activation);

  for (std::int64_t b = 0; b < batches; ++b) {
    for (std::int64_t oy = 0; oy < out_h; ++oy) {
      const std::int64_t y0 = oy * o.stride_h - pad_h;
      for (std::int64_t ox = 0; ox < out_w; ++ox) {
        const std::int64_t x0 = ox * o.stride_w - pad_w;
        for (std::int64_t ic = 0; ic < in_c; ++ic) {
          for (std::int64_t m = 0; m < multiplier; ++m) {
            const std::int64_t oc = ic * multiplier + m;
            std::int64_t acc = 0;
            for (std::int64_t fy = 0; fy < f_h; ++fy) {
              const std::int64_t y = y0 + fy * o.dilation_h;
              if (y < 0 || y >= in_h) continue;
              for (std::int64_t fx = 0; fx < f_w; ++fx) {
                const std::int64_t x = x0 + fx * o.dilation_w;
                if (x < 0 || x >= in_w) continue;
                const std::int64_t value = input[((b * in_h + y) * in_w + x) * in_c + ic];
                acc += (value + q.input_offset) * filter[(fy * f_w + fx) * out_c + oc];
              }
            }
            if (bias != nullptr) acc += bias[oc];
            output[((b * out_h + oy) * out_w + ox) * out_c + oc] =
                q.requantize(saturate_accumulator(acc), to_size(oc));
          }
        }
      }
    }
  }
}

void eval_transpose_conv_int8(const KernelContext& context, std::span<const TensorView> inputs,
                              std::span<const TensorView> outputs) {
  const auto& o = context.op.opts<TransposeConvOptions>();
  const Shape& in_shape = inputs[kTcInput].shape;
  const Shape& w_shape = inputs[kTcWeights].shape;
  const Shape& out_shape = outputs[0].shape;
  const std::int8_t* input = inputs[kTcInput].as<const std::int8_t>();
  const std::int8_t* weights = inputs[kTcWeights].as<const std::int8_t>();
  const std::int32_t* bias = bias_data(inputs, kTcBias);
  std::int8_t* output = outputs[0].as<std::int8_t>();

  const std::int64_t batches = in_shape[0], in_h = in_shape[1], in_w = in_shape[2], in_c = in_shape[3];
  const std::int64_t f_h = w_shape[1], f_w = w_shape[2];
  const std::int64_t out_h = out_shape[1], out_w = out_shape[2], out_c = out_shape[3];
  // Padding as conv.cpp's float kernel (and TFLite): that of a conv from the output back to the input.
  const std::int64_t pad_h = window_padding_before(
      out_h, f_h, o.stride_h, 1, window_output_size(o.padding, out_h, f_h, o.stride_h, 1));
  const std::int64_t pad_w = window_padding_before(
      out_w, f_w, o.stride_w, 1, window_output_size(o.padding, out_w, f_w, o.stride_w, 1));
  const ConvQuant q = conv_quant(context.op.type, inputs[kTcInput], inputs[kTcWeights], bias_view(inputs, kTcBias),
                                 outputs[0], out_c, o.activation, o.padding == Padding::kValid);

  // TFLite's int32 scratch buffer (int64 here, saturated when read).
  std::vector<std::int64_t> sums(outputs[0].count(), 0);
  for (std::int64_t b = 0; b < batches; ++b) {
    for (std::int64_t iy = 0; iy < in_h; ++iy) {
      for (std::int64_t ix = 0; ix < in_w; ++ix) {
        const std::int64_t y0 = iy * o.stride_h - pad_h;
        const std::int64_t x0 = ix * o.stride_w - pad_w;
        for (std::int64_t ic = 0; ic < in_c; ++ic) {
          const std::int64_t value = std::int64_t{input[((b * in_h + iy) * in_w + ix) * in_c + ic]} + q.input_offset;
          for (std::int64_t fy = 0; fy < f_h; ++fy) {
            const std::int64_t y = y0 + fy;
            if (y < 0 || y >= out_h) continue;
            for (std::int64_t fx = 0; fx < f_w; ++fx) {
              const std::int64_t x = x0 + fx;
              if (x < 0 || x >= out_w) continue;
              for (std::int64_t oc = 0; oc < out_c; ++oc) {
                sums[to_size(((b * out_h + y) * out_w + x) * out_c + oc)] +=
                    value * weights[((oc * f_h + fy) * f_w + fx) * in_c + ic];
              }
            }
          }
        }
      }
    }
  }
  for (std::size_t i = 0; i < sums.size(); ++i) {
    const std::size_t oc = i % to_size(out_c);
    const std::int64_t acc = sums[i] + (bias != nullptr ? bias[oc] : 0);
    output[i] = q.requantize(saturate_accumulator(acc), oc);
  }
}

}  // namespace octet::reference
