#include "catalog/catalog_view.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/text.h"

namespace rigshift::catalog {

namespace {

// Whether the normalised query equals (2), is contained in (1) or misses (0) a model's names.
template <typename Model>
int MatchRank(const Model& m, const std::string& query) {
  if (query.empty()) return 1;
  int rank = 0;
  auto consider = [&](const std::string& name) {
    std::string n = NormaliseModelName(name);
    if (n == query) {
      rank = 2;
    } else if (rank < 1 && n.find(query) != std::string::npos) {
      rank = 1;
    }
  };
  consider(m.name);
  for (const std::string& a : m.aliases) consider(a);
  return rank;
}

template <typename Model>
std::vector<const Model*> Select(const std::vector<Model>& models, const std::string& query) {
  std::vector<std::pair<int, const Model*>> ranked;
  for (const Model& m : models) {
    int r = MatchRank(m, query);
    if (r > 0) ranked.emplace_back(r, &m);
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<const Model*> out;
  for (const auto& [r, m] : ranked) out.push_back(m);
  return out;
}

std::string Printf(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

// Three significant figures or so, never scientific: 0.068, 6.45, 35.6, 989, 2615.
std::string Num(double v) {
  if (v == 0) return "0";
  double a = std::fabs(v);
  if (a >= 100 || (a < 1e6 && v == std::round(v))) return Printf("%.0f", v);
  if (a >= 10) return Printf("%.1f", v);
  if (a >= 1) return Printf("%.2f", v);
  return Printf("%.3f", v);
}

// Exact figure for detail cards: up to 4 decimals, trailing zeros dropped.
std::string Exact(double v) {
  std::string s = Printf("%.4f", v);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

std::string Join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i) s += (i ? sep : "") + parts[i];
  return s;
}

// A plain text table: left-aligned text columns, right-aligned number columns.
class TextTable {
 public:
  TextTable(std::vector<std::string> header, std::vector<bool> right_aligned)
      : right_(std::move(right_aligned)) {
    rows_.push_back(std::move(header));
  }
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string Render() const {
    std::vector<size_t> width(rows_.front().size(), 0);
    for (const auto& r : rows_) {
      for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
    }
    std::string out;
    for (const auto& r : rows_) {
      std::string line;
      for (size_t i = 0; i < r.size(); ++i) {
        std::string pad(width[i] - r[i].size(), ' ');
        bool last = i + 1 == r.size();
        line += right_[i] ? pad + r[i] : (last ? r[i] : r[i] + pad);
        if (!last) line += "  ";
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
    return out;
  }

 private:
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

std::string OptionalNum(const std::optional<double>& v) { return v ? Num(*v) : "-"; }

std::string ProfileText(const MiningProfile& p) {
  return p.algorithm + " " + FormatGpuHashrate(p.hashrate) + " @ " + Num(ToWatts(p.power)) + " W";
}

std::string GpuTable(const std::vector<const GpuModel*>& gpus) {
  TextTable t({"GPU", "VENDOR", "SEGMENT", "MEM GB", "BW GB/s", "FP32", "FP16", "BF16", "INT8",
               "TDP W", "PCIE", "MINING (Ethash, else first profile)"},
              {false, false, false, true, true, true, true, true, true, true, false, false});
  for (const GpuModel* g : gpus) {
    std::string mining = "-";
    if (const MiningProfile* p = HeadlineMiningProfile(*g)) {
      mining = ProfileText(*p);
      size_t others = 0;
      for (const MiningProfile& q : g->mining) others += q.algorithm != p->algorithm;
      if (others > 0) mining += " (+" + std::to_string(others) + " more)";
    }
    t.Add({g->name, g->vendor, GpuSegmentName(g->segment), Exact(g->memory_gb),
           Num(g->memory_bandwidth_gbs), Num(g->fp32_tflops), Num(g->fp16_tflops),
           OptionalNum(g->bf16_tflops), OptionalNum(g->int8_tops), Num(ToWatts(g->tdp)),
           "gen" + std::to_string(g->pcie_gen) + " x" + std::to_string(g->pcie_lanes), mining});
  }
  return t.Render();
}

std::string AsicTable(const std::vector<const AsicModel*>& asics) {
  TextTable t({"ASIC", "MAKER", "YEAR", "TH/s", "W", "J/TH", "COOLING", "OTHER MODES"},
              {false, false, true, true, true, true, false, false});
  for (const AsicModel* a : asics) {
    std::vector<std::string> modes;
    for (const AsicPowerMode& m : a->modes) {
      if (m.name != "normal") modes.push_back(m.name);
    }
    t.Add({a->name, a->manufacturer, std::to_string(a->release_year),
           Exact(ToTerahash(a->hashrate)), Exact(ToWatts(a->power)),
           Printf("%.1f", a->EfficiencyJPerTh()), a->cooling,
           modes.empty() ? "-" : Join(modes, ", ")});
  }
  return t.Render();
}

std::string GpuCard(const GpuModel& g) {
  std::string s = g.name + " (GPU, " + g.vendor + ", " + GpuSegmentName(g.segment) + ", " +
                  std::to_string(g.launch_year) + ")\n";
  if (!g.aliases.empty()) s += "  aliases:    " + Join(g.aliases, ", ") + "\n";
  s += "  memory:     " + Exact(g.memory_gb) + " GB " + g.memory_type + ", " +
       Exact(g.memory_bandwidth_gbs) + " GB/s\n";
  s += "  compute:    FP32 " + Exact(g.fp32_tflops) + " TFLOPS, FP16 " + Exact(g.fp16_tflops) +
       " TFLOPS, BF16 " + (g.bf16_tflops ? Exact(*g.bf16_tflops) + " TFLOPS" : "n/a") + ", INT8 " +
       (g.int8_tops ? Exact(*g.int8_tops) + " TOPS" : "n/a") + " (dense)\n";
  s += "  power:      TDP " + Exact(ToWatts(g.tdp)) + " W\n";
  s += "  host link:  PCIe gen" + std::to_string(g.pcie_gen) + " x" + std::to_string(g.pcie_lanes) +
       (g.nvlink_gbs > 0 ? ", NVLink/IF " + Exact(g.nvlink_gbs) + " GB/s" : ", no NVLink") + "\n";
  s += "  source:     " + g.source + "\n";
  if (g.mining.empty()) {
    s += "  mining:     no profile in the catalogue\n";
  } else {
    s += "  mining:\n";
    for (const MiningProfile& p : g.mining) {
      s += "    " + ProfileText(p) + "\n      source: " + p.source + "\n";
    }
  }
  return s;
}

std::string AsicCard(const AsicModel& a) {
  std::string s = a.name + " (" + a.algorithm + " ASIC, " + a.manufacturer + ", " +
                  std::to_string(a.release_year) + ", " + a.cooling + "-cooled)\n";
  if (!a.aliases.empty()) s += "  aliases:    " + Join(a.aliases, ", ") + "\n";
  s += "  nominal:    " + Exact(ToTerahash(a.hashrate)) + " TH/s at " + Exact(ToWatts(a.power)) +
       " W, " + Printf("%.2f", a.EfficiencyJPerTh()) + " J/TH\n";
  s += "  source:     " + a.source + "\n";
  s += "  modes (ascending power):\n";
  for (const AsicPowerMode& m : a.modes) {
    double ths = ToTerahash(m.hashrate);
    s += "    " + m.name + ": " + Exact(ths) + " TH/s at " + Exact(ToWatts(m.power)) + " W, " +
         Printf("%.2f", ths > 0 ? ToWatts(m.power) / ths : 0.0) + " J/TH\n";
    if (m.name != "normal") s += "      source: " + m.source + "\n";
  }
  return s;
}

}  // namespace

std::optional<DeviceKind> ParseDeviceKind(std::string_view text) {
  std::string t = ToLower(Trim(text));
  if (t == "gpu") return DeviceKind::kGpu;
  if (t == "asic") return DeviceKind::kAsic;
  return std::nullopt;
}

CatalogSelection SelectModels(const Catalog& catalog, std::string_view query,
                              std::optional<DeviceKind> kind) {
  CatalogSelection s;
  std::string q = NormaliseModelName(Trim(query));
  if (!kind || *kind == DeviceKind::kGpu) s.gpus = Select(catalog.gpus(), q);
  if (!kind || *kind == DeviceKind::kAsic) s.asics = Select(catalog.asics(), q);
  return s;
}

const MiningProfile* HeadlineMiningProfile(const GpuModel& gpu) {
  if (const MiningProfile* p = gpu.MiningFor("Ethash")) return p;
  return gpu.mining.empty() ? nullptr : &gpu.mining.front();
}

std::string FormatGpuHashrate(Hashrate h) {
  double khs = static_cast<double>(h.raw());
  if (khs >= 1e9) return Num(khs / 1e9) + " TH/s";
  if (khs >= 1e6) return Num(khs / 1e6) + " GH/s";
  if (khs >= 1e3) return Num(khs / 1e3) + " MH/s";
  return Num(khs) + " kH/s";
}

std::string RenderSelectionText(const CatalogSelection& selection) {
  if (selection.size() == 1) {
    return selection.gpus.empty() ? AsicCard(*selection.asics.front())
                                  : GpuCard(*selection.gpus.front());
  }
  std::string out;
  if (!selection.gpus.empty()) {
    out += GpuTable(selection.gpus);
    out += "(" + std::to_string(selection.gpus.size()) +
           " GPUs; TFLOPS/TOPS dense, FP16/BF16 on tensor cores where the part has them)\n";
  }
  if (!selection.asics.empty()) {
    if (!out.empty()) out += "\n";
    out += AsicTable(selection.asics);
    out += "(" + std::to_string(selection.asics.size()) + " SHA-256 ASICs; nominal mode)\n";
  }
  return out;
}

std::string RenderSelectionJson(const CatalogSelection& selection) {
  using Json = nlohmann::ordered_json;
  Json gpus = Json::array();
  for (const GpuModel* g : selection.gpus) {
    Json mining = Json::array();
    for (const MiningProfile& p : g->mining) {
      mining.push_back({{"algorithm", p.algorithm},
                        {"hashrate_khs", p.hashrate.raw()},
                        {"hashrate", FormatGpuHashrate(p.hashrate)},
                        {"power_w", ToWatts(p.power)},
                        {"source", p.source}});
    }
    gpus.push_back({{"kind", "gpu"},
                    {"name", g->name},
                    {"aliases", g->aliases},
                    {"vendor", g->vendor},
                    {"segment", GpuSegmentName(g->segment)},
                    {"launch_year", g->launch_year},
                    {"memory_gb", g->memory_gb},
                    {"memory_type", g->memory_type},
                    {"memory_bandwidth_gbs", g->memory_bandwidth_gbs},
                    {"fp32_tflops", g->fp32_tflops},
                    {"fp16_tflops", g->fp16_tflops},
                    {"bf16_tflops", g->bf16_tflops ? Json(*g->bf16_tflops) : Json(nullptr)},
                    {"int8_tops", g->int8_tops ? Json(*g->int8_tops) : Json(nullptr)},
                    {"tdp_w", ToWatts(g->tdp)},
                    {"pcie_gen", g->pcie_gen},
                    {"pcie_lanes", g->pcie_lanes},
                    {"nvlink_gbs", g->nvlink_gbs},
                    {"mining", mining},
                    {"source", g->source}});
  }
  Json asics = Json::array();
  for (const AsicModel* a : selection.asics) {
    Json modes = Json::array();
    for (const AsicPowerMode& m : a->modes) {
      double ths = ToTerahash(m.hashrate);
      modes.push_back({{"name", m.name},
                       {"hashrate_ths", ths},
                       {"power_w", ToWatts(m.power)},
                       {"efficiency_j_per_th", ths > 0 ? ToWatts(m.power) / ths : 0.0},
                       {"source", m.source}});
    }
    asics.push_back({{"kind", "asic"},
                     {"name", a->name},
                     {"aliases", a->aliases},
                     {"manufacturer", a->manufacturer},
                     {"algorithm", a->algorithm},
                     {"release_year", a->release_year},
                     {"hashrate_ths", ToTerahash(a->hashrate)},
                     {"power_w", ToWatts(a->power)},
                     {"efficiency_j_per_th", a->EfficiencyJPerTh()},
                     {"cooling", a->cooling},
                     {"modes", modes},
                     {"source", a->source}});
  }
  Json out = {{"gpus", gpus}, {"asics", asics}};
  return out.dump(2) + "\n";
}

}  // namespace rigshift::catalog
