#include "cli/cli_util.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>
#include <system_error>

#include "core/text.h"

namespace rigshift::cli {

int ReportError(const Status& status) {
  std::fprintf(stderr, "rigshift: error: %s\n", status.message().c_str());
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfRange:
    case StatusCode::kNotFound:
      return kExitInvalidInput;
    default:
      return kExitFailed;
  }
}

ProgressBar::ProgressBar(std::string label, int64_t total, bool long_run)
    : label_(std::move(label)), total_(total) {
  const char* env = std::getenv("RIGSHIFT_PROGRESS");
  enabled_ = (env != nullptr && std::strcmp(env, "1") == 0) || isatty(STDERR_FILENO);
  if (!enabled_ && long_run) {
    enabled_ = true;
    lines_ = true;
  }
  if (env != nullptr && std::strcmp(env, "0") == 0) enabled_ = false;
}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Update(int64_t done) {
  if (!enabled_ || total_ <= 0) return;
  int percent = static_cast<int>(done * 100 / total_);
  if (lines_) percent -= percent % 10;
  if (percent == last_percent_) return;
  last_percent_ = percent;
  if (lines_) {
    std::fprintf(stderr, "%s: %d%%\n", label_.c_str(), percent);
    std::fflush(stderr);
    return;
  }
  int width = 30;
  int filled = percent * width / 100;
  std::fprintf(stderr, "\r%s [%.*s%*s] %3d%%", label_.c_str(), filled,
               "##############################", width - filled, "", percent);
  std::fflush(stderr);
}

void ProgressBar::Finish() {
  if (!enabled_ || finished_) return;
  finished_ = true;
  if (last_percent_ >= 0 && !lines_) std::fprintf(stderr, "\n");
}

Result<std::unique_ptr<AtomicOutputFile>> AtomicOutputFile::Open(const std::string& path) {
  if (path.empty()) return Status::InvalidArgument("empty output path");
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return Status::IoError(path + ": is a directory");
  const std::filesystem::path final_path(path);
  std::filesystem::path temp = final_path;
  temp += ".tmp-" + std::to_string(::getpid());
  std::unique_ptr<AtomicOutputFile> f(new AtomicOutputFile(path, temp.string()));
  f->out_.open(f->temp_, std::ios::binary | std::ios::trunc);
  if (!f->out_) {
    return Status::IoError(path + ": cannot write: " + std::strerror(errno) +
                           " (the output is written to a temporary file in the same folder first)");
  }
  return f;
}

AtomicOutputFile::~AtomicOutputFile() {
  if (committed_) return;
  if (out_.is_open()) out_.close();
  std::error_code ec;
  std::filesystem::remove(temp_, ec);
}

Status AtomicOutputFile::Commit() {
  out_.flush();
  out_.close();
  if (!out_) return Status::IoError(path_ + ": write failed (the previous file, if any, is kept)");
  std::error_code ec;
  std::filesystem::rename(temp_, path_, ec);
  if (ec) return Status::IoError(path_ + ": cannot replace the file: " + ec.message());
  committed_ = true;
  return Status::Ok();
}

Status WriteFileAtomically(const std::string& path, std::string_view content) {
  ASSIGN_OR_RETURN(std::unique_ptr<AtomicOutputFile> f, AtomicOutputFile::Open(path));
  f->stream().write(content.data(), static_cast<std::streamsize>(content.size()));
  return f->Commit();
}

Status WriteStdout(std::string_view text) {
  const size_t written = std::fwrite(text.data(), 1, text.size(), stdout);
  if (written != text.size() || std::fflush(stdout) != 0 || std::ferror(stdout)) {
    return Status::IoError(std::string("cannot write to standard output: ") + std::strerror(errno));
  }
  return Status::Ok();
}

Result<market::MarketDataOptions> MarketOptionsForFleet(const fleet::Fleet& fleet,
                                                        const std::string& data_dir,
                                                        const std::vector<std::string>& prices) {
  RETURN_IF_ERROR(CheckDataDir("--data-dir", data_dir));
  market::MarketDataOptions mo;
  mo.data_dir = data_dir;
  std::set<std::string> markets;
  for (const auto& site : fleet.sites) {
    if (site.tariff.market != "fixed") markets.insert(site.tariff.market);
  }
  for (const auto& p : prices) {
    auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == p.size()) {
      return Status::InvalidArgument("--prices '" + p + "': expected MARKET=PATH");
    }
    std::string name = ToLower(p.substr(0, eq));
    mo.price_files[name].push_back(p.substr(eq + 1));
    if (!markets.count(name)) {
      std::fprintf(stderr, "rigshift: warning: --prices %s: no site uses market '%s'\n", p.c_str(),
                   name.c_str());
    }
  }
  mo.markets.assign(markets.begin(), markets.end());
  return mo;
}

}  // namespace rigshift::cli
