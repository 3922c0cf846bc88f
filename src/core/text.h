// Small text helpers used by every loader: strict number parsing, CSV reading with line
// numbers, and "did you mean" suggestions. Pure functions; no I/O except ReadFileToString.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace rigshift {

// Whole-string parses: leading/trailing spaces allowed, anything else is an error. The message
// says what was found; callers prefix the location and field.
Result<double> ParseDouble(std::string_view text);
Result<int64_t> ParseInt64(std::string_view text);
std::string_view Trim(std::string_view s);
std::string ToLower(std::string_view s);
std::vector<std::string> Split(std::string_view s, char sep);

// Every input file is read whole, so its size is checked before reading (docs/input-limits.md).
// 256 MiB is over fifty times the largest reference input (a trace or a year of prices).
inline constexpr size_t kMaxInputFileBytes = size_t{256} << 20;

// Reads a whole regular file of at most `max_bytes`. Only regular files are read: a directory,
// device (/dev/zero), FIFO or socket has no size to check before reading and may never end, so
// it is refused by name (IoError) without reading a byte; a FIFO is opened without blocking.
// Over the limit, or grown past it while being read: OutOfRange naming the path, size and limit.
Result<std::string> ReadFileToString(const std::string& path, size_t max_bytes = kMaxInputFileBytes);

// One CSV record with the 1-based line number where it starts.
struct CsvRow {
  int line = 0;
  std::vector<std::string> fields;
};

// Parses RFC 4180 CSV (quoted fields with "" escapes and embedded newlines; CRLF or LF; a UTF-8
// BOM is skipped). `source` names the input in error messages. An unterminated quote is an error
// naming the line where the field started.
Result<std::vector<CsvRow>> ParseCsv(std::string_view text, const std::string& source);

// Levenshtein distance (case-insensitive) and the up to `max` closest candidates, for
// "unknown model 'RTX 3909'; did you mean 'GeForce RTX 3090'?".
int EditDistance(std::string_view a, std::string_view b);
std::vector<std::string> ClosestNames(std::string_view name, const std::vector<std::string>& candidates,
                                      size_t max = 3);

}  // namespace rigshift
