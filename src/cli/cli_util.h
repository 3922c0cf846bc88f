// Helpers shared by the subcommands: where reference data lives, printing errors, progress.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

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

// A one-line progress bar on stderr, shown only when stderr is a terminal or RIGSHIFT_PROGRESS=1,
// so that piped output and tests stay clean.
class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total);
  ~ProgressBar();
  void Update(int64_t done);
  void Finish();

 private:
  std::string label_;
  int64_t total_;
  int last_percent_ = -1;
  bool enabled_;
  bool finished_ = false;
};

// Market data options for the sites of `fleet`: every market a site buys on (all but "fixed"), the
// data directory, and `--prices MARKET=PATH` entries (repeatable; a market no site uses is warned
// about on stderr). Years, hashprice and GPU-price files are the caller's. Errors: a malformed
// --prices entry.
Result<market::MarketDataOptions> MarketOptionsForFleet(const fleet::Fleet& fleet,
                                                        const std::string& data_dir,
                                                        const std::vector<std::string>& prices);

}  // namespace rigshift::cli
