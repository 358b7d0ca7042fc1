#include "util/byte_size.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace octet {
namespace {

TEST(ByteSize, DecimalUnitsArePowersOfThousand) {
  EXPECT_EQ(parse_byte_size("500MB"), 500'000'000U);
  EXPECT_EQ(parse_byte_size("500 mb"), 500'000'000U);
  EXPECT_EQ(parse_byte_size("1.5GB"), 1'500'000'000U);
  EXPECT_EQ(parse_byte_size("2KB"), 2'000U);
}

TEST(ByteSize, BinaryUnitsArePowersOf1024) {
  EXPECT_EQ(parse_byte_size("256MiB"), 268'435'456U);
  EXPECT_EQ(parse_byte_size("1GiB"), 1'073'741'824U);
  EXPECT_EQ(parse_byte_size("1kib"), 1'024U);
}

TEST(ByteSize, BareNumberIsBytes) {
  EXPECT_EQ(parse_byte_size("1024"), 1024U);
  EXPECT_EQ(parse_byte_size("0"), 0U);
  EXPECT_EQ(parse_byte_size("7B"), 7U);
}

TEST(ByteSize, RejectsWhatIsNotASize) {
  for (const char* text : {"", "MB", "abc", "-1MB", "5XB", "1.5.5GB", "nan", "inf", "1e30"}) {
    EXPECT_THROW(parse_byte_size(text), UsageError) << text;
  }
}

TEST(ByteSize, MessageNamesTheTextAndTheForms) {
  try {
    parse_byte_size("12 parsecs");
    FAIL() << "expected an error";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("'12 parsecs'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("500MB"), std::string::npos) << e.what();
  }
}

TEST(ByteSize, FormatsForMessages) {
  EXPECT_EQ(format_byte_size(500'000'000), "500.0 MB");
  EXPECT_EQ(format_byte_size(1'470'000'000), "1.47 GB");
  EXPECT_EQ(format_byte_size(12), "12 bytes");
}

}  // namespace
}  // namespace octet
