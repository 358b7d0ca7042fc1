#include "util/sha256.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "test_util.h"

namespace octet {
namespace {

TEST(Sha256, MatchesTheFips180Vectors) {
  TempDir dir;
  write_file(dir.path() / "abc", "abc");
  write_file(dir.path() / "empty", "");
  // FIPS 180-2, appendix B.1, and the digest of the empty message.
  EXPECT_EQ(sha256_file(dir.path() / "abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_file(dir.path() / "empty"), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, MissingFileIsAnError) {
  TempDir dir;
  EXPECT_THROW(sha256_file(dir.path() / "missing"), Error);
}

}  // namespace
}  // namespace octet
