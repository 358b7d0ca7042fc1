// y = x * sigmoid(x) on AVX-512F, for a LOGISTIC folded into its MUL
// (fold_silu.h). sigmoid(x) = 1 / (1 + e) for x >= 0 and e / (1 + e) for
// x < 0, with e = exp(-|x|) in (0, 1], so nothing overflows: exp by range
// reduction, -|x| = n ln2 + r with |r| <= ln2 / 2 (ln2 split in a high part
// exact in float and a low part), exp(r) by its Taylor polynomial of degree 7
// (truncation error under r^8 / 8! < 5e-9, relative), scaled by 2^n with
// vscalefps (which underflows gracefully to 0). Exact division. Error: a few
// ulp of the exact x * sigmoid(x), like XNNPACK's sigmoid then multiply.
// NaN and infinities follow the reference: NaN stays NaN, +inf -> +inf,
// -inf -> NaN (-inf * 0).

#include <cstddef>

#include "runtime/fast/fold_silu.h"
#include "runtime/fast/parallel_chunks.h"
#include "util/cpu_features.h"

#if defined(OCTET_X86_DISPATCH)
#include <immintrin.h>
#endif

namespace octet::fast {

#if defined(OCTET_X86_DISPATCH)
namespace {

constexpr float kLog2E = 1.44269504088896341F;
constexpr float kLn2Hi = 0.693359375F;         // ln 2 rounded to 9 bits: n * kLn2Hi is exact
constexpr float kLn2Lo = -2.12194440e-4F;      // ln 2 - kLn2Hi
// Below this, exp(t) is under the smallest denormal: clamping keeps r finite
// for t = -inf.
constexpr float kExpFloor = -104.0F;
constexpr float kRoundToInteger = 12582912.0F;  // 1.5 * 2^23
// 1/k! for k = 2..7.
constexpr float kInvFact2 = 1.0F / 2.0F;
constexpr float kInvFact3 = 1.0F / 6.0F;
constexpr float kInvFact4 = 1.0F / 24.0F;
constexpr float kInvFact5 = 1.0F / 120.0F;
constexpr float kInvFact6 = 1.0F / 720.0F;
constexpr float kInvFact7 = 1.0F / 5040.0F;

__attribute__((target("avx512f"))) __m512 silu16(__m512 x) {
  constexpr int kSignBit = static_cast<int>(0x80000000U);
  constexpr __mmask16 kAllLanes = 0xFFFF;  // maskz forms: GCC 12 bug 105593 (see value_stats.cpp)
  const __m512 one = _mm512_set1_ps(1.0F);
  // t = -|x|, clamped
  const __m512 t = _mm512_maskz_max_ps(kAllLanes, _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(x), _mm512_set1_epi32(kSignBit))),
                                 _mm512_set1_ps(kExpFloor));
  // n = round(t log2 e), to nearest even: adding and subtracting 1.5 * 2^23 leaves the integer part (|t log2 e| < 2^22).
  const __m512 round = _mm512_set1_ps(kRoundToInteger);
  const __m512 n = _mm512_sub_ps(_mm512_add_ps(_mm512_mul_ps(t, _mm512_set1_ps(kLog2E)), round), round);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(kLn2Hi), t);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(kLn2Lo), r);
  __m512 p = _mm512_set1_ps(kInvFact7);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kInvFact6));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kInvFact5));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kInvFact4));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kInvFact3));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kInvFact2));
  p = _mm512_fmadd_ps(p, r, one);
  p = _mm512_fmadd_ps(p, r, one);
  const __m512 e = _mm512_maskz_scalef_ps(kAllLanes, p, n);
  const __mmask16 negative = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
  const __m512 numerator = _mm512_mask_blend_ps(negative, one, e);
  return _mm512_mul_ps(x, _mm512_div_ps(numerator, _mm512_add_ps(one, e)));
}

__attribute__((target("avx512f"))) void silu_avx512(const float* x, float* y, std::size_t count) {
  constexpr std::size_t kLanes = 16;
  std::size_t i = 0;
  for (; i + kLanes <= count; i += kLanes) _mm512_storeu_ps(y + i, silu16(_mm512_loadu_ps(x + i)));
  if (i < count) {
    const auto tail = static_cast<__mmask16>((1U << (count - i)) - 1U);
    _mm512_mask_storeu_ps(y + i, tail, silu16(_mm512_maskz_loadu_ps(tail, x + i)));
  }
}

// Split over the thread pool in chunks (parallel_chunks.h): unlike the
// memory-bound XNNPACK element-wise ops, which run on the calling thread
// below 4 Mi elements (xnn_elementwise.cpp), x * sigmoid(x) is compute-bound
// (an exp and a division per value): efficientnet_b0 FP32 at 2 threads
// 7.0-7.3 -> 6.9-7.0 ms.
class SiluKernel final : public FastKernel {
 public:
  SiluKernel(const float* x, float* y, std::size_t count, pthreadpool* threadpool)
      : x_(x), y_(y), count_(count), threadpool_(threadpool) {}
  void run() override {
    parallel_chunks(threadpool_, count_,
                    [this](std::size_t begin, std::size_t end) { silu_avx512(x_ + begin, y_ + begin, end - begin); });
  }
  std::string_view name() const override { return "avx512"; }

 private:
  const float* x_;
  float* y_;
  std::size_t count_;
  pthreadpool* threadpool_;
};

}  // namespace

std::unique_ptr<FastKernel> make_silu_f32(const FastContext& mul, const TensorView& x) {
  if (!mul.cpu_specific || !cpu_has_avx512f()) return nullptr;
  const TensorView& y = mul.outputs[0];
  if (x.dtype != DType::kFloat32 || y.dtype != DType::kFloat32 || x.count() != y.count()) return nullptr;
  return std::make_unique<SiluKernel>(x.as<const float>(), y.as<float>(), y.count(), mul.threadpool);
}
#else
std::unique_ptr<FastKernel> make_silu_f32(const FastContext&, const TensorView&) { return nullptr; }
#endif

}  // namespace octet::fast
