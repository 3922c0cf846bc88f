// Checks on the paths a command is given: outputs that would overwrite an input or each other,
// and reference data directories that do not exist. Thread-safety: stateless; stats paths.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace rigshift::cli {

// One named path on the command line ("--html", "report.html").
struct NamedPath {
  std::string flag;
  std::string path;
};

// The files named by `--prices MARKET=PATH` and `--hashprice PATH` entries, appended to `inputs`
// (both subcommands that read markets take them).
void AppendMarketInputs(const std::vector<std::string>& prices,
                        const std::vector<std::string>& hashprice, std::vector<NamedPath>* inputs);

// Refuses an output that is the same file as an input or as another output (by path, or by
// device and inode when both exist): writing it would destroy the input or the other report.
// Empty paths are skipped.
Status CheckOutputPaths(const std::vector<NamedPath>& inputs,
                        const std::vector<NamedPath>& outputs);

// An explicit reference data directory must exist and hold the ../shared/data layout (markets/ or
// traces/); a mistyped one would otherwise fall back to the embedded scenario unnoticed.
Status CheckDataDir(const std::string& flag, const std::string& dir);

}  // namespace rigshift::cli
