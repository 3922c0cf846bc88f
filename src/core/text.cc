#include "core/text.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace rigshift {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.emplace_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

Result<double> ParseDouble(std::string_view text) {
  std::string_view t = Trim(text);
  if (t.empty()) return Status::InvalidArgument("empty value where a number was expected");
  if (t.front() == '+') t.remove_prefix(1);
  double v = 0;
  auto r = std::from_chars(t.data(), t.data() + t.size(), v);
  if (r.ec != std::errc() || r.ptr != t.data() + t.size()) {
    return Status::InvalidArgument("'" + std::string(Trim(text)) + "' is not a number");
  }
  if (!std::isfinite(v)) return Status::InvalidArgument("'" + std::string(t) + "' is not finite");
  return v;
}

Result<int64_t> ParseInt64(std::string_view text) {
  std::string_view t = Trim(text);
  if (t.empty()) return Status::InvalidArgument("empty value where an integer was expected");
  if (t.front() == '+') t.remove_prefix(1);
  int64_t v = 0;
  auto r = std::from_chars(t.data(), t.data() + t.size(), v);
  if (r.ec == std::errc::result_out_of_range) {
    return Status::OutOfRange("'" + std::string(t) + "' does not fit in 64 bits");
  }
  if (r.ec != std::errc() || r.ptr != t.data() + t.size()) {
    return Status::InvalidArgument("'" + std::string(Trim(text)) + "' is not an integer");
  }
  return v;
}

namespace {

const char* FileTypeName(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// Closes the descriptor on every return path.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() { ::close(fd_); }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

std::string OverLimit(const std::string& path, const std::string& size, size_t max_bytes) {
  return path + ": file of " + size + " bytes is over the " + std::to_string(max_bytes) +
         "-byte input limit (docs/input-limits.md)";
}

}  // namespace

Result<std::string> ReadFileToString(const std::string& path, size_t max_bytes) {
  if (path.empty()) return Status::IoError("empty file path");
  // O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return Status::IoError(path + ": cannot open file: " + std::strerror(errno));
  FdCloser closer(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Status::IoError(path + ": cannot stat file: " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) {
    return Status::IoError(path + ": is " + FileTypeName(st.st_mode) +
                           "; inputs must be regular files (their size is checked before reading)");
  }
  if (st.st_size < 0 || static_cast<uint64_t>(st.st_size) > max_bytes) {
    return Status::OutOfRange(OverLimit(path, std::to_string(st.st_size), max_bytes));
  }
  std::string out;
  out.resize(static_cast<size_t>(st.st_size));
  size_t have = 0;
  // Reads until end of file, one byte past the limit at most: a file that grows while read is
  // still bounded.
  while (true) {
    if (have == out.size()) {
      if (out.size() > max_bytes) break;
      out.resize(std::min(max_bytes + 1, std::max<size_t>(out.size() * 2, 4096)));
    }
    const ssize_t n = ::read(fd, out.data() + have, out.size() - have);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IoError(path + ": read failed: " + std::strerror(errno));
    }
    if (n == 0) break;
    have += static_cast<size_t>(n);
  }
  if (have > max_bytes) return Status::OutOfRange(OverLimit(path, "over " + std::to_string(max_bytes), max_bytes));
  out.resize(have);
  return out;
}

Result<std::vector<CsvRow>> ParseCsv(std::string_view text, const std::string& source) {
  std::vector<CsvRow> rows;
  size_t i = 0;
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  int line = 1;
  while (i < text.size()) {
    CsvRow row;
    row.line = line;
    std::string field;
    bool in_quotes = false;
    int quote_line = 0;
    bool row_done = false;
    bool field_quoted = false;
    while (!row_done) {
      if (i >= text.size()) {
        if (in_quotes) {
          return Status::InvalidArgument(Location(source, quote_line) +
                                         ": unterminated quoted field");
        }
        row.fields.push_back(std::move(field));
        break;
      }
      char c = text[i];
      if (in_quotes) {
        if (c == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field.push_back('"');
            i += 2;
          } else {
            in_quotes = false;
            ++i;
          }
        } else {
          if (c == '\n') ++line;
          field.push_back(c);
          ++i;
        }
        continue;
      }
      if (c == '"' && field.empty() && !field_quoted) {
        in_quotes = true;
        field_quoted = true;
        quote_line = line;
        ++i;
      } else if (c == ',') {
        row.fields.push_back(std::move(field));
        field.clear();
        field_quoted = false;
        ++i;
      } else if (c == '\r' || c == '\n') {
        row.fields.push_back(std::move(field));
        if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
        ++i;
        ++line;
        row_done = true;
      } else {
        field.push_back(c);
        ++i;
      }
    }
    // Skip blank lines.
    if (row.fields.size() == 1 && Trim(row.fields[0]).empty()) continue;
    rows.push_back(std::move(row));
  }
  return rows;
}

int EditDistance(std::string_view a, std::string_view b) {
  std::string la = ToLower(a), lb = ToLower(b);
  std::vector<int> prev(lb.size() + 1), cur(lb.size() + 1);
  for (size_t j = 0; j <= lb.size(); ++j) prev[j] = static_cast<int>(j);
  for (size_t i = 1; i <= la.size(); ++i) {
    cur[0] = static_cast<int>(i);
    for (size_t j = 1; j <= lb.size(); ++j) {
      int sub = prev[j - 1] + (la[i - 1] == lb[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[lb.size()];
}

std::vector<std::string> ClosestNames(std::string_view name, const std::vector<std::string>& candidates,
                                      size_t max) {
  std::vector<std::pair<int, std::string>> scored;
  std::string lname = ToLower(name);
  for (const auto& c : candidates) {
    int d = EditDistance(name, c);
    // A candidate that contains the name (or vice versa) is a strong hint: "3090" -> "RTX 3090".
    std::string lc = ToLower(c);
    if (!lname.empty() && (lc.find(lname) != std::string::npos || lname.find(lc) != std::string::npos)) {
      d = std::min<int>(d, 1);
    }
    scored.emplace_back(d, c);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  int limit = std::max<int>(3, static_cast<int>(name.size()) / 2);
  for (const auto& [d, c] : scored) {
    if (out.size() >= max || d > limit) break;
    out.push_back(c);
  }
  return out;
}

}  // namespace rigshift
