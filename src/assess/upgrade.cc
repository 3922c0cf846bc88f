#include "assess/upgrade.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace rigshift::assess {
namespace {

constexpr int kServerGpus = 8;
constexpr double kMinNicGbps = 25;

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

std::string Fmt(const char* fmt, double a) {
  char buf[200];
  std::snprintf(buf, sizeof buf, fmt, a);
  return buf;
}

void Add(UpgradePlan& plan, std::string item, std::string reason, int64_t qty, Money unit,
         const CostTable& costs, const std::string& key) {
  if (qty <= 0) return;
  const CostEntry* e = costs.Find(key);
  plan.items.push_back({std::move(item), std::move(reason), qty, unit,
                        key + (e != nullptr ? ": " + e->source : std::string())});
}

// Site-level items that scale with the AI load: uplink, cooling, redundancy; and monthly opex.
void AddSiteItems(UpgradePlan& plan, const fleet::Site& site, bool refit, Money hardware_capex,
                  const AssessOptions& options) {
  const CostTable& c = options.costs;
  const double need_gbps = static_cast<double>(plan.ai_gpus) * c.Value("uplink_gbps_per_gpu");
  Money monthly = c.Usd("ai_opex_per_gpu_month") * plan.ai_gpus;
  if (need_gbps > site.uplink_gbps) {
    Add(plan, "fibre uplink build",
        Fmt("uplink %.0f Gbps", site.uplink_gbps) +
            Fmt(" < %.0f Gbps needed for the AI GPUs", need_gbps),
        1, c.Usd("uplink_install"), c, "uplink_install");
    const int64_t extra_gbps = static_cast<int64_t>(std::ceil(need_gbps - site.uplink_gbps));
    monthly += c.Usd("uplink_per_gbps_month") * extra_gbps;
    plan.notes.push_back(
        Fmt("transit for %.0f more Gbps is in the monthly opex", static_cast<double>(extra_gbps)));
  }
  // Cooling is sized on heat, not on the racks' electrical rating: every watt of AI IT load is a
  // watt of heat. A hydro or immersion ASIC hall's loops serve ASIC cold plates or tanks, not GPU
  // servers, so a re-fit there needs its own liquid loop for all of it; elsewhere the AI racks'
  // heat is compared with what an air-cooled rack position rejects (air_rack_kw).
  const int64_t ai_kw = static_cast<int64_t>(std::ceil(ToKilowatts(plan.ai_it_power)));
  const double air_kw = c.Value("air_rack_kw");
  const bool liquid_hall = refit && site.cooling != fleet::CoolingKind::kAir;
  if (ai_kw > 0 && (liquid_hall || plan.ai_rack_kw > air_kw)) {
    if (liquid_hall) {
      Add(plan, "direct-to-chip liquid loop (per kW of AI heat)",
          std::string(fleet::CoolingKindName(site.cooling)) +
              " cooling built for ASICs: GPU servers need a CDU and manifolds",
          ai_kw, c.Usd("liquid_cooling_per_kw"), c, "liquid_cooling_per_kw");
    } else {
      Add(plan, "cooling retrofit for AI rack density (per kW)",
          "mining racks run 5-10 kW open-air; 8-GPU servers pack 3-10 kW per 4U: containment and "
          "rear-door heat exchangers",
          ai_kw, c.Usd("cooling_per_kw"), c, "cooling_per_kw");
    }
  } else if (ai_kw > 0) {
    plan.notes.push_back(Fmt("AI racks at ~%.0f kW of heat", plan.ai_rack_kw) +
                         Fmt(" fit air cooling's %.0f kW per rack: no cooling retrofit", air_kw));
  }
  if (ai_kw > 0 && site.redundancy_tier < 2) {
    if (plan.datacenter_class) {
      Add(plan, "N+1 UPS and generator (per kW of AI IT load)",
          "tier-1 site: datacentre-GPU customers expect the load to ride through grid events",
          ai_kw, c.Usd("redundancy_per_kw"), c, "redundancy_per_kw");
    } else {
      plan.notes.push_back(
          "consumer GPUs rent on marketplaces (vast.ai-style) that accept tier-1 power: no UPS or "
          "generator added; enterprise customers would need N+1 (redundancy_per_kw)");
    }
  }
  plan.capex = econ::TotalCapex(plan.items);
  // Maintenance on the IT hardware bought (not on the building works), and on the GPUs already
  // owned that now run for customers (fans, pads, failed cards).
  monthly += MicroUsd(internal::RoundToInt64(static_cast<double>(hardware_capex.raw()) *
                                             c.Value("maintenance_per_year") / 12.0));
  const int64_t owned_gpus = plan.ai_gpus - plan.refit_servers * kServerGpus;
  monthly += c.Usd("owned_gpu_maintenance_per_gpu_month") * owned_gpus;
  plan.monthly_opex = monthly;
}

void AddGpuItems(UpgradePlan& plan, const std::vector<const DeviceGroupAssessment*>& groups,
                 const AssessOptions& options) {
  const CostTable& c = options.costs;
  for (const DeviceGroupAssessment* g : groups) {
    if (g->gpu == nullptr) continue;
    const double mem = g->gpu->memory_gb;
    plan.ai_gpus += g->devices;
    const Power ai_each = g->gpu->tdp.Scaled(options.power.gpu_ai_draw_permille, 1000);
    if (g->gpu->segment == catalog::GpuSegment::kDatacenter) plan.datacenter_class = true;
    if (g->pcie_lanes < 8 && !g->nvlink) {
      // Four 4U 8-GPU servers per rack.
      plan.ai_rack_kw = std::max(plan.ai_rack_kw, 4 * (ToKilowatts(ai_each) * kServerGpus + 0.4));
      const int64_t hosts = CeilDiv(g->devices, kServerGpus);
      const std::string why = std::to_string(g->devices) + " x " + g->model + " on x" +
                              std::to_string(g->pcie_lanes) + " risers";
      Add(plan, "8-GPU x16 server host for " + g->model, why + ": new chassis, board and CPUs",
          hosts, c.Usd("gpu_server_host"), c, "gpu_server_host");
      const int64_t ram_gb = static_cast<int64_t>(std::ceil(1.5 * mem * kServerGpus));
      Add(plan, "server RAM, " + std::to_string(ram_gb) + " GB per host (" + g->model + ")",
          "1.5 x the GPU memory of 8 GPUs", hosts * ram_gb, c.Usd("ram_per_gb"), c, "ram_per_gb");
      Add(plan, "NVMe SSD per host (" + g->model + ")", "model weights and datasets", hosts,
          c.Usd("nvme_per_host"), c, "nvme_per_host");
      Add(plan, "100 GbE NIC per host (" + g->model + ")", "weights, datasets, multi-node jobs",
          hosts, c.Usd("nic_per_host"), c, "nic_per_host");
      Add(plan, "switch port per host (" + g->model + ")", "data-centre fabric", hosts,
          c.Usd("switch_port"), c, "switch_port");
      // New hosts: ~400 W each beyond the GPUs (2 CPUs, fans, NVMe, NIC).
      plan.ai_it_power += (ai_each * kServerGpus + Watts(400)) * hosts -
                          ai_each * (hosts * kServerGpus - g->devices);
    } else {
      // Servers stay in their racks: density as today.
      const double need_ram = 1.5 * mem * g->devices_per_node;
      if (g->host_ram_gb < need_ram) {
        const int64_t per_host = static_cast<int64_t>(std::ceil(need_ram - g->host_ram_gb));
        Add(plan, "RAM upgrade, +" + std::to_string(per_host) + " GB per host (" + g->model + ")",
            "host RAM below 1.5 x GPU memory", g->nodes * per_host, c.Usd("ram_per_gb"), c,
            "ram_per_gb");
      }
      if (g->host_disk_gb < c.Value("min_disk_gb_per_host")) {
        Add(plan, "NVMe SSD per host (" + g->model + ")", "local disk below the minimum", g->nodes,
            c.Usd("nvme_per_host"), c, "nvme_per_host");
      }
      if (g->host_nic_gbps < kMinNicGbps) {
        Add(plan, "100 GbE NIC per host (" + g->model + ")", "NIC below 25 Gbps", g->nodes,
            c.Usd("nic_per_host"), c, "nic_per_host");
        Add(plan, "switch port per host (" + g->model + ")", "data-centre fabric", g->nodes,
            c.Usd("switch_port"), c, "switch_port");
      }
      plan.ai_it_power += ai_each * g->devices + g->host_power * g->nodes;
    }
  }
}

void AddRefitItems(UpgradePlan& plan, const fleet::Site& site, Power it_budget,
                   const catalog::GpuModel* refit_gpu, const AssessOptions& options) {
  const CostTable& c = options.costs;
  const double server_kw = c.Value(options.refit_server_kw_key);
  if (refit_gpu == nullptr || server_kw <= 0 || it_budget.raw() <= 0) return;
  const int64_t servers = static_cast<int64_t>(std::floor(ToKilowatts(it_budget) / server_kw));
  if (servers <= 0) return;
  plan.refit_servers += servers;
  plan.datacenter_class = true;
  plan.ai_rack_kw = std::max(plan.ai_rack_kw, 4 * server_kw);
  plan.ai_gpus += servers * kServerGpus;
  plan.ai_it_power += Kilowatts(server_kw) * servers;
  Add(plan, "8x " + refit_gpu->name + " server", "re-fit of the ASIC hall's power and floor space",
      servers, c.Usd(options.refit_server_cost_key), c, options.refit_server_cost_key);
  const int64_t refit_kw = static_cast<int64_t>(std::ceil(server_kw * static_cast<double>(servers)));
  Add(plan, "hall fit-out for GPU servers (per kW of AI IT load)",
      "power distribution to 41 kW racks, busways, fire suppression, structure: an ASIC hall is "
      "not a data hall",
      refit_kw, c.Usd("refit_fitout_per_kw"), c, "refit_fitout_per_kw");
  const int64_t racks = CeilDiv(servers, 4);
  plan.notes.push_back(
      Fmt("%.0f racks at 4 servers (~41 kW) per rack", static_cast<double>(racks)) +
      Fmt(", ~%.0f m2 of floor with aisles", racks * 3.0) +
      (site.floor_space_m2 > 0 ? Fmt(" of the site's %.0f m2", site.floor_space_m2) : ""));
  if (site.floor_space_m2 > 0 && static_cast<double>(racks) * 3.0 > site.floor_space_m2) {
    plan.notes.push_back(
        Fmt("floor space is short: %.0f m2 needed", static_cast<double>(racks) * 3.0) +
        Fmt(" > %.0f m2; fewer servers fit unless containers are added", site.floor_space_m2));
  }
  plan.notes.push_back("removed ASICs are valued at asic_resale = " +
                       Fmt("%.2f", c.Value("asic_resale")) + " of nothing");
}

}  // namespace

UpgradePlan PlanUpgrade(const fleet::Site& site,
                        const std::vector<const DeviceGroupAssessment*>& groups, Power refit_budget,
                        const catalog::GpuModel* refit_gpu, const AssessOptions& options) {
  UpgradePlan plan;
  AddGpuItems(plan, groups, options);
  AddRefitItems(plan, site, refit_budget, refit_gpu, options);
  if (plan.ai_gpus == 0) return plan;
  // Revenue starts after the works: a hall re-fit takes months; moving GPUs into new hosts less.
  bool rehost = false;
  for (const DeviceGroupAssessment* g : groups) rehost = rehost || g->pcie_lanes < 8;
  if (plan.refit_servers > 0) {
    plan.build_months = static_cast<int>(options.costs.Value("build_months_refit"));
  } else if (rehost || !plan.items.empty()) {
    plan.build_months = static_cast<int>(options.costs.Value("build_months_rehost"));
  }
  Money hardware;
  for (const auto& item : plan.items) {
    if (item.source.rfind("refit_fitout_per_kw", 0) != 0) hardware += item.Total();
  }
  AddSiteItems(plan, site, /*refit=*/plan.refit_servers > 0, hardware, options);
  return plan;
}

}  // namespace rigshift::assess
