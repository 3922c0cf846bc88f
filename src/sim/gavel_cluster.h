// Plain GPU clusters: a cluster described by its GPU counts per type ("v100=36,p100=36,k80=36"),
// built into a fleet::Fleet in memory from catalogue models, for runs that need no fleet file
// (Gavel's simulator describes its clusters this way; `rigshift simulate --cluster`).
//
// The fleet: one site (`site_id`), one hall, one rack group per GPU type, nodes of
// `gpus_per_node` GPUs of that type (the remainder on one smaller node), PCIe x16 slots, no
// NVLink, a 100 Gb/s NIC, hosts with `host_power` each. The site's grid cap is its nameplate
// facility power (so the power envelope never binds: a plain cluster is about scheduling, not
// power), PUE 1.0, and a fixed tariff of 0 USD/MWh (economics are normally off in these runs).
//
// Thread-safety: pure functions. The returned fleet points into the catalogue, which must outlive
// it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "core/quantity.h"
#include "core/status.h"
#include "fleet/model.h"

namespace rigshift::sim {

inline constexpr int64_t kMaxPlainClusterGpus = 10'000'000;

struct PlainClusterSpec {
  // (GPU type as written, count), in the order written; counts > 0, types distinct.
  std::vector<std::pair<std::string, int32_t>> counts;
  int64_t total() const;
};

// Parses "v100=36,p100=36,k80=36" (spaces allowed; any catalogue name or alias as the type), or
// Gavel's own "36:36:36" form (V100:P100:K80 counts, as its --cluster_spec). Errors say what is
// wrong and where ("--cluster: entry 2 'p100=x': expected a GPU count >= 1").
Result<PlainClusterSpec> ParsePlainCluster(std::string_view text);

struct PlainClusterOptions {
  std::string name = "plain-cluster";
  std::string site_id = "cluster";
  int32_t gpus_per_node = 4;  // Gavel's physical cluster: 4-GPU servers
  Power host_power = Watts(300);
};

// Builds the fleet. Unknown GPU types are errors with the closest catalogue names.
Result<fleet::Fleet> BuildPlainCluster(const PlainClusterSpec& spec,
                                       const catalog::Catalog& catalog,
                                       const PlainClusterOptions& options = {});

}  // namespace rigshift::sim
