// int8 LOG_SOFTMAX over the last axis with the arithmetic of TFLite 2.12's
// builtin kernel (activations.cc LogSoftmaxPrepare/Eval ->
// reference_integer_ops::LogSoftmax; XNNPACK takes no LOG_SOFTMAX): gemmlowp
// fixed point throughout. Per row, with d = q - max(row) <= 0:
//   * d_q5 = MultiplyByQuantizedMultiplier(d, M_in) in Q5.26, where
//     M_in = QuantizeMultiplier(min(s_in 2^26, 2^31 - 1)) (beta 1);
//   * sum of exp(d_q5) (gemmlowp's exp_on_negative_values, Q0.31) rescaled
//     to Q12.19, over the d >= diff_min = -floor(31 2^26 / 2^shift_in);
//   * log_sum = log(sum) in Q5.26 (TFLite's log_x_for_x_greater_than_or_equal_to_1);
//   * out = RoundingDivideByPOT(d_q5 - log_sum, 22) + 127, saturated, for
//     d > max(diff_min - 1, MBQM(log_sum + INT32_MIN, M_reverse)), else -128,
//     with M_reverse = QuantizeMultiplier(2^(31 - shift_in) / M_in.multiplier).
// The output is fixed at scale 16/256, zero point 127.
//
// Fixed-point values are int32 raws: a raw r with I integer bits stands for
// r / 2^(31 - I). Products are gemmlowp's SaturatingRoundingDoublingHighMul
// (the integer bits add up); sums wrap as gemmlowp's int32 adds do.

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <optional>

#include "runtime/reference/int8_checks.h"
#include "runtime/reference/int8_kernels.h"

namespace octet::reference {

namespace {

constexpr int kRawBits = 31;                  // fractional bits of a Q0.31 raw
constexpr int kInputIntegerBits = 5;          // differences in Q5.26: exp(-32) is negligible
constexpr int kAccumulationIntegerBits = 12;  // sum of up to 2^12 exps in Q12.19
constexpr int kOutputIntegerBits = 4;         // the output's 16/256 steps
constexpr std::int32_t kOutputZeroPoint = 127;
constexpr std::int32_t kRawMax = std::numeric_limits<std::int32_t>::max();
constexpr std::int32_t kRawMin = std::numeric_limits<std::int32_t>::min();

using quant::rounding_divide_by_pot;

std::int32_t mul(std::int32_t a, std::int32_t b) { return quant::saturating_rounding_doubling_high_mul(a, b); }
std::int32_t add(std::int32_t a, std::int32_t b) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) + static_cast<std::uint32_t>(b));
}
std::int32_t sub(std::int32_t a, std::int32_t b) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) - static_cast<std::uint32_t>(b));
}
std::int32_t saturate(std::int64_t x) { return static_cast<std::int32_t>(std::clamp<std::int64_t>(x, kRawMin, kRawMax)); }
// (a + b) / 2 rounded half away from zero, in 64 bits (gemmlowp's RoundingHalfSum).
std::int32_t rounding_half_sum(std::int32_t a, std::int32_t b) {
  const std::int64_t sum = std::int64_t{a} + b;
  return static_cast<std::int32_t>((sum + (sum >= 0 ? 1 : -1)) / 2);
}
// x * 2^exponent saturated (exponent > 0), gemmlowp's SaturatingRoundingMultiplyByPOT.
std::int32_t shift_left_saturating(std::int32_t x, int exponent) {
  if (exponent == 0) return x;
  const std::int32_t threshold = static_cast<std::int32_t>((std::int64_t{1} << (kRawBits - exponent)) - 1);
  if (x > threshold) return kRawMax;
  if (x < -threshold) return kRawMin;
  return static_cast<std::int32_t>(std::int64_t{x} * (std::int64_t{1} << exponent));
}
// A raw with `from` integer bits re-expressed with `to` integer bits (gemmlowp's Rescale).
std::int32_t rescale(std::int32_t x, int from, int to) {
  return from >= to ? shift_left_saturating(x, from - to) : rounding_divide_by_pot(x, to - from);
}
int leading_zeros(std::int32_t x) { return std::countl_zero(static_cast<std::uint32_t>(x)); }

// exp(a) for a in [-1/4, 0), Q0.31 in and out: Taylor series around -1/8.
std::int32_t exp_on_quarter_interval(std::int32_t a) {
  constexpr std::int32_t kExpMinusEighth = 1895147668;  // exp(-1/8)
  constexpr std::int32_t kOneThird = 715827883;
  constexpr int kEighthExponent = 3;
  const std::int32_t x = add(a, std::int32_t{1} << (kRawBits - kEighthExponent));
  const std::int32_t x2 = mul(x, x);
  const std::int32_t x3 = mul(x2, x);
  const std::int32_t x4 = mul(x2, x2);
  const std::int32_t x4_over_4 = rounding_divide_by_pot(x4, 2);
  const std::int32_t tail = rounding_divide_by_pot(add(mul(add(x4_over_4, x3), kOneThird), x2), 1);
  return add(kExpMinusEighth, mul(kExpMinusEighth, add(x, tail)));
}

