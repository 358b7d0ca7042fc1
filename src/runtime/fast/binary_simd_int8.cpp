// int8 ADD, SUB and MUL computed with AVX2 in exactly the reference's integer
// arithmetic (elementwise_binary_int8.cpp, docs/int8_kernels.md), 32 outputs
// per step, no table:
//   ADD / SUB: XNNPACK's 20-bit multipliers where the reference takes them
//     (quant::xnn_add: bias + q_1 m_1 + q_2 m_2, shifted, + zp), else TFLite's
//     builtin rule, x_i = (q_i - zp_i) << 20 rescaled by
//     MultiplyByQuantizedMultiplier (int8_simd_math.h), summed, rescaled, + zp;
//   MUL: XNNPACK's fp32 rule (float32 product scale, clamp, round half to
//     even) where the reference takes it, else the builtin double rounding.
// Broadcasts: each input is the whole output or a trailing block of it (a
// scalar, [C], [1, 1, 1, C], ...); a broadcast input is tiled at run() into a
// buffer of whole periods, so the loop always reads two contiguous runs.
// Declines (the look-up table kernel of binary_int8.cpp then runs) without
// AVX2 or when a shift falls outside what the vector code handles.

#include <algorithm>
#include <optional>

#include "runtime/fast/binary_simd_int8.h"

#include "quant/requantize.h"
#include "runtime/fast/int8_simd_math.h"
#include "runtime/fast/parallel_chunks.h"
#include "runtime/fast/broadcast.h"
#include "runtime/fast/registry.h"
#include "runtime/reference/int8_rounding.h"

