#include "fleet/summary.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>

namespace rigshift::fleet {
namespace {

// Accumulates one site (or the total) before the maps become sorted vectors.
struct Accumulator {
  SiteSummary s;
  std::map<std::string, int64_t> gpu_models;
  std::map<catalog::GpuSegment, int64_t> segments;
  std::map<std::string, int64_t> asic_models;
  std::map<std::string, AlgorithmHashrate> algorithms;

  void AddGpus(const catalog::GpuModel& g, int64_t n) {
    s.gpus += n;
    gpu_models[g.name] += n;
    segments[g.segment] += n;
    s.gpu_power += g.tdp * n;
    s.gpu_memory_gb += g.memory_gb * static_cast<double>(n);
    if (g.bf16_tflops.has_value()) {
      s.bf16_tflops += *g.bf16_tflops * static_cast<double>(n);
      s.gpus_with_bf16 += n;
    } else {
      s.fp16_tflops_without_bf16 += g.fp16_tflops * static_cast<double>(n);
    }
    // Each algorithm once per card, at its best profile.
    std::set<std::string> seen;
    for (const catalog::MiningProfile& p : g.mining) {
      if (!seen.insert(p.algorithm).second) continue;
      const catalog::MiningProfile* best = g.MiningFor(p.algorithm);
      if (best == nullptr) continue;
      AlgorithmHashrate& a = algorithms[p.algorithm];
      a.algorithm = p.algorithm;
      a.hashrate += best->hashrate * n;
      a.power += best->power * n;
      a.gpus += n;
    }
  }

  void AddAsics(const DeviceGroup& d, int64_t n) {
    s.asics += n;
    asic_models[d.asic->name] += n;
    s.asic_power += d.NameplatePowerEach() * n;
    Hashrate each = d.asic->hashrate;
    if (const catalog::AsicPowerMode* m = d.asic->Mode(d.mode); m != nullptr) each = m->hashrate;
    s.sha256_hashrate += each * n;
  }

  void Merge(const Accumulator& o) {
    s.racks += o.s.racks;
    s.nodes += o.s.nodes;
    s.gpus += o.s.gpus;
    s.asics += o.s.asics;
    s.gpu_power += o.s.gpu_power;
    s.asic_power += o.s.asic_power;
    s.host_power += o.s.host_power;
    s.it_power += o.s.it_power;
    s.facility_power += o.s.facility_power;
    s.grid_cap += o.s.grid_cap;
    s.headroom += o.s.headroom;
    s.cooling_capacity += o.s.cooling_capacity;
    s.sites_over_grid_cap += o.s.sites_over_grid_cap;
    s.gpu_memory_gb += o.s.gpu_memory_gb;
    s.bf16_tflops += o.s.bf16_tflops;
    s.gpus_with_bf16 += o.s.gpus_with_bf16;
    s.fp16_tflops_without_bf16 += o.s.fp16_tflops_without_bf16;
    s.sha256_hashrate += o.s.sha256_hashrate;
    for (const auto& [k, v] : o.gpu_models) gpu_models[k] += v;
    for (const auto& [k, v] : o.segments) segments[k] += v;
    for (const auto& [k, v] : o.asic_models) asic_models[k] += v;
    for (const auto& [k, v] : o.algorithms) {
      AlgorithmHashrate& a = algorithms[k];
      a.algorithm = k;
      a.hashrate += v.hashrate;
      a.power += v.power;
      a.gpus += v.gpus;
    }
  }

  static std::vector<ModelCount> Sorted(const std::map<std::string, int64_t>& m) {
    std::vector<ModelCount> out;
    for (const auto& [model, count] : m) out.push_back({model, count});
    std::stable_sort(out.begin(), out.end(),
                     [](const ModelCount& a, const ModelCount& b) { return a.count > b.count; });
    return out;
  }

  SiteSummary Finish() {
    s.gpus_by_model = Sorted(gpu_models);
    s.asics_by_model = Sorted(asic_models);
    s.gpus_by_segment.clear();
    for (const auto& [seg, n] : segments) s.gpus_by_segment.push_back({seg, n});
    s.gpu_hashrate.clear();
    for (const auto& [name, a] : algorithms) s.gpu_hashrate.push_back(a);
    return s;
  }
};

Accumulator SummarizeSite(const Site& site) {
  Accumulator acc;
  SiteSummary& s = acc.s;
  s.id = site.id;
  s.name = site.name;
  s.location = site.location;
  s.market = site.tariff.market;
  s.cooling = site.cooling;
  s.pue_milli = site.pue_milli;
  s.grid_cap = site.grid_cap;
  s.cooling_capacity = site.cooling_capacity;
  for (const Hall& hall : site.halls) {
    for (const RackGroup& rack : hall.racks) {
      s.racks += rack.count;
      for (const NodeGroup& node : rack.nodes) {
        const int64_t nodes = static_cast<int64_t>(rack.count) * node.count;
        s.nodes += nodes;
        s.host_power += node.host_power * nodes;
        for (const DeviceGroup& d : node.devices) {
          const int64_t n = nodes * d.count;
          if (d.kind == catalog::DeviceKind::kGpu && d.gpu != nullptr) {
            acc.AddGpus(*d.gpu, n);
          } else if (d.kind == catalog::DeviceKind::kAsic && d.asic != nullptr) {
            acc.AddAsics(d, n);
          }
        }
      }
    }
  }
  s.it_power = s.gpu_power + s.asic_power + s.host_power;
  s.facility_power = s.it_power.Scaled(site.pue_milli, 1000);
  s.headroom = s.grid_cap - s.facility_power;
  s.sites_over_grid_cap = s.headroom.IsNegative() ? 1 : 0;
  return acc;
}

}  // namespace

FleetSummary Summarize(const Fleet& fleet) {
  FleetSummary out;
  out.fleet_name = fleet.name;
  out.source_file = fleet.source_file;
  Accumulator total;
  for (const Site& site : fleet.sites) {
    Accumulator acc = SummarizeSite(site);
    total.Merge(acc);
    out.sites.push_back(acc.Finish());
  }
  out.total = total.Finish();
  return out;
}

}  // namespace rigshift::fleet
