// FULLY_CONNECTED: the XNNPACK kernel (xnn_fully_connected.cpp) against the
// reference kernel over odd and boundary depths, unit and row counts, every
// fused activation, with and without bias, keep_num_dims, at 1 and 2 threads.

#include "fast_test_util.h"

namespace octet::test::fast {
namespace {

TEST(FastFullyConnected, MatchesReference) {
  Random random;
  int i = 0;
  for (const std::int64_t depth : kSizes) {
    for (const std::int64_t units : {std::int64_t{1}, std::int64_t{7}, std::int64_t{16}, std::int64_t{31}}) {
      const std::int64_t rows = kSizes[static_cast<std::size_t>(i) % std::size(kSizes)] % 5 + 1;
      const Activation activation = kActivations[static_cast<std::size_t>(i) % std::size(kActivations)];
      const bool bias = i % 3 != 2;
      FullyConnectedOptions o;
      o.activation = activation;
      o.keep_num_dims = i % 2 == 1;
      FullyConnectedOptions linear = o;
      linear.activation = Activation::kNone;
      std::vector<Arg> args = {random_in(random, {rows, 1, depth}), random_constant(random, {units, depth})};
      if (bias) args.push_back(random_constant(random, {units}));
      const Expect expect = activation == Activation::kTanh ? Expect::kReference : Expect::kFast;
      expect_fast_matches(fmt::format("rows {} depth {} units {} {} {}", rows, depth, units,
                                      activation_label(activation), bias ? "bias" : "no bias"),
                          OpType::kFullyConnected, o, linear, args, expect);
      ++i;
    }
  }
}

TEST(FastFullyConnected, NonConstantWeightsStayOnReference) {
  Random random;
  const FullyConnectedOptions o;
  expect_fast_matches("weights as a graph input", OpType::kFullyConnected, o, o,
                      {random_in(random, {2, 5}), random_in(random, {3, 5})}, Expect::kReference);
}

}  // namespace
}  // namespace octet::test::fast
