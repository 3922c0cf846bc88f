// Text and JSON renderers for FleetSummary (the only place the fleet module touches nlohmann).
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "fleet/summary.h"

namespace rigshift::fleet {
namespace {

std::string Thousands(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// A hashrate given in kH/s, in the largest SI unit that keeps it >= 1.
std::string FormatHashrate(Hashrate h) {
  double hs = static_cast<double>(h.raw()) * 1e3;
  static const char* const kUnits[] = {"H/s", "kH/s", "MH/s", "GH/s", "TH/s", "PH/s", "EH/s"};
  int u = 0;
  while (u < 6 && hs >= 1000.0) {
    hs /= 1000.0;
    ++u;
  }
  return Fixed(hs, 2) + " " + kUnits[u];
}

// 374688.04 -> "374,688.0": a non-negative figure with thousands separators and one decimal.
std::string Tflops(double v) {
  const auto whole = static_cast<int64_t>(v);
  const int tenth = static_cast<int>((v - static_cast<double>(whole)) * 10 + 0.5);
  if (tenth >= 10) return Thousands(whole + 1) + ".0";
  return Thousands(whole) + "." + std::to_string(tenth);
}

std::string PueText(int64_t pue_milli) { return Fixed(static_cast<double>(pue_milli) / 1000, 2); }

void RenderSite(const SiteSummary& s, bool is_total, std::string* out) {
  auto line = [out](const std::string& label, const std::string& text) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "  %-15s ", label.c_str());
    *out += buf + text + "\n";
  };
  if (is_total) {
    *out += "Total\n";
  } else {
    *out += "Site " + s.id;
    if (!s.name.empty() && s.name != s.id) *out += " \"" + s.name + "\"";
    if (!s.location.empty()) *out += " (" + s.location + ")";
    *out += "\n";
    line("site", std::string("tariff ") + s.market + ", " + CoolingKindName(s.cooling) +
                     " cooling, PUE " + PueText(s.pue_milli));
  }
  line("devices", Thousands(s.gpus) + " GPUs, " + Thousands(s.asics) + " ASICs in " +
                      Thousands(s.nodes) + " nodes, " + Thousands(s.racks) + " racks");
  bool first = true;
  for (const ModelCount& m : s.gpus_by_model) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "%-28s %10s", m.model.c_str(), Thousands(m.count).c_str());
    line(first ? "GPUs by model" : "", buf);
    first = false;
  }
  if (!s.gpus_by_segment.empty()) {
    std::string segs;
    for (const SegmentCount& c : s.gpus_by_segment) {
      if (!segs.empty()) segs += ", ";
      segs += std::string(catalog::GpuSegmentName(c.segment)) + " " + Thousands(c.count);
    }
    line("GPUs by segment", segs);
  }
  first = true;
  for (const ModelCount& m : s.asics_by_model) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "%-28s %10s", m.model.c_str(), Thousands(m.count).c_str());
    line(first ? "ASICs by model" : "", buf);
    first = false;
  }
  line("IT power", FormatPower(s.it_power) + " nameplate (GPUs " + FormatPower(s.gpu_power) +
                       ", ASICs " + FormatPower(s.asic_power) + ", hosts " +
                       FormatPower(s.host_power) + ")");
  std::string facility = FormatPower(s.facility_power);
  if (!is_total) facility += " (IT x PUE " + PueText(s.pue_milli) + ")";
  facility += " against a grid cap of " + FormatPower(s.grid_cap) + ": ";
  if (is_total) {
    // Power cannot move between sites: the total's headroom is a sum, so name the sites over.
    facility += "headroom " + FormatPower(s.headroom) + " summed over sites";
    if (s.sites_over_grid_cap > 0) {
      facility += " (" + std::to_string(s.sites_over_grid_cap) +
                  (s.sites_over_grid_cap == 1 ? " site" : " sites") + " over its cap)";
    }
  } else if (s.headroom.IsNegative()) {
    facility += "OVER by " + FormatPower(-s.headroom);
  } else {
    facility += "headroom " + FormatPower(s.headroom);
  }
  line("facility power", facility);
  if (!is_total && !s.cooling_capacity.IsZero()) {
    line("cooling",
         FormatPower(s.cooling_capacity) + " capacity for " + FormatPower(s.it_power) + " of heat");
  }
  if (s.gpus > 0) {
    line("GPU memory", Thousands(static_cast<int64_t>(s.gpu_memory_gb + 0.5)) + " GB");
    std::string ai =
        Tflops(s.bf16_tflops) + " TFLOPS BF16 (" + Thousands(s.gpus_with_bf16) + " GPUs)";
    if (s.gpus_with_bf16 < s.gpus) {
      ai += " + " + Tflops(s.fp16_tflops_without_bf16) + " TFLOPS FP16 (" +
            Thousands(s.gpus - s.gpus_with_bf16) + " GPUs without BF16)";
    }
    line("AI throughput", ai);
  }
  if (s.asics > 0) line("SHA-256", FormatHashrate(s.sha256_hashrate));
  first = true;
  for (const AlgorithmHashrate& a : s.gpu_hashrate) {
    line(first ? "GPU mining" : "", a.algorithm + " " + FormatHashrate(a.hashrate) + " at " +
                                        FormatPower(a.power) + " (" + Thousands(a.gpus) + " GPUs)");
    first = false;
  }
}

