#pragma once
// Min and max of a span of floats in one vectorised pass: the observers call
// it on every activation of every calibration sample.

#include <cstddef>
#include <span>

namespace octet::quant {

struct SpanMinMax {
  // Of the values that are not NaN (+-Inf included); +Inf / -Inf for an empty span.
  float min;
  float max;
  // True when every value is finite (no NaN, no +-Inf).
  bool all_finite;
};

SpanMinMax span_min_max(std::span<const float> values);

}  // namespace octet::quant
