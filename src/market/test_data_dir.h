// Test helper: where the read-only reference data (../shared/data) lives. The environment
// variable RIGSHIFT_SHARED_DATA wins over the build's default. Tests that need it skip (with a
// message) when it is absent, so that the unit tests still run on a machine without it.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace rigshift::market::testing {

inline std::string SharedDataDir() {
  if (const char* env = std::getenv("RIGSHIFT_SHARED_DATA"); env != nullptr && *env != '\0') {
    return env;
  }
#ifdef RIGSHIFT_SHARED_DATA_DEFAULT
  return RIGSHIFT_SHARED_DATA_DEFAULT;
#else
  return "../shared/data";
#endif
}

inline bool HaveSharedMarkets() {
  return std::filesystem::exists(std::filesystem::path(SharedDataDir()) / "markets");
}

}  // namespace rigshift::market::testing
