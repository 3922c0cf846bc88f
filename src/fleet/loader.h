// The fleet file loader: reads the YAML fleet format (docs/fleet-format.md) into a Fleet, checks
// every element against the catalogue and the physics of the site, and reports what is wrong with
// file, line, column, field path and what was expected.
//
// Errors are collected, not thrown: one load reports every problem it can find (up to
// kMaxReportedErrors), each on its own line of the returned Status message, formatted
//   FILE:LINE:COL: sites[0].halls[1].racks[0].nodes[2].devices[0].model: unknown GPU/ASIC model ...
// Problems that make a fleet questionable but not impossible (a site whose nameplate facility power
// exceeds its grid cap, cooling below the heat load) are warnings; LoadOptions::strict turns them
// into errors. yaml-cpp exceptions never escape: the loader catches them and reports a Status.
//
// Limits that protect the loader from hostile or broken input (the fuzz target runs against these):
// input size (kMaxFleetFileBytes), YAML nesting depth (kMaxYamlDepth), YAML elements visited
// (aliases can multiply a small file), and the device total (kMaxDevicesPerFleet).
//
// Thread-safety: the functions are reentrant; the catalogue is only read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "core/status.h"
#include "fleet/model.h"

namespace rigshift::fleet {

inline constexpr size_t kMaxFleetFileBytes = 16u << 20;  // 16 MiB
inline constexpr int kMaxYamlDepth = 64;                 // nesting of maps and lists
inline constexpr int64_t kMaxDevicesPerFleet = 10'000'000;
inline constexpr int64_t kMaxCountPerGroup = 1'000'000;
inline constexpr int kMaxReportedErrors = 50;

enum class Severity { kWarning, kError };

// One finding about a fleet file, with where it was found.
struct Diagnostic {
  Severity severity = Severity::kError;
  SourceLoc loc;
  std::string message;

  // "FILE:LINE:COL: field.path: message" (the location parts that are known).
  std::string ToString() const;
};

struct LoadOptions {
  // Warnings (grid cap, cooling) become errors.
  bool strict = false;
};

struct LoadedFleet {
  Fleet fleet;
  std::vector<Diagnostic> warnings;  // empty with strict (they are errors there)
};

// Reads and loads a fleet file. IoError when the file cannot be read; InvalidArgument (or
// OutOfRange for the size limits) listing every problem found otherwise.
Result<LoadedFleet> LoadFleetFile(const std::string& path, const catalog::Catalog& catalog,
                                  const LoadOptions& options = {});

// Loads fleet YAML from memory; `source_name` stands for the file name in messages.
Result<LoadedFleet> LoadFleetText(const std::string& text, const std::string& source_name,
                                  const catalog::Catalog& catalog, const LoadOptions& options = {});

}  // namespace rigshift::fleet