// exp(a) for a <= 0 in Q5.26, result in Q0.31 (gemmlowp's exp_on_negative_values).
std::int32_t exp_on_negative_values(std::int32_t a) {
  constexpr int kFractionalBits = kRawBits - kInputIntegerBits;
  constexpr std::int32_t kOneQuarter = std::int32_t{1} << (kFractionalBits - 2);
  // exp(-2^k) in Q0.31 for k = -2 .. 4: multiplied in for each set bit of the remainder.
  constexpr std::array<std::int32_t, 7> kExpMinusPowers = {1672461947, 1302514674, 790015084, 290630308,
                                                           39332535,   720401,     242};
  constexpr int kFirstPower = -2;
  const std::int32_t a_mod_quarter_minus_quarter = sub(a & (kOneQuarter - 1), kOneQuarter);
  std::int32_t result = exp_on_quarter_interval(rescale(a_mod_quarter_minus_quarter, kInputIntegerBits, 0));
  const std::int32_t remainder = sub(a_mod_quarter_minus_quarter, a);
  for (std::size_t i = 0; i < kExpMinusPowers.size(); ++i) {
    const int bit = kFractionalBits + kFirstPower + static_cast<int>(i);
    if ((remainder & (std::int32_t{1} << bit)) != 0) result = mul(result, kExpMinusPowers[i]);
  }
  return a == 0 ? kRawMax : result;
}

// 1 / (1 + a) for a in [0, 1), Q0.31 in and out: Newton-Raphson in Q2.29.
std::int32_t one_over_one_plus_x(std::int32_t a) {
  constexpr std::int32_t k48Over17 = 1515870810;      // Q2.29
  constexpr std::int32_t kMinus32Over17 = -1010580540;
  constexpr int kQ2 = 2;
  constexpr std::int32_t kOneQ2 = std::int32_t{1} << (kRawBits - kQ2);
  constexpr int kIterations = 3;
  const std::int32_t half_denominator = rounding_half_sum(a, kRawMax);
  std::int32_t x = add(k48Over17, mul(half_denominator, kMinus32Over17));
  for (int i = 0; i < kIterations; ++i) {
    const std::int32_t one_minus = sub(kOneQ2, mul(half_denominator, x));
    x = add(x, rescale(mul(x, one_minus), 2 * kQ2, kQ2));
  }
  return rescale(x, kQ2 - 1, 0);  // x / 2 read as Q1.30, then to Q0.31
}

// log(x) for x >= 1 given in Q12.19, result in Q5.26 (TFLite's
// log_x_for_x_greater_than_or_equal_to_1): x = 2^z r with r in [sqrt(1/2), 1)
// picked from two normalisations, then a rational approximation of log(r)
// around sqrt(sqrt(1/2)).
std::int32_t log_of_sum(std::int32_t x) {
  constexpr int kAccumBits = kInputIntegerBits + 1;  // one bit of headroom for z log 2 + log r
  constexpr std::int32_t kLog2 = 1488522236;
  constexpr std::int32_t kSqrtSqrtHalf = 1805811301;
  constexpr std::int32_t kSqrtHalf = 1518500250;
  constexpr std::int32_t kOneQuarter = 536870912;
  constexpr std::int32_t kAlphaN = 117049297;
  constexpr std::int32_t kAlphaD = 127690142;
  constexpr std::int32_t kAlphaI = 1057819769;
  constexpr std::int32_t kAlphaF = 638450708;
  const std::int32_t shifted_quarter = rescale(kOneQuarter, 0, kAccumBits);

  const int a_headroom_plus_1 = leading_zeros(x);
  const std::int32_t r_a = shift_left_saturating(mul(shift_left_saturating(x, a_headroom_plus_1 - 1), kSqrtHalf), 1);
  const std::int32_t z_a = saturate(
      std::int64_t{shift_left_saturating(kAccumulationIntegerBits - a_headroom_plus_1, kRawBits - kAccumBits)} +
      shifted_quarter);
  const int b_headroom = leading_zeros(mul(x, kSqrtHalf)) - 1;
  const std::int32_t r_b = shift_left_saturating(x, b_headroom);
  const std::int32_t z_b = saturate(
      std::int64_t{shift_left_saturating(kAccumulationIntegerBits - b_headroom, kRawBits - kAccumBits)} -
      shifted_quarter);
  const std::int32_t r = std::min(r_a, r_b);
  const std::int32_t z = std::max(z_a, z_b);

  const std::int32_t p = rounding_half_sum(r, kSqrtSqrtHalf);
  std::int32_t q = sub(r, kSqrtSqrtHalf);
  q = add(q, q);
  const std::int32_t q_sq = mul(q, q);
  const std::int32_t num = add(mul(q, r), mul(mul(q, q_sq), kAlphaN));
  const std::int32_t denom_minus_one = add(mul(p, add(add(kAlphaI, q), mul(kAlphaD, q_sq))), mul(kAlphaF, q));
  const std::int32_t num_scaled = rescale(num, 0, kAccumBits);
  return rescale(add(mul(z, kLog2), mul(num_scaled, one_over_one_plus_x(denom_minus_one))), kAccumBits,
                 kInputIntegerBits);
}