namespace octet::fast {

namespace {

constexpr int kAddLeftShift = 20;        // TFLite's int8 ADD/SUB headroom (reference: kAddLeftShift)
constexpr std::size_t kStep = 32;        // int8 outputs per AVX2 step
constexpr std::size_t kLanes = 8;        // int32 lanes per AVX2 register
constexpr std::size_t kTileMin = 1024;   // a broadcast input is tiled to at least this many bytes
constexpr int kMaxVectorShift = 31;      // int32 shift counts the vector code handles

enum class Rule { kAddXnn, kAdd, kSub, kMulFp32, kMulRescale };

struct Params {
  std::int32_t zp1 = 0, zp2 = 0, zp_out = 0;
  quant::FixedPointMultiplier input_1, input_2, output;  // ADD/SUB inputs; ADD/SUB/MUL-rescale output
  float scale = 0.0F;                                    // MUL fp32 rule
  quant::XnnAddParams xnn_add;                           // ADD/SUB XNNPACK rule
  quant::IntRange clamp;
};

Activation activation_of(const Op& op) { return op.opts<BinaryOptions>().activation; }

// As reference add_params (elementwise_binary_int8.cpp); returns the rule the reference follows.
Rule add_params(const QuantParams& q1, const QuantParams& q2, const QuantParams& qo, Activation activation,
                bool subtract, Params& p) {
  p.zp1 = static_cast<std::int32_t>(q1.zero_point[0]);
  p.zp2 = static_cast<std::int32_t>(q2.zero_point[0]);
  p.zp_out = static_cast<std::int32_t>(qo.zero_point[0]);
  const float s1 = q1.scale[0];
  const float s2 = q2.scale[0];
  const auto twice_max_scale = static_cast<double>(2.0F * std::max(s1, s2));
  p.input_1 = quant::quantize_multiplier(static_cast<double>(s1) / twice_max_scale);
  p.input_2 = quant::quantize_multiplier(static_cast<double>(s2) / twice_max_scale);
  const float shifted_output_scale = static_cast<float>(1 << kAddLeftShift) * qo.scale[0];
  p.output = quant::quantize_multiplier(twice_max_scale / static_cast<double>(shifted_output_scale));
  p.clamp = quant::activation_range(activation, qo.scale[0], qo.zero_point[0], quant::int_range(DType::kInt8));
  if (reference::xnn_takes_add(s1, s2, qo.scale[0])) {
    p.clamp = quant::xnn_activation_range(activation, qo.scale[0], p.zp_out, quant::int_range(DType::kInt8));
    p.xnn_add = quant::xnn_add_params(s1, p.zp1, s2, p.zp2, qo.scale[0], p.zp_out, subtract, p.clamp);
    return Rule::kAddXnn;
  }
  return subtract ? Rule::kSub : Rule::kAdd;
}

// As reference mul_params; returns the rule the reference follows.
Rule mul_params(const QuantParams& q1, const QuantParams& q2, const QuantParams& qo, Activation activation, Params& p) {
  p.zp1 = static_cast<std::int32_t>(q1.zero_point[0]);
  p.zp2 = static_cast<std::int32_t>(q2.zero_point[0]);
  p.zp_out = static_cast<std::int32_t>(qo.zero_point[0]);
  p.scale = quant::xnn_product_scale(q1.scale[0], q2.scale[0], qo.scale[0]);
  const bool xnnpack = reference::xnn_takes_mul(p.scale);
  p.output = quant::quantize_multiplier(static_cast<double>(q1.scale[0] * q2.scale[0] / qo.scale[0]));
  const quant::IntRange int8 = quant::int_range(DType::kInt8);
  p.clamp = xnnpack ? quant::xnn_activation_range(activation, qo.scale[0], p.zp_out, int8)
                    : quant::activation_range(activation, qo.scale[0], qo.zero_point[0], int8);
  return xnnpack ? Rule::kMulFp32 : Rule::kMulRescale;
}

bool vector_shift(quant::FixedPointMultiplier m) { return m.shift <= kMaxVectorShift && -m.shift <= kMaxVectorShift; }

struct VecParams {
  __m256i zp1, zp2, zp_out, lo, hi;
  __m256i add_bias, add_multiplier_1, add_multiplier_2;
  __m128i add_shift;
  __m256 scale, scale_lo, scale_hi;
  simd::MbqmVec input_1, input_2, output;
  simd::SplitMultiplier split_1, split_2;  // ADD/SUB input multipliers for mbqm_shifted_by_20
};

OCTET_TARGET_AVX2 inline VecParams vec_params(const Params& p) {
  return VecParams{
      .zp1 = _mm256_set1_epi32(p.zp1),
      .zp2 = _mm256_set1_epi32(p.zp2),
      .zp_out = _mm256_set1_epi32(p.zp_out),
      .lo = _mm256_set1_epi32(p.clamp.min),
      .hi = _mm256_set1_epi32(p.clamp.max),
      .add_bias = _mm256_set1_epi32(p.xnn_add.bias),
      .add_multiplier_1 = _mm256_set1_epi32(p.xnn_add.a_multiplier),
      .add_multiplier_2 = _mm256_set1_epi32(p.xnn_add.b_multiplier),
      .add_shift = _mm_cvtsi32_si128(p.xnn_add.shift),
      .scale = _mm256_set1_ps(p.scale),
      .scale_lo = _mm256_set1_ps(static_cast<float>(p.clamp.min - p.zp_out)),
      .scale_hi = _mm256_set1_ps(static_cast<float>(p.clamp.max - p.zp_out)),
      .input_1 = simd::mbqm_vec(p.input_1),
      .input_2 = simd::mbqm_vec(p.input_2),
      .output = simd::mbqm_vec(p.output),
      .split_1 = simd::split_multiplier(p.input_1.multiplier),
      .split_2 = simd::split_multiplier(p.input_2.multiplier),
  };
}

// 8 outputs (int32, clamped) from 8 widened inputs.
template <Rule kRule>
OCTET_TARGET_AVX2 inline __m256i compute8(const VecParams& v, __m256i a, __m256i b) {
  if constexpr (kRule == Rule::kAddXnn) {
    // (bias + a m_1 + b m_2) >> shift + zp: int32 throughout, as quant::xnn_add.
    const __m256i acc = _mm256_add_epi32(_mm256_add_epi32(v.add_bias, _mm256_mullo_epi32(a, v.add_multiplier_1)),
                                         _mm256_mullo_epi32(b, v.add_multiplier_2));
    const __m256i q = _mm256_add_epi32(_mm256_sra_epi32(acc, v.add_shift), v.zp_out);
    return _mm256_min_epi32(_mm256_max_epi32(q, v.lo), v.hi);
  }
  const __m256i ca = _mm256_sub_epi32(a, v.zp1);
  const __m256i cb = _mm256_sub_epi32(b, v.zp2);
  if constexpr (kRule == Rule::kMulFp32) {
    // round_half_even(clamp(float(product) * scale)) + zp; the product is below 2^16, exact in float.
    const __m256 scaled = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_mullo_epi32(ca, cb)), v.scale);
    const __m256 clamped = _mm256_min_ps(_mm256_max_ps(scaled, v.scale_lo), v.scale_hi);
    return _mm256_add_epi32(_mm256_cvtps_epi32(clamped), v.zp_out);
  } else {
    __m256i raw;
    if constexpr (kRule == Rule::kMulRescale) {
      raw = _mm256_mullo_epi32(ca, cb);
    } else {
      const __m256i x1 = simd::mbqm_shifted_by_20(ca, v.split_1, v.input_1);
      const __m256i x2 = simd::mbqm_shifted_by_20(cb, v.split_2, v.input_2);
      raw = kRule == Rule::kAdd ? _mm256_add_epi32(x1, x2) : _mm256_sub_epi32(x1, x2);
    }
    const __m256i q = _mm256_add_epi32(simd::mbqm(raw, v.output), v.zp_out);
    return _mm256_min_epi32(_mm256_max_epi32(q, v.lo), v.hi);
  }
}

