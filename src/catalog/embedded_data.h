// The data/catalog/*.csv files as they were at build time, embedded as byte arrays by
// embed_csv.cmake (generated embedded_data.cc in the build tree). Used by Catalog::Builtin().
#pragma once

#include <string_view>

namespace rigshift::catalog::embedded {

extern const std::string_view kGpusCsv;
extern const std::string_view kGpuMiningCsv;
extern const std::string_view kAsicsCsv;
extern const std::string_view kAsicModesCsv;

}  // namespace rigshift::catalog::embedded
