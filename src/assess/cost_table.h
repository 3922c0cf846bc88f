// The cost table of the upgrade plan: unit prices (and a few sizing figures) with where each
// comes from. The defaults are documented in docs/cost-table.md with their public sources; a user
// overrides any of them with `rigshift assess --costs FILE` (YAML or CSV, see ParseCostOverrides).
//
// Thread-safety: plain values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/quantity.h"
#include "core/status.h"

namespace rigshift::assess {

struct CostEntry {
  std::string key;          // "gpu_server_host"
  double value = 0;         // in `unit`
  std::string unit;         // "USD", "USD/GB", "USD/kW", "kW", "fraction/year" ...
  std::string description;  // what is bought
  std::string source;       // public figure it comes from, or "override: FILE:LINE"
};

class CostTable {
 public:
  // The documented defaults (docs/cost-table.md).
  static CostTable Defaults();

  const std::vector<CostEntry>& entries() const { return entries_; }
  const CostEntry* Find(std::string_view key) const;
  // Value of a key that must exist (a programmer error otherwise: keys are fixed in Defaults()).
  double Value(std::string_view key) const;
  Money Usd(std::string_view key) const { return rigshift::Usd(Value(key)); }

  // Applies overrides in YAML (`key: 123` or `key: {value: 123, source: "..."}`) or CSV
  // (`key,value[,source]` with that header). Unknown keys (with suggestions), negative or
  // non-numeric values are errors naming source, line and key. `format` is "yaml" or "csv".
  Status ApplyOverrides(std::string_view text, const std::string& source, std::string_view format);
  // Reads FILE and applies it; the format follows the extension (.csv, else YAML).
  Status ApplyOverridesFile(const std::string& path);

 private:
  CostEntry* FindMutable(std::string_view key);
  std::vector<CostEntry> entries_;
};

}  // namespace rigshift::assess