template <Rule kRule>
OCTET_TARGET_AVX2 inline __m256i compute32(const VecParams& v, const std::int8_t* a, const std::int8_t* b) {
  return simd::pack_int8(compute8<kRule>(v, simd::load8_int32(a), simd::load8_int32(b)),
                         compute8<kRule>(v, simd::load8_int32(a + kLanes), simd::load8_int32(b + kLanes)),
                         compute8<kRule>(v, simd::load8_int32(a + 2 * kLanes), simd::load8_int32(b + 2 * kLanes)),
                         compute8<kRule>(v, simd::load8_int32(a + 3 * kLanes), simd::load8_int32(b + 3 * kLanes)));
}

template <Rule kRule>
OCTET_TARGET_AVX2 void compute_run(const Params& p, const std::int8_t* a, const std::int8_t* b, std::int8_t* out,
                                   std::size_t n) {
  const VecParams v = vec_params(p);
  std::size_t i = 0;
  for (; i + kStep <= n; i += kStep) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), compute32<kRule>(v, a + i, b + i));
  }
  if (i < n) {  // the last < 32 values through zero-padded copies
    alignas(kStep) std::int8_t ta[kStep] = {}, tb[kStep] = {}, to[kStep];
    std::copy(a + i, a + n, ta);
    std::copy(b + i, b + n, tb);
    _mm256_store_si256(reinterpret_cast<__m256i*>(to), compute32<kRule>(v, ta, tb));
    std::copy(to, to + (n - i), out + i);
  }
}

// ---- AVX-512 (F, BW, VL): XNNPACK's two rules, 16 lanes per step, masked tails.
#define OCTET_TARGET_AVX512BW __attribute__((target("avx512f,avx512bw,avx512vl")))

constexpr std::size_t kLanes512 = 16;
constexpr __mmask16 kAllLanes512 = 0xFFFF;

bool cpu_has_avx512bw() {
  static const bool has = __builtin_cpu_supports("avx512f") != 0 && __builtin_cpu_supports("avx512bw") != 0 &&
                          __builtin_cpu_supports("avx512vl") != 0;
  return has;
}

