#include "server/request_json.h"

#include <gtest/gtest.h>

namespace rigshift::server {
namespace {

using nlohmann::json;

// Paths join with dots below the root and keep array indices.
TEST(RequestJsonTest, FieldPaths) {
  EXPECT_EQ(FieldPath("", "gpus"), "gpus");
  EXPECT_EQ(FieldPath("prices[2]", "site"), "prices[2].site");
  EXPECT_EQ(FieldError("", "bad").message(), "bad");
  EXPECT_EQ(FieldError("a.b", "bad").message(), "a.b: bad");
}

// A float with no fraction is an integer; bounds apply before any conversion.
TEST(RequestJsonTest, IntegersFromAnyNumberInRange) {
  const json j = {{"a", 4.0}, {"b", -3}, {"c", 9.3e18}, {"d", 18446744073709551615ull}};
  EXPECT_EQ(*OptionalInteger(j, "", "a", 0, 10).value(), 4);
  EXPECT_FALSE(OptionalInteger(j, "", "b", 0, 10).ok());
  EXPECT_EQ(*OptionalInteger(j, "", "b", -5, 10).value(), -3);
  EXPECT_FALSE(OptionalInteger(j, "", "c", 0, INT64_MAX).ok());  // 9.3e18 > INT64_MAX
  EXPECT_FALSE(OptionalInteger(j, "", "d", 0, INT64_MAX).ok());
  EXPECT_FALSE(OptionalInteger(j, "", "missing", 0, 10).value().has_value());
}

// A nested syntax error names its path through objects and arrays.
TEST(RequestJsonTest, SyntaxErrorPath) {
  Result<json> r = ParseJsonBody(R"({"prices": [{"site": "a"}, {"site": "b", "time": nul}]})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("prices[1].time: malformed JSON", 0), 0u)
      << r.status().message();
}

// Only "YYYY-MM-DDTHH:MM:SSZ" is a UTC timestamp.
TEST(RequestJsonTest, UtcTimestamps) {
  EXPECT_EQ(*ParseUtcTimestamp("2026-12-07T10:00:00Z", "t"), 1'796'637'600);
  EXPECT_FALSE(ParseUtcTimestamp("2026-12-07 10:00:00Z", "t").ok());
  EXPECT_FALSE(ParseUtcTimestamp("2026-12-07T10:00:00", "t").ok());
  EXPECT_FALSE(ParseUtcTimestamp("2026-02-30T10:00:00Z", "t").ok());
  EXPECT_EQ(ParseUtcTimestamp("x", "from").status().message().rfind("from: ", 0), 0u);
}

}  // namespace
}  // namespace rigshift::server
