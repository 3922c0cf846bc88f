#include "assess/cost_table.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdio>

#include "core/text.h"

namespace rigshift::assess {

// Keep in step with docs/cost-table.md (the sources are explained there).
CostTable CostTable::Defaults() {
  CostTable t;
  auto add = [&t](std::string key, double value, std::string unit, std::string what,
                  std::string source) {
    t.entries_.push_back(
        {std::move(key), value, std::move(unit), std::move(what), std::move(source)});
  };
  add("gpu_server_host", 12000, "USD",
      "8-GPU 4U server host: dual-socket board with 8 PCIe x16 double-width slots, 2 CPUs, "
      "redundant PSUs (re-uses the existing GPUs)",
      "Supermicro SYS-4029GP-TRT / SYS-420GP-TNR class barebones ~7-10 kUSD plus 2 x Xeon "
      "Silver ~1 kUSD each at 2024 reseller list prices");
  add("ram_per_gb", 3.0, "USD/GB", "server DDR4/DDR5 RDIMM memory",
      "64 GB RDIMMs at ~150-250 USD at 2024 reseller list prices");
  add("nvme_per_host", 400, "USD",
      "3.84 TB NVMe data-centre SSD per host (model weights, datasets)",
      "3.84 TB U.2/M.2 enterprise NVMe at ~300-500 USD, 2024 list prices");
  add("min_disk_gb_per_host", 2000, "GB", "local NVMe a host needs to cache model weights",
      "sizing rule");
  add("nic_per_host", 900, "USD", "100 GbE NIC per host (e.g. NVIDIA ConnectX-6 Dx)",
      "ConnectX-6 Dx 100 GbE adapters ~800-1,200 USD list");
  add("switch_port", 500, "USD", "100 GbE switch port incl. optics/DAC, per host",
      "32-port 100 GbE switch ~12 kUSD (~375 USD/port) plus ~100 USD optics/DAC");
  add("uplink_install", 50000, "USD", "one-off fibre uplink build to the site",
      "typical fibre lateral/construction quote order of magnitude; replace with your carrier's "
      "quote");
  add("uplink_gbps_per_gpu", 0.01, "Gbps",
      "site uplink per AI GPU (1 Gbps per 100 GPUs: token traffic is small; weights and datasets "
      "arrive in bursts)",
      "sizing rule");
  add("air_rack_kw", 20, "kW",
      "heat an air-cooled rack position rejects without a retrofit (compared with the AI racks' "
      "heat, not with the racks' electrical rating)",
      "common air-cooled limit of 15-25 kW per rack");
  add("uplink_per_gbps_month", 300, "USD/Gbps/month", "IP transit",
      "~0.3 USD/Mbps/month at 10 G commits");
  add("cooling_per_kw", 800, "USD/kW",
      "air-cooling retrofit for AI rack density (containment, rear-door heat exchangers)",
      "fraction of the 7-15 MUSD/MW data-centre build cost, of which cooling is ~25-35 % "
      "(cortexconstruct.com 2026, pulserevops.com 2026 cost-per-MW guides)");
  add("liquid_cooling_per_kw", 1500, "USD/kW",
      "direct-to-chip liquid loop (CDU, manifolds) to re-fit a hydro/immersion ASIC hall with GPU "
      "servers",
      "same cost-per-MW guides; DLC retrofits quoted at 1-2 kUSD/kW");
  add("redundancy_per_kw", 2500, "USD/kW", "N+1 UPS and generator for AI load at a tier-1 site",
      "electrical plant is ~40 % of the 7-15 MUSD/MW build cost (same guides)");
  add("refit_server_h100", 310000, "USD", "8x H100 SXM (HGX) server incl. InfiniBand NICs",
      "Thinkmate quotation 317 kUSD, Aug 2024, used at 310 kUSD in a public H100 cluster cost "
      "sheet");
  add("refit_server_h100_kw", 10.2, "kW", "max power of an 8x H100 server",
      "NVIDIA DGX H100 datasheet: 10.2 kW max");
  add("refit_server_l40s", 90000, "USD", "8x L40S (PCIe, 48 GB) server for inference re-fits",
      "L40S cards at ~7.5-9 kUSD list (2024 resellers) x 8 plus a ~20 kUSD dual-socket 4U host");
  add("refit_server_l40s_kw", 4.8, "kW", "max power of an 8x L40S server",
      "8 x 350 W (NVIDIA L40S datasheet) plus ~2 kW for CPUs, fans and PSU losses");
  add("maintenance_per_year", 0.05, "fraction/year",
      "hardware maintenance and spares, of AI capex per year",
      "typical 3-5 year support contracts at 5-10 %/year of list price");
  add("ai_opex_per_gpu_month", 15, "USD/GPU/month",
      "monitoring, orchestration software, remote hands per rented GPU",
      "operator estimate; override");
  add("refit_fitout_per_kw", 2100, "USD/kW",
      "building and electrical works to turn an ASIC hall into a GPU data hall, per kW of AI IT "
      "load, cooling excluded (costed apart on heat)",
      "Riot Platforms' Rockdale retrofit of existing mining buildings, 89.8 M USD for 25 MW = "
      "3.6 M USD/MW all-in (2026-01-16, mining_costs.csv), less the 1.5 M USD/MW liquid loop "
      "(liquid_cooling_per_kw) counted apart; computed. New AI builds run 6-11 M USD/MW");
  add("build_months_refit", 4, "months",
      "months from the decision to AI revenue when a hall is re-fitted with GPU servers",
      "Riot/AMD Rockdale retrofit delivered 0-4 months after signing (2026-01-16); new builds "
      "4-18 months (mining_costs.csv build_time rows)");
  add("build_months_rehost", 1, "months",
      "months from the decision to AI revenue when the GPUs move into server hosts or their hosts "
      "are upgraded (buy, rack, cable, burn-in)",
      "assumption; override");
  add("owned_gpu_maintenance_per_gpu_month", 4, "USD/GPU/month",
      "maintenance of a GPU the site already owns once it serves customers (fans, thermal pads, "
      "failed cards replaced)",
      "assumption: ~5 %/year of a used card's 750-1,000 USD resale value (RTX 3090, "
      "gpu_resale_prices.csv, 2026); override");
  add("pool_fee", 0.025, "fraction",
      "mining pool fee, of the mining payout (FPPS)",
      "AntPool FPPS 2.5 % (F2Pool, ViaBTC, Binance 4 %; Braiins, OCEAN 2 %; Luxor ~0.7 %), "
      "spark.money mining pool comparison, early 2026 (../shared/data/markets/reference/"
      "mining_costs.csv)");
  add("asic_resale", 0, "fraction", "resale value of a removed ASIC, of nothing (conservative)",
      "assumption");
  return t;
}

const CostEntry* CostTable::Find(std::string_view key) const {
  for (const auto& e : entries_) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

CostEntry* CostTable::FindMutable(std::string_view key) {
  for (auto& e : entries_) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

double CostTable::Value(std::string_view key) const {
  const CostEntry* e = Find(key);
  RS_CHECK(e != nullptr);
  return e->value;
}

namespace {

// The largest value an override may take, by unit: far above any real price or size, and low
// enough that a 10,000,000-device fleet's costs stay inside Money's int64 micro-dollars (about
// 9.2e12 USD) instead of aborting on overflow.
double MaxValueForUnit(const std::string& unit) {
  if (unit == "fraction") return 1;
  if (unit == "fraction/year") return 10;
  if (unit == "USD/GB") return 1'000;
  if (unit == "GB") return 100'000;
  if (unit == "kW") return 1'000;
  if (unit == "Gbps") return 100;
  if (unit == "USD/kW") return 100'000;
  return 10'000'000;  // USD per item, per month or per Gbps-month
}

std::string FormatLimit(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

Status SetValue(CostTable* table, CostEntry* e, double v, const std::string& where) {
  (void)table;
  const double max = MaxValueForUnit(e->unit);
  if (!std::isfinite(v) || v < 0 || v > max) {
    return Status::OutOfRange(where + ": " + e->key + ": " + FormatLimit(v) + " " + e->unit +
                              " is out of range (expected 0 .. " + FormatLimit(max) + " " +
                              e->unit + ")");
  }
  e->value = v;
  return Status::Ok();
}

}  // namespace

Status CostTable::ApplyOverrides(std::string_view text, const std::string& source,
                                 std::string_view format) {
  std::vector<std::string> keys;
  for (const auto& e : entries_) keys.push_back(e.key);
  auto unknown = [&](const std::string& where, const std::string& key) {
    std::string msg = where + ": unknown cost key '" + key + "'";
    auto close = ClosestNames(key, keys, 2);
    if (!close.empty()) msg += "; did you mean '" + close.front() + "'?";
    return Status::InvalidArgument(msg + " (see docs/cost-table.md)");
  };
  if (format == "csv") {
    ASSIGN_OR_RETURN(auto rows, ParseCsv(text, source));
    if (rows.empty()) return Status::InvalidArgument(source + ": empty cost file");
    size_t first = 0;
    if (!rows[0].fields.empty() && ToLower(Trim(rows[0].fields[0])) == "key") first = 1;
    for (size_t i = first; i < rows.size(); ++i) {
      const CsvRow& row = rows[i];
      std::string where = Location(source, row.line);
      if (row.fields.size() == 1 && Trim(row.fields[0]).empty()) continue;
      if (row.fields.size() < 2 || row.fields.size() > 3) {
        return Status::InvalidArgument(where + ": " + std::to_string(row.fields.size()) +
                                       " fields (expected key,value[,source])");
      }
      std::string key(Trim(row.fields[0]));
      CostEntry* e = FindMutable(key);
      if (e == nullptr) return unknown(where, key);
      auto v = ParseDouble(row.fields[1]);
      if (!v.ok()) return Status::InvalidArgument(where + ": " + key + ": " + v.status().message());
      RETURN_IF_ERROR(SetValue(this, e, *v, where));
      e->source = row.fields.size() == 3 && !Trim(row.fields[2]).empty()
                      ? std::string(Trim(row.fields[2]))
                      : "override: " + where;
    }
    return Status::Ok();
  }
  try {
    YAML::Node root = YAML::Load(std::string(text));
    if (root.IsNull()) return Status::Ok();
    if (!root.IsMap()) {
      return Status::InvalidArgument(
          Location(source, root.Mark().line + 1, root.Mark().column + 1) +
          ": expected a map of cost keys to numbers");
    }
    for (auto it = root.begin(); it != root.end(); ++it) {
      std::string where = Location(source, it->first.Mark().line + 1, it->first.Mark().column + 1);
      if (!it->first.IsScalar()) return Status::InvalidArgument(where + ": expected a cost key");
      std::string key = it->first.Scalar();
      CostEntry* e = FindMutable(key);
      if (e == nullptr) return unknown(where, key);
      YAML::Node value = it->second;
      std::string src;
      if (value.IsMap()) {
        if (value["source"] && value["source"].IsScalar()) src = value["source"].Scalar();
        value = value["value"];
        if (!value) return Status::InvalidArgument(where + ": " + key + ": missing 'value'");
      }
      if (!value.IsScalar()) {
        return Status::InvalidArgument(where + ": " + key + ": expected a number");
      }
      auto v = ParseDouble(value.Scalar());
      if (!v.ok()) {
        std::string vwhere = Location(source, value.Mark().line + 1, value.Mark().column + 1);
        return Status::InvalidArgument(vwhere + ": " + key + ": " + v.status().message() +
                                       " (expected a number)");
      }
      RETURN_IF_ERROR(SetValue(this, e, *v, where));
      e->source = src.empty() ? "override: " + where : src;
    }
  } catch (const YAML::Exception& ex) {
    return Status::InvalidArgument(Location(source, ex.mark.line + 1, ex.mark.column + 1) + ": " +
                                   ex.msg);
  }
  return Status::Ok();
}

Status CostTable::ApplyOverridesFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  std::string lower = ToLower(path);
  bool csv = lower.size() >= 4 && lower.compare(lower.size() - 4, 4, ".csv") == 0;
  return ApplyOverrides(text, path, csv ? "csv" : "yaml");
}

}  // namespace rigshift::assess
