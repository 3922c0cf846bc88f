// libFuzzer target for the `rigshift simulate` flag parser (cli/simulate_flags.h): any command line
// must parse into checked flags or give a parse error or a Status naming the flag, never a crash.
// The bytes are split at newlines into arguments. Accepted flags must lie in their documented
// ranges (docs/input-limits.md). Seeds: tests/fuzz/corpus/simulate_flags_fuzz/.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/simulate_flags.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  std::vector<std::string> words;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '\n') {
      words.emplace_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  if (words.size() > 64) return 0;
  CLI::App app{"simulate flags"};
  rigshift::cli::SimulateArgs args;
  rigshift::cli::AddSimulateOptions(app, args);
  // CLI11 takes the arguments in reverse order.
  std::vector<std::string> reversed(words.rbegin(), words.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError&) {
    return 0;
  }
  const rigshift::Status s = rigshift::cli::CheckSimulateFlags(args);
  if (s.ok()) {
    const bool in_range = args.seed >= 0 && args.load > 0 && args.load <= 1000 &&
                          args.epoch_hours * 3600 >= 60 && args.epoch_hours <= 744 &&
                          args.slo_factor >= 0 && args.slo_factor <= 1000 && args.round_length >= 1 &&
                          args.replan_gap >= 0 &&
                          (args.decision_gap_minutes == 0 || args.decision_gap_minutes * 60 >= 1) &&
                          (args.fleet_path.empty() || args.cluster.empty());
    if (!in_range) __builtin_trap();
  } else if (s.message().empty()) {
    __builtin_trap();
  }
  return 0;
}