// LogSoftmaxPrepare's constants for an input scale (beta 1).
struct LogSoftmaxParams {
  quant::FixedPointMultiplier input;    // difference -> Q5.26
  quant::FixedPointMultiplier reverse;  // Q5.26 -> difference
  std::int32_t diff_min = 0;            // smaller differences contribute nothing
};

std::optional<LogSoftmaxParams> log_softmax_params(float input_scale) {
  constexpr double kMaxMultiplier = static_cast<double>(kRawMax);
  LogSoftmaxParams p;
  const double scaled = static_cast<double>(input_scale) * static_cast<double>(std::int64_t{1} << (kRawBits - kInputIntegerBits));
  p.input = quant::quantize_multiplier(std::min(scaled, kMaxMultiplier));
  if (p.input.shift < 1 || p.input.multiplier == 0) return std::nullopt;  // TFLite: multiplier > 1 (left shift >= 0)
  const double reverse = static_cast<double>(std::int64_t{1} << (kRawBits - p.input.shift)) /
                         static_cast<double>(p.input.multiplier);
  p.reverse = quant::quantize_multiplier(reverse);
  const double radius = static_cast<double>((std::int64_t{1} << kInputIntegerBits) - 1) *
                        static_cast<double>(std::int64_t{1} << (kRawBits - kInputIntegerBits)) /
                        static_cast<double>(std::int64_t{1} << p.input.shift);
  p.diff_min = -static_cast<std::int32_t>(std::floor(radius));
  return p;
}

}  // namespace

std::vector<TensorSpec> prepare_log_softmax_int8(const KernelContext& context) {
  const Tensor& in = input_tensor(context, 0);
  const QuantParams& q = require_int8_input(context, 0);
  require_fixed_output_quant(context, quant::log_softmax_output_params());
  if (in.shape.empty()) throw op_fail(context, "input must have rank >= 1, got a scalar");
  if (!log_softmax_params(q.scale[0])) {
    throw op_fail(context, "input scale {} is too small for TFLite's int8 LOG_SOFTMAX (needs scale * 2^26 >= 1)",
                  q.scale[0]);
  }
  return {{DType::kInt8, in.shape}};
}

void eval_log_softmax_int8(const KernelContext&, std::span<const TensorView> inputs,
                           std::span<const TensorView> outputs) {
  const LogSoftmaxParams p = *log_softmax_params(inputs[0].quant->scale[0]);
  const std::int8_t* in = inputs[0].as<const std::int8_t>();
  std::int8_t* out = outputs[0].as<std::int8_t>();
  const std::size_t depth = static_cast<std::size_t>(inputs[0].shape.back());
  const std::size_t rows = depth == 0 ? 0 : inputs[0].count() / depth;
  constexpr int kOutputShift = kRawBits - kInputIntegerBits - kOutputIntegerBits;
  for (std::size_t r = 0; r < rows; ++r) {
    const std::int8_t* row = in + r * depth;
    std::int8_t* dst = out + r * depth;
    const std::int32_t row_max = *std::max_element(row, row + depth);
    std::int32_t sum = 0;  // Q12.19
    for (std::size_t i = 0; i < depth; ++i) {
      const std::int32_t diff = row[i] - row_max;
      if (diff < p.diff_min) continue;
      const std::int32_t e = exp_on_negative_values(quant::multiply_by_quantized_multiplier(diff, p.input));
      sum = add(sum, rescale(e, 0, kAccumulationIntegerBits));
    }
    const std::int32_t log_sum = log_of_sum(sum);
    const std::int32_t adjusted_diff_min =
        std::max(p.diff_min - 1, quant::multiply_by_quantized_multiplier(add(log_sum, kRawMin), p.reverse));
    for (std::size_t i = 0; i < depth; ++i) {
      const std::int32_t diff = row[i] - row_max;
      if (diff <= adjusted_diff_min) {
        dst[i] = static_cast<std::int8_t>(quant::kInt8Min);
        continue;
      }
      const std::int32_t diff_q5 = quant::multiply_by_quantized_multiplier(diff, p.input);
      const std::int32_t value = rounding_divide_by_pot(sub(diff_q5, log_sum), kOutputShift) + kOutputZeroPoint;
      dst[i] = static_cast<std::int8_t>(std::clamp(value, quant::kInt8Min, quant::kInt8Max));
    }
  }
}

}  // namespace octet::reference
