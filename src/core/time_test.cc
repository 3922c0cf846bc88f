#include "core/time.h"

#include <gtest/gtest.h>

namespace rigshift {
namespace {

TEST(TimeTest, ParsesOffsetsToUtc) {
  // ERCOT writes local time with its offset: midnight CST is 06:00 UTC.
  auto t = ParseTimestamp("2021-01-01 00:00:00-06:00");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(FormatTimestamp(*t), "2021-01-01T06:00:00Z");
  EXPECT_EQ(*ParseTimestamp("2021-01-01 05:00:00"), *t - 3600);
  EXPECT_EQ(*ParseTimestamp("2021-01-01"), 1609459200);
}

TEST(TimeTest, RejectsImpossibleDates) {
  EXPECT_FALSE(ParseTimestamp("2021-02-29").ok());
  EXPECT_TRUE(ParseTimestamp("2020-02-29").ok());
  EXPECT_FALSE(ParseTimestamp("2021-13-01").ok());
  EXPECT_FALSE(ParseTimestamp("2021-01-01 25:00").ok());
  EXPECT_FALSE(ParseTimestamp("yesterday").ok());
  EXPECT_FALSE(ParseTimestamp("2021-01-01 00:00:00+0x:00").ok());
}

TEST(TimeTest, CalendarHelpers) {
  TimePoint t = *ParseTimestamp("2022-07-15 13:45:00");
  EXPECT_EQ(FormatDate(StartOfMonth(t)), "2022-07-01");
  EXPECT_EQ(YearOf(t), 2022);
  EXPECT_EQ(MonthOf(t), 7);
  EXPECT_EQ(StartOfYear(t), YearStart(2022));
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31T23:59:59Z");
}

}  // namespace
}  // namespace rigshift
