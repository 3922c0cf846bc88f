#include "core/text.h"

#include <gtest/gtest.h>

namespace rigshift {
namespace {

TEST(TextTest, StrictNumbers) {
  EXPECT_DOUBLE_EQ(*ParseDouble(" 12.5 "), 12.5);
  EXPECT_FALSE(ParseDouble("12.5x").ok());
  EXPECT_FALSE(ParseDouble("").ok());
  EXPECT_FALSE(ParseDouble("nan").ok());
  EXPECT_EQ(*ParseInt64("-42"), -42);
  EXPECT_FALSE(ParseInt64("4.2").ok());
  EXPECT_FALSE(ParseInt64("99999999999999999999").ok());
}

TEST(TextTest, CsvQuotesAndLines) {
  auto rows = ParseCsv("\xEF\xBB\xBF" "a,b\r\n\"x, y\",\"multi\nline\"\n\n3,4\n", "t.csv");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[1].fields[0], "x, y");
  EXPECT_EQ((*rows)[1].fields[1], "multi\nline");
  EXPECT_EQ((*rows)[2].line, 5);
}

TEST(TextTest, CsvUnterminatedQuoteNamesLine) {
  auto rows = ParseCsv("a,b\n1,\"oops\n", "t.csv");
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().message(), "t.csv:2: unterminated quoted field");
}

TEST(TextTest, Suggestions) {
  std::vector<std::string> names = {"GeForce RTX 3090", "GeForce RTX 3080", "Antminer S19"};
  auto s = ClosestNames("RTX 3090", names);
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s[0], "GeForce RTX 3090");
}

}  // namespace
}  // namespace rigshift