nlohmann::ordered_json ModelCounts(const std::vector<ModelCount>& v) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const ModelCount& m : v) out.push_back({{"model", m.model}, {"count", m.count}});
  return out;
}

nlohmann::ordered_json SiteJson(const SiteSummary& s, bool is_total) {
  nlohmann::ordered_json j;
  if (!is_total) {
    j["id"] = s.id;
    j["name"] = s.name;
    j["location"] = s.location;
    j["market"] = s.market;
    j["cooling"] = CoolingKindName(s.cooling);
    j["pue"] = static_cast<double>(s.pue_milli) / 1000.0;
  }
  j["racks"] = s.racks;
  j["nodes"] = s.nodes;
  j["gpus"] = s.gpus;
  j["asics"] = s.asics;
  j["gpus_by_model"] = ModelCounts(s.gpus_by_model);
  nlohmann::ordered_json segs = nlohmann::ordered_json::object();
  for (const SegmentCount& c : s.gpus_by_segment)
    segs[catalog::GpuSegmentName(c.segment)] = c.count;
  j["gpus_by_segment"] = segs;
  j["asics_by_model"] = ModelCounts(s.asics_by_model);
  j["power_w"] = {
      {"gpus", ToWatts(s.gpu_power)},          {"asics", ToWatts(s.asic_power)},
      {"hosts", ToWatts(s.host_power)},        {"it", ToWatts(s.it_power)},
      {"facility", ToWatts(s.facility_power)}, {"grid_cap", ToWatts(s.grid_cap)},
      {"headroom", ToWatts(s.headroom)},       {"cooling_capacity", ToWatts(s.cooling_capacity)},
  };
  if (is_total) {
    j["sites_over_grid_cap"] = s.sites_over_grid_cap;
  } else {
    j["over_grid_cap"] = s.headroom.IsNegative();
  }
  j["gpu_memory_gb"] = s.gpu_memory_gb;
  j["bf16_tflops"] = s.bf16_tflops;
  j["gpus_with_bf16"] = s.gpus_with_bf16;
  j["fp16_tflops_without_bf16"] = s.fp16_tflops_without_bf16;
  j["sha256_ths"] = ToTerahash(s.sha256_hashrate);
  nlohmann::ordered_json algs = nlohmann::ordered_json::array();
  for (const AlgorithmHashrate& a : s.gpu_hashrate) {
    algs.push_back({{"algorithm", a.algorithm},
                    {"hashrate_hs", static_cast<double>(a.hashrate.raw()) * 1e3},
                    {"power_w", ToWatts(a.power)},
                    {"gpus", a.gpus}});
  }
  j["gpu_mining"] = algs;
  return j;
}

}  // namespace

std::string RenderSummaryText(const FleetSummary& summary) {
  std::string out = "Fleet " + summary.fleet_name;
  if (!summary.source_file.empty()) out += " (" + summary.source_file + ")";
  out += ": " + std::to_string(summary.sites.size()) +
         (summary.sites.size() == 1 ? " site" : " sites") + "\n\n";
  for (const SiteSummary& s : summary.sites) {
    RenderSite(s, false, &out);
    out += "\n";
  }
  if (summary.sites.size() > 1) RenderSite(summary.total, true, &out);
  return out;
}

std::string RenderSummaryJson(const FleetSummary& summary) {
  nlohmann::ordered_json j;
  j["fleet"] = summary.fleet_name;
  j["source_file"] = summary.source_file;
  nlohmann::ordered_json sites = nlohmann::ordered_json::array();
  for (const SiteSummary& s : summary.sites) sites.push_back(SiteJson(s, false));
  j["sites"] = sites;
  j["total"] = SiteJson(summary.total, true);
  // Replace invalid UTF-8 in user strings rather than throw.
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace rigshift::fleet
