#include "cli/cli_util.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <set>

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

ProgressBar::ProgressBar(std::string label, int64_t total) : label_(std::move(label)), total_(total) {
  const char* env = std::getenv("RIGSHIFT_PROGRESS");
  enabled_ = (env != nullptr && std::strcmp(env, "1") == 0) || isatty(STDERR_FILENO);
  if (env != nullptr && std::strcmp(env, "0") == 0) enabled_ = false;
}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Update(int64_t done) {
  if (!enabled_ || total_ <= 0) return;
  int percent = static_cast<int>(done * 100 / total_);
  if (percent == last_percent_) return;
  last_percent_ = percent;
  int width = 30;
  int filled = percent * width / 100;
  std::fprintf(stderr, "\r%s [%.*s%*s] %3d%%", label_.c_str(), filled,
               "##############################", width - filled, "", percent);
  std::fflush(stderr);
}

void ProgressBar::Finish() {
  if (!enabled_ || finished_) return;
  finished_ = true;
  if (last_percent_ >= 0) std::fprintf(stderr, "\n");
}

Result<market::MarketDataOptions> MarketOptionsForFleet(const fleet::Fleet& fleet,
                                                        const std::string& data_dir,
                                                        const std::vector<std::string>& prices) {
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