// 16 outputs under `mask` (the maskz forms: GCC 12's plain conversions trip -Wmaybe-uninitialized, bug 105593).
template <Rule kRule>
OCTET_TARGET_AVX512BW inline void compute16_512(const Params& p, const std::int8_t* a, const std::int8_t* b,
                                                std::int8_t* out, __mmask16 mask) {
  const __m512i x = _mm512_maskz_cvtepi8_epi32(kAllLanes512, _mm_maskz_loadu_epi8(mask, a));
  const __m512i y = _mm512_maskz_cvtepi8_epi32(kAllLanes512, _mm_maskz_loadu_epi8(mask, b));
  __m512i q;
  if constexpr (kRule == Rule::kAddXnn) {
    // (bias + a m_1 + b m_2) >> shift + zp, as quant::xnn_add.
    const __m512i acc = _mm512_add_epi32(
        _mm512_add_epi32(_mm512_set1_epi32(p.xnn_add.bias),
                         _mm512_mullo_epi32(x, _mm512_set1_epi32(p.xnn_add.a_multiplier))),
        _mm512_mullo_epi32(y, _mm512_set1_epi32(p.xnn_add.b_multiplier)));
    q = _mm512_add_epi32(_mm512_maskz_sra_epi32(kAllLanes512, acc, _mm_cvtsi32_si128(p.xnn_add.shift)),
                         _mm512_set1_epi32(p.zp_out));
    q = _mm512_maskz_min_epi32(kAllLanes512, _mm512_maskz_max_epi32(kAllLanes512, q, _mm512_set1_epi32(p.clamp.min)),
                               _mm512_set1_epi32(p.clamp.max));
  } else {
    static_assert(kRule == Rule::kMulFp32, "AVX-512 covers XNNPACK's ADD and MUL rules");
    // round_half_even(clamp(float(product) * scale)) + zp; the product is below 2^16, exact in float.
    const __m512i product = _mm512_mullo_epi32(_mm512_sub_epi32(x, _mm512_set1_epi32(p.zp1)),
                                               _mm512_sub_epi32(y, _mm512_set1_epi32(p.zp2)));
    const __m512 scaled = _mm512_mul_ps(_mm512_maskz_cvtepi32_ps(kAllLanes512, product), _mm512_set1_ps(p.scale));
    const __m512 lo = _mm512_set1_ps(static_cast<float>(p.clamp.min - p.zp_out));
    const __m512 hi = _mm512_set1_ps(static_cast<float>(p.clamp.max - p.zp_out));
    const __m512 clamped = _mm512_maskz_min_ps(kAllLanes512, _mm512_maskz_max_ps(kAllLanes512, scaled, lo), hi);
    q = _mm512_add_epi32(_mm512_maskz_cvtps_epi32(kAllLanes512, clamped), _mm512_set1_epi32(p.zp_out));
  }
  _mm_mask_storeu_epi8(out, mask, _mm512_maskz_cvtsepi32_epi8(kAllLanes512, q));
}

template <Rule kRule>
OCTET_TARGET_AVX512BW void compute_run_512(const Params& p, const std::int8_t* a, const std::int8_t* b,
                                           std::int8_t* out, std::size_t n) {
  std::size_t i = 0;
  for (; i + kLanes512 <= n; i += kLanes512) compute16_512<kRule>(p, a + i, b + i, out + i, kAllLanes512);
  if (i < n) compute16_512<kRule>(p, a + i, b + i, out + i, static_cast<__mmask16>((1U << (n - i)) - 1U));
}

using ComputeRun = void (*)(const Params&, const std::int8_t*, const std::int8_t*, std::int8_t*, std::size_t);

// The AVX-512 body of XNNPACK's rules where the CPU has it and CPU-specific kernels are allowed, else AVX2's.
ComputeRun compute_run_for(Rule rule, bool cpu_specific);

ComputeRun compute_run_of(Rule rule) {
  switch (rule) {
    case Rule::kAddXnn: return &compute_run<Rule::kAddXnn>;
    case Rule::kAdd: return &compute_run<Rule::kAdd>;
    case Rule::kSub: return &compute_run<Rule::kSub>;
    case Rule::kMulFp32: return &compute_run<Rule::kMulFp32>;
    case Rule::kMulRescale: return &compute_run<Rule::kMulRescale>;
  }
  return nullptr;
}

ComputeRun compute_run_for(Rule rule, bool cpu_specific) {
  if (cpu_specific && cpu_has_avx512bw()) {
    if (rule == Rule::kAddXnn) return &compute_run_512<Rule::kAddXnn>;
    if (rule == Rule::kMulFp32) return &compute_run_512<Rule::kMulFp32>;
  }
  return compute_run_of(rule);
}

// One operand: the whole output's worth of bytes, or a period tiled at run().
struct Operand {
  const std::int8_t* data = nullptr;
  std::size_t period = 0;
  std::vector<std::int8_t> tiled;  // empty for a whole operand

  Operand(const std::int8_t* d, std::size_t p, std::size_t count) : data(d), period(p) {
    if (period < count) tiled.resize(period * ((kTileMin + period - 1) / period));
  }
  void tile() {
    for (std::size_t at = 0; at < tiled.size(); at += period) std::copy(data, data + period, tiled.data() + at);
  }
  // The bytes for outputs [pos, pos + *len), shortening *len to stay in the tile.
  const std::int8_t* at(std::size_t pos, std::size_t& len) const {
    if (tiled.empty()) return data + pos;
    const std::size_t offset = pos % tiled.size();
    len = std::min(len, tiled.size() - offset);
    return tiled.data() + offset;
  }
};

