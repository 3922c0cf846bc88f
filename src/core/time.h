// Time in the core: int64 seconds since the Unix epoch (UTC). Nothing here reads a clock; the
// daemon and the simulator hand the current time in (architecture.md: no clock in the core).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/quantity.h"
#include "core/status.h"

namespace rigshift {

using TimePoint = int64_t;  // seconds since 1970-01-01T00:00:00Z

struct CivilDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};

// Days since the epoch for a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int year, int month, int day);
CivilDate CivilFromDays(int64_t days);
bool IsValidDate(int year, int month, int day);

// Parses "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]" or with 'T', optionally followed by "Z" or an
// offset "+HH:MM"/"-HH:MM" (then converted to UTC). A naive time is taken as UTC.
Result<TimePoint> ParseTimestamp(std::string_view text);

// "2021-02-15T06:00:00Z"
std::string FormatTimestamp(TimePoint t);
// "2021-02-15"
std::string FormatDate(TimePoint t);

// Start of the UTC day / month / year containing t.
TimePoint StartOfDay(TimePoint t);
TimePoint StartOfMonth(TimePoint t);
TimePoint StartOfYear(TimePoint t);
TimePoint YearStart(int year);
int YearOf(TimePoint t);
int MonthOf(TimePoint t);  // 1..12

}  // namespace rigshift
