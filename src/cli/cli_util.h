// Helpers shared by the subcommands: where reference data lives, printing errors, progress.
#pragma once

#include <cstdio>
#include <fstream>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/output_paths.h"
#include "core/status.h"
#include "fleet/model.h"
#include "market/market_data.h"

namespace rigshift::cli {

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInvalidInput = 3;

// Prints "rigshift: error: <message>" to stderr and returns the exit code for the status.
int ReportError(const Status& status);

// A one-line progress bar on stderr, shown when stderr is a terminal or RIGSHIFT_PROGRESS=1, so
// that piped output and tests stay clean. A long run (`long_run`) that would otherwise show
// nothing prints a plain line every 10 % instead, so that a large fleet's run is never silent;
// RIGSHIFT_PROGRESS=0 turns every form off.
class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total, bool long_run = false);
  ~ProgressBar();
  void Update(int64_t done);
  void Finish();

 private:
  std::string label_;
  int64_t total_;
  int last_percent_ = -1;
  bool enabled_;
  bool lines_ = false;  // plain lines every 10 % instead of a redrawn bar
  bool finished_ = false;
};

// An output file written beside its final path and renamed over it only once complete: a failed
// or killed run leaves the previous file (often the last good report) whole, never a truncated
// one. The temporary file is removed when the object is destroyed without Commit().
class AtomicOutputFile {
 public:
  // Opens PATH.tmp-PID in PATH's folder; IoError naming `path` when it cannot.
  static Result<std::unique_ptr<AtomicOutputFile>> Open(const std::string& path);
  ~AtomicOutputFile();
  AtomicOutputFile(const AtomicOutputFile&) = delete;
  AtomicOutputFile& operator=(const AtomicOutputFile&) = delete;

  std::ostream& stream() { return out_; }
  // Flushes, closes and renames over the final path; IoError naming it on any failure.
  Status Commit();

 private:
  AtomicOutputFile(std::string path, std::string temp) : path_(std::move(path)), temp_(std::move(temp)) {}
  std::string path_;
  std::string temp_;
  std::ofstream out_;
  bool committed_ = false;
};

// Writes the whole of `content` to `path` through an AtomicOutputFile.
Status WriteFileAtomically(const std::string& path, std::string_view content);

// Writes `text` to stdout and flushes it; IoError when the write fails (a full disk, a closed
// pipe), so that a report that did not arrive never exits 0.
Status WriteStdout(std::string_view text);

// Market data options for the sites of `fleet`: every market a site buys on (all but "fixed"), the
// data directory, and `--prices MARKET=PATH` entries (repeatable; a market no site uses is warned
// about on stderr). Years, hashprice and GPU-price files are the caller's. Errors: a malformed
// --prices entry.
Result<market::MarketDataOptions> MarketOptionsForFleet(const fleet::Fleet& fleet,
                                                        const std::string& data_dir,
                                                        const std::vector<std::string>& prices);

}  // namespace rigshift::cli