class SimdBinaryKernel final : public FastKernel {
 public:
  SimdBinaryKernel(const FastContext& c, const Params& params, Rule rule, std::size_t period_a, std::size_t period_b)
      : params_(params),
        compute_(compute_run_for(rule, c.cpu_specific)),
        a_(c.inputs[0].as<const std::int8_t>(), period_a, c.outputs[0].count()),
        b_(c.inputs[1].as<const std::int8_t>(), period_b, c.outputs[0].count()),
        out_(c.outputs[0].as<std::int8_t>()),
        count_(c.outputs[0].count()),
        threadpool_(c.threadpool) {}

  void run() override {
    a_.tile();
    b_.tile();
    parallel_chunks(threadpool_, count_, [this](std::size_t begin, std::size_t end) {
      for (std::size_t pos = begin; pos < end;) {
        std::size_t len = end - pos;
        const std::int8_t* a = a_.at(pos, len);
        const std::int8_t* b = b_.at(pos, len);
        compute_(params_, a, b, out_ + pos, len);
        pos += len;
      }
    });
  }

 private:
  Params params_;
  ComputeRun compute_;
  Operand a_, b_;
  std::int8_t* out_;
  std::size_t count_;
  pthreadpool* threadpool_;
};

bool per_tensor_int8(const TensorView& v) {
  return v.dtype == DType::kInt8 && v.quant != nullptr && v.quant->scale.size() == 1;
}

// The kernel's parameters and rule for an op, or nullopt where it declines.
std::optional<std::pair<Params, Rule>> plan(OpType type, Activation activation, const QuantParams& q1,
                                            const QuantParams& q2, const QuantParams& qo) {
  if (activation == Activation::kTanh || !__builtin_cpu_supports("avx2")) return std::nullopt;
  Params params;
  Rule rule = Rule::kAdd;
  if (type == OpType::kMul) {
    rule = mul_params(q1, q2, qo, activation, params);
  } else if (type == OpType::kAdd || type == OpType::kSub) {
    rule = add_params(q1, q2, qo, activation, type == OpType::kSub, params);
    if (rule == Rule::kAddXnn) return std::pair{params, rule};  // no fixed-point multipliers to check
  } else {
    return std::nullopt;
  }
  if (!vector_shift(params.input_1) || !vector_shift(params.input_2) || !vector_shift(params.output)) return std::nullopt;
  // ADD/SUB's input multipliers s_i / (2 max(s_1, s_2)) <= 1/2 never shift left (mbqm_shifted_by_20's premise).
  if (rule != Rule::kMulFp32 && rule != Rule::kMulRescale && (params.input_1.shift > 0 || params.input_2.shift > 0)) {
    return std::nullopt;
  }
  return std::pair{params, rule};
}

std::unique_ptr<FastKernel> make_simd_binary_int8(const FastContext& c) {
  if (!per_tensor_int8(c.inputs[0]) || !per_tensor_int8(c.inputs[1]) || !per_tensor_int8(c.outputs[0])) return nullptr;
  if (c.outputs[0].count() == 0) return nullptr;
  const std::size_t period_a = repeat_period(c.inputs[0].shape, c.outputs[0].shape);
  const std::size_t period_b = repeat_period(c.inputs[1].shape, c.outputs[0].shape);
  if (period_a == 0 || period_b == 0) return nullptr;
  const auto planned = plan(c.op.type, activation_of(c.op), *c.inputs[0].quant, *c.inputs[1].quant, *c.outputs[0].quant);
  if (!planned) return nullptr;
  return std::make_unique<SimdBinaryKernel>(c, planned->first, planned->second, period_a, period_b);
}

}  // namespace

bool simd_binary_int8(OpType type, Activation activation, const QuantParams& q1, const QuantParams& q2,
                      const QuantParams& qo, std::span<const std::int8_t> a, std::span<const std::int8_t> b,
                      std::span<std::int8_t> out) {
  const auto planned = plan(type, activation, q1, q2, qo);
  if (!planned) return false;
  compute_run_of(planned->second)(planned->first, a.data(), b.data(), out.data(), out.size());
  return true;
}

void add_simd_binary_int8_kernels(FastKernelTable& table) {
  for (const OpType type : {OpType::kAdd, OpType::kSub, OpType::kMul}) table.add(type, make_simd_binary_int8);
}

}  // namespace octet::fast
