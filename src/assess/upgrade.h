// The upgrade plan: what must change at a site before AI customers will run there, with
// quantities and costs from the cost table (cost_table.h, docs/cost-table.md). Part of assess;
// pure functions.
//
// GPU groups chosen for AI:
//   - GPUs on risers (< x8 lanes) move into new 8-GPU x16 server hosts (one per 8 GPUs: a riser
//     rig's board cannot take x16 cards, so this is a new chassis), each with RAM = 1.5 x its GPU
//     memory, a data-centre NVMe, a 100 GbE NIC and a switch port;
//   - GPUs already in x16 hosts get what their host lacks (RAM to 1.5 x GPU memory, NVMe to
//     min_disk_gb_per_host, a NIC and port when the NIC is < 25 Gbps);
// ASIC halls are re-fitted: as many GPU servers as the power envelope share allows;
// Site: uplink to uplink_gbps_per_gpu per AI GPU (one-off build + monthly transit), cooling for
// the AI IT load (air retrofit, or a liquid loop at hydro/immersion sites re-fitted with servers),
// N+1 power for the AI load when the site is tier 1.
#pragma once

#include <vector>

#include "assess/assess.h"

namespace rigshift::assess {

// The plan for a site: `groups` (GPU groups moved to AI) plus `refit_budget` of the IT envelope
// re-fitted with new 8-GPU servers of `refit_gpu` (zero: none). Site items once for both.
UpgradePlan PlanUpgrade(const fleet::Site& site,
                        const std::vector<const DeviceGroupAssessment*>& groups, Power refit_budget,
                        const catalog::GpuModel* refit_gpu, const AssessOptions& options);

}  // namespace rigshift::assess
