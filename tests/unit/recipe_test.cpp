#include "dataset/recipe.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace octet {
namespace {

CalibrationRecipe sample() {
  CalibrationRecipe r;
  r.producer = "octet test";
  r.preprocess.width = 320;
  r.preprocess.height = 192;
  r.preprocess.resize = ResizeMode::kStretch;
  r.preprocess.color = ColorOrder::kRgb;
  r.preprocess.normalize = false;
  r.preprocess.mean = {0.485F, 0.456F, 0.406F};
  r.preprocess.std = {0.229F, 0.224F, 0.225F};
  r.preprocess.layout = Layout::kNchw;
  r.array_file = "2x320x192.npy";
  r.array_shape = {2, 3, 192, 320};
  r.shuffled = true;
  r.seed = 17;
  r.limit = 2;
  r.candidates = 3;
  r.files = {"b/x.jpg", "a.png"};
  r.errors = {{"c.jpg", "empty file (0 bytes)"}};
  return r;
}

TEST(Recipe, RoundTrips) {
  const CalibrationRecipe in = sample();
  const CalibrationRecipe out = recipe_from_json(recipe_to_json(in), "test");
  EXPECT_EQ(out.producer, in.producer);
  EXPECT_EQ(out.preprocess.width, 320);
  EXPECT_EQ(out.preprocess.height, 192);
  EXPECT_EQ(out.preprocess.resize, ResizeMode::kStretch);
  EXPECT_EQ(out.preprocess.color, ColorOrder::kRgb);
  EXPECT_FALSE(out.preprocess.normalize);
  EXPECT_EQ(out.preprocess.mean, in.preprocess.mean);
  EXPECT_EQ(out.preprocess.std, in.preprocess.std);
  EXPECT_EQ(out.preprocess.layout, Layout::kNchw);
  EXPECT_EQ(out.array_file, in.array_file);
  EXPECT_EQ(out.array_shape, in.array_shape);
  EXPECT_EQ(out.seed, 17U);
  EXPECT_EQ(out.limit, std::optional<std::uint64_t>(2));
  EXPECT_EQ(out.candidates, 3U);
  EXPECT_EQ(out.files, in.files);
  ASSERT_EQ(out.errors.size(), 1U);
  EXPECT_EQ(out.errors[0].reason, "empty file (0 bytes)");
}

TEST(Recipe, DocumentedFieldsArePresent) {
  const auto json = nlohmann::json::parse(recipe_to_json(sample()));
  EXPECT_EQ(json["format"], "octet-calibration-recipe");
  EXPECT_EQ(json["version"], 1);
  EXPECT_EQ(json["preprocess"]["pad_value"], 114);
  EXPECT_EQ(json["preprocess"]["interpolation"], "linear");
  EXPECT_EQ(json["preprocess"]["dtype"], "float32");
  EXPECT_EQ(json["selection"]["order"], "shuffled");
  EXPECT_EQ(json["array"]["shape"], nlohmann::json({2, 3, 192, 320}));
}

TEST(Recipe, SortedOrderHasNoSeed) {
  CalibrationRecipe r = sample();
  r.shuffled = false;
  r.limit.reset();
  const auto json = nlohmann::json::parse(recipe_to_json(r));
  EXPECT_TRUE(json["selection"]["seed"].is_null());
  EXPECT_TRUE(json["selection"]["limit"].is_null());
  EXPECT_FALSE(recipe_from_json(recipe_to_json(r), "t").limit.has_value());
}

void expect_error_mentions(const std::string& text, const std::string& needle) {
  try {
    recipe_from_json(text, "my.json");
    FAIL() << "expected an error for " << text;
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("my.json"), std::string::npos) << message;
    EXPECT_NE(message.find(needle), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(Recipe, RejectsMalformedInput) {
  expect_error_mentions("{not json", "not valid JSON");
  expect_error_mentions("{\"format\": \"other\"}", "not an octet calibration recipe");
  std::string wrong_version = recipe_to_json(sample());
  wrong_version.replace(wrong_version.find("\"version\": 1"), 12, "\"version\": 9");
  expect_error_mentions(wrong_version, "version 9");
  std::string bad_layout = recipe_to_json(sample());
  bad_layout.replace(bad_layout.find("\"nchw\""), 6, "\"chwn\"");
  expect_error_mentions(bad_layout, "preprocess.layout");
  auto missing = nlohmann::json::parse(recipe_to_json(sample()));
  missing["preprocess"].erase("width");
  expect_error_mentions(missing.dump(), "width");
}

}  // namespace
}  // namespace octet
