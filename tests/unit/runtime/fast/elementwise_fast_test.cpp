// ADD, SUB and MUL (numpy broadcasting, every fused activation, constant and
// scalar operands) and the standalone activations RELU, RELU6, RELU_N1_TO_1,
// HARD_SWISH, LOGISTIC and LEAKY_RELU: the XNNPACK kernels
// (xnn_elementwise.cpp) against the reference kernels, at 1 and 2 threads.
// One rounding per value: ADD SUB MUL and the clamps agree exactly, the others
// within the relative tolerance.

#include "fast_test_util.h"

namespace octet::test::fast {
namespace {

struct Broadcast {
  Shape a, b;
  bool b_constant;
};

// Same shapes, per-channel vectors, scalars, singleton axes on either side, rank differences.
std::vector<Broadcast> broadcasts() {
  std::vector<Broadcast> cases;
  for (const std::int64_t c : kSizes) {
    cases.push_back({{1, 3, 5, c}, {1, 3, 5, c}, false});
    cases.push_back({{1, 7, 3, c}, {c}, true});
  }
  cases.push_back({{2, 13, 17, 3}, {}, true});
  cases.push_back({{2, 13, 17, 3}, {1}, false});
  cases.push_back({{2, 1, 17, 24}, {2, 13, 1, 24}, false});
  cases.push_back({{31}, {7, 1}, false});
  cases.push_back({{1, 1, 1, 16}, {1, 7, 7, 1}, true});
  cases.push_back({{3, 1, 2, 1, 5, 2}, {4, 1, 1, 5, 1}, false});
  return cases;
}

void check_binary(OpType type) {
  Random random;
  int i = 0;
  for (const Broadcast& shapes : broadcasts()) {
    for (const bool swap : {false, true}) {
      BinaryOptions o;
      o.activation = kActivations[static_cast<std::size_t>(i++) % std::size(kActivations)];
      Arg b = shapes.b_constant ? random_constant(random, shapes.b, -4.0F, 4.0F) : random_in(random, shapes.b, -4.0F, 4.0F);
      Arg a = random_in(random, shapes.a, -4.0F, 4.0F);
      const std::vector<Arg> args = swap ? std::vector<Arg>{b, a} : std::vector<Arg>{a, b};
      expect_fast_matches(fmt::format("{} {} {} {}", shape_string(args[0].shape), shape_string(args[1].shape),
                                      shapes.b_constant ? "with a constant" : "", activation_label(o.activation)),
                          type, o, args, o.activation == Activation::kTanh ? Expect::kReference : Expect::kFast);
    }
  }
}

TEST(FastAdd, MatchesReference) { check_binary(OpType::kAdd); }
TEST(FastSub, MatchesReference) { check_binary(OpType::kSub); }
TEST(FastMul, MatchesReference) { check_binary(OpType::kMul); }

TEST(FastAdd, IntegersStayOnReference) {
  expect_fast_matches("int32", OpType::kAdd, BinaryOptions{},
                      {in<std::int32_t>({3}, {1, 2, 3}), in<std::int32_t>({3}, {4, 5, 6})}, Expect::kReference);
}

// Shapes for the unary ops: every boundary width, a few leading dimensions.
std::vector<Shape> unary_shapes() {
  std::vector<Shape> shapes;
  for (const std::int64_t c : kSizes) shapes.push_back({1, c % 5 + 1, 3, c});
  shapes.push_back({});
  shapes.push_back({31});
  shapes.push_back({2, 17, 13, 24});
  return shapes;
}

void check_unary(OpType type, const OpOptions& options, float lo, float hi) {
  Random random;
  for (const Shape& shape : unary_shapes()) {
    expect_fast_matches(fmt::format("{} {}", op_name(type), shape_string(shape)), type, options,
                        {random_in(random, shape, lo, hi)});
  }
}

TEST(FastActivations, ClampsMatchReference) {
  check_unary(OpType::kRelu, NoOptions{}, -8.0F, 8.0F);
  check_unary(OpType::kRelu6, NoOptions{}, -8.0F, 8.0F);
  check_unary(OpType::kReluN1To1, NoOptions{}, -3.0F, 3.0F);
}

TEST(FastActivations, HardSwishMatchesReference) { check_unary(OpType::kHardSwish, NoOptions{}, -5.0F, 5.0F); }

TEST(FastActivations, LogisticMatchesReference) { check_unary(OpType::kLogistic, NoOptions{}, -12.0F, 12.0F); }

TEST(FastActivations, LeakyReluMatchesReference) {
  for (const float alpha : {0.2F, 0.01F, 1.5F, -0.5F}) {
    LeakyReluOptions o;
    o.alpha = alpha;
    check_unary(OpType::kLeakyRelu, o, -4.0F, 4.0F);
  }
}

TEST(FastActivations, ConstantInputIsRead) {
  // A constant input is copied into padded memory; the copy is what runs.
  Random random;
  expect_fast_matches("constant input", OpType::kRelu6, NoOptions{}, {random_constant(random, {1, 3, 3, 7}, -8, 8)});
}

}  // namespace
}  // namespace octet::test::fast
