#include "core/time.h"

#include <charconv>
#include <cstdio>

namespace rigshift {

int64_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp + (mp < 10 ? 3 : -9);
  return CivilDate{static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

bool IsValidDate(int y, int m, int d) {
  if (m < 1 || m > 12 || d < 1) return false;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int max = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
  return d <= max;
}

namespace {
bool ReadInt(std::string_view s, size_t pos, size_t len, int* out) {
  if (pos + len > s.size()) return false;
  for (size_t i = pos; i < pos + len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  auto r = std::from_chars(s.data() + pos, s.data() + pos + len, *out);
  return r.ec == std::errc();
}
}  // namespace

Result<TimePoint> ParseTimestamp(std::string_view text) {
  auto bad = [&](const char* why) {
    return Status::InvalidArgument("bad timestamp '" + std::string(text) + "': " + why +
                                   " (expected YYYY-MM-DD[ HH:MM[:SS]][Z|+HH:MM])");
  };
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.remove_suffix(1);
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  int y, mo, d, h = 0, mi = 0, s = 0;
  if (text.size() < 10 || text[4] != '-' || text[7] != '-' || !ReadInt(text, 0, 4, &y) ||
      !ReadInt(text, 5, 2, &mo) || !ReadInt(text, 8, 2, &d)) {
    return bad("date part");
  }
  if (!IsValidDate(y, mo, d)) return bad("no such date");
  size_t pos = 10;
  if (pos < text.size() && (text[pos] == ' ' || text[pos] == 'T')) {
    ++pos;
    if (!ReadInt(text, pos, 2, &h) || pos + 2 >= text.size() + 0 || text[pos + 2] != ':' ||
        !ReadInt(text, pos + 3, 2, &mi)) {
      return bad("time part");
    }
    pos += 5;
    if (pos < text.size() && text[pos] == ':') {
      if (!ReadInt(text, pos + 1, 2, &s)) return bad("seconds");
      pos += 3;
      // Fractional seconds are accepted and dropped.
      if (pos < text.size() && text[pos] == '.') {
        ++pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
      }
    }
    if (h > 23 || mi > 59 || s > 60) return bad("time out of range");
  }
  int64_t offset = 0;
  if (pos < text.size()) {
    if (text[pos] == 'Z' && pos + 1 == text.size()) {
      pos++;
    } else if (text[pos] == '+' || text[pos] == '-') {
      int oh, om;
      if (!ReadInt(text, pos + 1, 2, &oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
          !ReadInt(text, pos + 4, 2, &om) || pos + 6 != text.size() || oh > 14 || om > 59) {
        return bad("UTC offset");
      }
      offset = (oh * 3600 + om * 60) * (text[pos] == '+' ? 1 : -1);
      pos += 6;
    } else {
      return bad("trailing characters");
    }
  }
  return DaysFromCivil(y, mo, d) * kDay + h * 3600 + mi * 60 + s - offset;
}

static int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string FormatTimestamp(TimePoint t) {
  int64_t days = FloorDiv(t, kDay);
  int64_t sec = t - days * kDay;
  CivilDate c = CivilFromDays(days);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day,
                static_cast<int>(sec / 3600), static_cast<int>(sec / 60 % 60),
                static_cast<int>(sec % 60));
  return buf;
}

std::string FormatDate(TimePoint t) {
  CivilDate c = CivilFromDays(FloorDiv(t, kDay));
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", c.year, c.month, c.day);
  return buf;
}

TimePoint StartOfDay(TimePoint t) { return FloorDiv(t, kDay) * kDay; }
TimePoint StartOfMonth(TimePoint t) {
  CivilDate c = CivilFromDays(FloorDiv(t, kDay));
  return DaysFromCivil(c.year, c.month, 1) * kDay;
}
TimePoint StartOfYear(TimePoint t) { return YearStart(YearOf(t)); }
TimePoint YearStart(int year) { return DaysFromCivil(year, 1, 1) * kDay; }
int YearOf(TimePoint t) { return CivilFromDays(FloorDiv(t, kDay)).year; }
int MonthOf(TimePoint t) { return CivilFromDays(FloorDiv(t, kDay)).month; }

}  // namespace rigshift
