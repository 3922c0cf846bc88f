// Catalogue loading and lookup. See catalog.h and data/catalog/README.md for the file formats.
#include "catalog/catalog.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "catalog/embedded_data.h"
#include "core/text.h"

namespace rigshift::catalog {

const char* DeviceKindName(DeviceKind k) {
  switch (k) {
    case DeviceKind::kGpu:
      return "gpu";
    case DeviceKind::kAsic:
      return "asic";
  }
  return "?";
}

const char* GpuSegmentName(GpuSegment s) {
  switch (s) {
    case GpuSegment::kConsumer:
      return "consumer";
    case GpuSegment::kMining:
      return "mining";
    case GpuSegment::kWorkstation:
      return "workstation";
    case GpuSegment::kDatacenter:
      return "datacenter";
  }
  return "?";
}

std::string NormaliseModelName(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    if (c == ' ' || c == '-' || c == '_' || c == '\t') continue;
    out.push_back(static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c));
  }
  return out;
}

namespace {

// Algorithm names compare like model names ("KAWPOW" == "KawPow", "Autolykos v2" != "Autolykos2"
// on purpose: the data use one spelling per algorithm, checked by the loader).
bool SameAlgorithm(std::string_view a, std::string_view b) {
  return NormaliseModelName(a) == NormaliseModelName(b);
}

// One CSV table with named columns: the header row maps column names to indexes, and every
// accessor reports errors as "FILE:LINE: field 'NAME' (column N): what is wrong".
class Table {
 public:
  static Result<Table> Parse(std::string_view text, const std::string& source,
                             const std::vector<std::string>& required_columns) {
    ASSIGN_OR_RETURN(std::vector<CsvRow> rows, ParseCsv(text, source));
    if (rows.empty()) {
      return Status::InvalidArgument(source + ": empty file (expected a header row with columns " +
                                     JoinNames(required_columns) + ")");
    }
    Table t;
    t.source_ = source;
    t.header_line_ = rows.front().line;
    for (size_t i = 0; i < rows.front().fields.size(); ++i) {
      std::string col(Trim(rows.front().fields[i]));
      if (t.columns_.count(col)) {
        return Status::InvalidArgument(Location(source, t.header_line_, 0) + ": column '" + col +
                                       "' appears twice in the header");
      }
      t.columns_[col] = i;
    }
    for (const std::string& col : required_columns) {
      if (!t.columns_.count(col)) {
        return Status::InvalidArgument(Location(source, t.header_line_, 0) + ": missing column '" +
                                       col + "' (expected columns " + JoinNames(required_columns) +
                                       ")");
      }
    }
    t.rows_.assign(rows.begin() + 1, rows.end());
    for (const CsvRow& row : t.rows_) {
      if (row.fields.size() != rows.front().fields.size()) {
        return Status::InvalidArgument(
            Location(source, row.line, 0) + ": row has " + std::to_string(row.fields.size()) +
            " fields but the header has " + std::to_string(rows.front().fields.size()) +
            " (quote fields that contain commas)");
      }
    }
    return t;
  }

  const std::vector<CsvRow>& rows() const { return rows_; }
  const std::string& source() const { return source_; }

  std::string Where(const CsvRow& row, const std::string& col) const {
    return Location(source_, row.line, 0) + ": field '" + col + "' (column " +
           std::to_string(columns_.at(col) + 1) + ")";
  }
  Status Error(const CsvRow& row, const std::string& col, const std::string& what) const {
    return Status::InvalidArgument(Where(row, col) + ": " + what);
  }

  std::string Text(const CsvRow& row, const std::string& col) const {
    return std::string(Trim(row.fields[columns_.at(col)]));
  }
  Result<std::string> RequiredText(const CsvRow& row, const std::string& col) const {
    std::string v = Text(row, col);
    if (v.empty()) return Error(row, col, "empty (expected a value)");
    return v;
  }
  // A finite number >= min (or > 0 when `positive`).
  Result<double> Number(const CsvRow& row, const std::string& col, bool positive) const {
    std::string v = Text(row, col);
    if (v.empty()) return Error(row, col, "empty (expected a number)");
    Result<double> d = ParseDouble(v);
    if (!d.ok()) return Error(row, col, d.status().message() + " (expected a number)");
    if (*d < 0) return Error(row, col, "negative value " + v + " (expected >= 0)");
    if (positive && *d == 0) return Error(row, col, "zero (expected a positive number)");
    // Below this the fixed-point units (mW, kH/s) would round a positive figure to zero.
    if (positive && *d < 0.001)
      return Error(row, col, "value " + v + " is too small (expected >= 0.001)");
    if (*d > 1e9) return Error(row, col, "value " + v + " is implausibly large");
    return *d;
  }
  Result<std::optional<double>> OptionalNumber(const CsvRow& row, const std::string& col) const {
    if (Text(row, col).empty()) return std::optional<double>();
    ASSIGN_OR_RETURN(double d, Number(row, col, /*positive=*/true));
    return std::optional<double>(d);
  }
  Result<int> Integer(const CsvRow& row, const std::string& col, int lo, int hi) const {
    std::string v = Text(row, col);
    if (v.empty()) return Error(row, col, "empty (expected an integer)");
    Result<int64_t> i = ParseInt64(v);
    if (!i.ok()) return Error(row, col, i.status().message() + " (expected an integer)");
    if (*i < lo || *i > hi) {
      return Error(
          row, col,
          v + " is out of range (expected " + std::to_string(lo) + ".." + std::to_string(hi) + ")");
    }
    return static_cast<int>(*i);
  }

 private:
  static std::string JoinNames(const std::vector<std::string>& names) {
    std::string s;
    for (const std::string& n : names) s += (s.empty() ? "" : ", ") + n;
    return s;
  }

  std::string source_;
  int header_line_ = 1;
  std::map<std::string, size_t> columns_;
  std::vector<CsvRow> rows_;
};

std::vector<std::string> SplitAliases(const std::string& text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  for (const std::string& a : Split(text, ';')) {
    std::string t(Trim(a));
    if (!t.empty()) out.push_back(t);
  }
  return out;
}

// Registers a model's name and aliases in an index, rejecting a key that another model owns.
Status IndexNames(const std::string& name, const std::vector<std::string>& aliases, size_t index,
                  const std::vector<std::string>& owner_names,
                  std::unordered_map<std::string, size_t>& map, const Table& table,
                  const CsvRow& row) {
  auto add = [&](const std::string& key_text, const std::string& col) -> Status {
    std::string key = NormaliseModelName(key_text);
    if (key.empty()) return table.Error(row, col, "'" + key_text + "' is not a usable name");
    auto [it, inserted] = map.emplace(key, index);
    if (!inserted && it->second != index) {
      return table.Error(
          row, col,
          "duplicate name '" + key_text + "': already used by '" + owner_names[it->second] + "'");
    }
    return Status::Ok();
  };
  RETURN_IF_ERROR(add(name, "name"));
  for (const std::string& a : aliases) RETURN_IF_ERROR(add(a, "aliases"));
  return Status::Ok();
}

Result<GpuSegment> ParseSegment(const std::string& s) {
  std::string l = ToLower(s);
  if (l == "consumer") return GpuSegment::kConsumer;
  if (l == "mining") return GpuSegment::kMining;
  if (l == "workstation") return GpuSegment::kWorkstation;
  if (l == "datacenter") return GpuSegment::kDatacenter;
  return Status::InvalidArgument("unknown segment '" + s +
                                 "' (expected consumer, mining, workstation or datacenter)");
}

// Hashrate units accepted in gpu_mining.csv and their size in kH/s.
Result<double> HashUnitInKhs(const std::string& unit) {
  if (unit == "H/s") return 1e-3;
  if (unit == "kH/s") return 1.0;
  if (unit == "MH/s") return 1e3;
  if (unit == "GH/s") return 1e6;
  if (unit == "TH/s") return 1e9;
  return Status::InvalidArgument("unknown hashrate unit '" + unit +
                                 "' (expected H/s, kH/s, MH/s, GH/s or TH/s)");
}

const std::vector<std::string> kGpuColumns = {
    "name",        "aliases",     "vendor",      "segment",
    "launch_year", "memory_gb",   "memory_type", "memory_bandwidth_gbs",
    "fp32_tflops", "fp16_tflops", "bf16_tflops", "int8_tops",
    "tdp_w",       "pcie_gen",    "pcie_lanes",  "nvlink_gbs",
    "source"};
const std::vector<std::string> kMiningColumns = {"gpu",  "algorithm", "hashrate",
                                                 "unit", "power_w",   "source"};
const std::vector<std::string> kAsicColumns = {"name",         "aliases",      "manufacturer",
                                               "release_year", "hashrate_ths", "power_w",
                                               "cooling",      "source"};
const std::vector<std::string> kAsicModeColumns = {"asic", "mode", "hashrate_ths", "power_w",
                                                   "source"};

Result<GpuModel> ParseGpuRow(const Table& t, const CsvRow& row) {
  GpuModel g;
  ASSIGN_OR_RETURN(g.name, t.RequiredText(row, "name"));
  g.aliases = SplitAliases(t.Text(row, "aliases"));
  ASSIGN_OR_RETURN(g.vendor, t.RequiredText(row, "vendor"));
  ASSIGN_OR_RETURN(std::string segment, t.RequiredText(row, "segment"));
  Result<GpuSegment> seg = ParseSegment(segment);
  if (!seg.ok()) return t.Error(row, "segment", seg.status().message());
  g.segment = *seg;
  ASSIGN_OR_RETURN(g.launch_year, t.Integer(row, "launch_year", 1990, 2100));
  ASSIGN_OR_RETURN(g.memory_gb, t.Number(row, "memory_gb", true));
  ASSIGN_OR_RETURN(g.memory_type, t.RequiredText(row, "memory_type"));
  ASSIGN_OR_RETURN(g.memory_bandwidth_gbs, t.Number(row, "memory_bandwidth_gbs", true));
  ASSIGN_OR_RETURN(g.fp32_tflops, t.Number(row, "fp32_tflops", true));
  // An empty fp16_tflops means the part has no faster FP16 path (Kepler, Polaris): FP16 work
  // runs at the FP32 rate, which is what the field then holds.
  if (t.Text(row, "fp16_tflops").empty()) {
    g.fp16_tflops = g.fp32_tflops;
  } else {
    ASSIGN_OR_RETURN(g.fp16_tflops, t.Number(row, "fp16_tflops", true));
  }
  ASSIGN_OR_RETURN(g.bf16_tflops, t.OptionalNumber(row, "bf16_tflops"));
  ASSIGN_OR_RETURN(g.int8_tops, t.OptionalNumber(row, "int8_tops"));
  ASSIGN_OR_RETURN(double tdp, t.Number(row, "tdp_w", true));
  if (tdp > 5000) return t.Error(row, "tdp_w", "implausible TDP (expected <= 5000 W per GPU)");
  g.tdp = Watts(tdp);
  ASSIGN_OR_RETURN(g.pcie_gen, t.Integer(row, "pcie_gen", 1, 6));
  ASSIGN_OR_RETURN(g.pcie_lanes, t.Integer(row, "pcie_lanes", 1, 16));
  ASSIGN_OR_RETURN(g.nvlink_gbs, t.Number(row, "nvlink_gbs", false));
  ASSIGN_OR_RETURN(g.source, t.RequiredText(row, "source"));
  return g;
}

Result<AsicModel> ParseAsicRow(const Table& t, const CsvRow& row) {
  AsicModel a;
  ASSIGN_OR_RETURN(a.name, t.RequiredText(row, "name"));
  a.aliases = SplitAliases(t.Text(row, "aliases"));
  ASSIGN_OR_RETURN(a.manufacturer, t.RequiredText(row, "manufacturer"));
  ASSIGN_OR_RETURN(a.release_year, t.Integer(row, "release_year", 2009, 2100));
  ASSIGN_OR_RETURN(double ths, t.Number(row, "hashrate_ths", true));
  ASSIGN_OR_RETURN(double w, t.Number(row, "power_w", true));
  if (w > 100000) return t.Error(row, "power_w", "implausible power (expected <= 100000 W)");
  a.hashrate = TerahashPerSecond(ths);
  a.power = Watts(w);
  ASSIGN_OR_RETURN(a.cooling, t.RequiredText(row, "cooling"));
  if (a.cooling != "air" && a.cooling != "hydro" && a.cooling != "immersion") {
    return t.Error(row, "cooling",
                   "unknown cooling '" + a.cooling + "' (expected air, hydro or immersion)");
  }
  ASSIGN_OR_RETURN(a.source, t.RequiredText(row, "source"));
  a.modes.push_back(AsicPowerMode{"normal", a.hashrate, a.power, a.source});
  return a;
}

std::string Suggest(std::string_view name, const std::vector<std::string>& candidates) {
  std::vector<std::string> close = ClosestNames(name, candidates, 3);
  if (close.empty()) return "";
  std::string s = "; did you mean ";
  for (size_t i = 0; i < close.size(); ++i) {
    if (i > 0) s += i + 1 == close.size() ? " or " : ", ";
    s += "'" + close[i] + "'";
  }
  return s + "?";
}

// Lookup with a fallback that drops a leading vendor or brand word ("NVIDIA GeForce RTX 3090").
template <typename Model>
const Model* Find(const std::vector<Model>& models,
                  const std::unordered_map<std::string, size_t>& index, std::string_view name) {
  std::string key = NormaliseModelName(name);
  for (int pass = 0; pass < 3; ++pass) {
    auto it = index.find(key);
    if (it != index.end()) return &models[it->second];
    bool stripped = false;
    for (std::string_view prefix :
         {"nvidia", "amd", "geforce", "radeon", "bitmain", "microbt", "tesla", "instinct"}) {
      if (key.size() > prefix.size() && key.compare(0, prefix.size(), prefix) == 0) {
        key.erase(0, prefix.size());
        stripped = true;
        break;
      }
    }
    if (!stripped) break;
  }
  return nullptr;
}

}  // namespace

const MiningProfile* GpuModel::MiningFor(std::string_view algorithm) const {
  const MiningProfile* best = nullptr;
  for (const MiningProfile& p : mining) {
    if (!SameAlgorithm(p.algorithm, algorithm)) continue;
    // Highest hashrate; among equal hashrates the lower power.
    if (best == nullptr || p.hashrate > best->hashrate ||
        (p.hashrate == best->hashrate && p.power < best->power)) {
      best = &p;
    }
  }
  return best;
}

double AsicModel::EfficiencyJPerTh() const {
  double ths = ToTerahash(hashrate);
  return ths > 0 ? ToWatts(power) / ths : 0.0;
}

const AsicPowerMode* AsicModel::Mode(std::string_view mode_name) const {
  std::string want = ToLower(mode_name);
  for (const AsicPowerMode& m : modes) {
    if (ToLower(m.name) == want) return &m;
  }
  return nullptr;
}

Result<Catalog> Catalog::FromCsv(const CsvInputs& in) {
  Catalog c;
  // GPUs.
  ASSIGN_OR_RETURN(Table gpus, Table::Parse(in.gpus, in.gpus_source, kGpuColumns));
  std::vector<std::string> gpu_names;
  for (const CsvRow& row : gpus.rows()) {
    ASSIGN_OR_RETURN(GpuModel g, ParseGpuRow(gpus, row));
    RETURN_IF_ERROR(
        IndexNames(g.name, g.aliases, c.gpus_.size(), gpu_names, c.gpu_index_, gpus, row));
    gpu_names.push_back(g.name);
    c.gpus_.push_back(std::move(g));
  }
  // GPU mining profiles.
  ASSIGN_OR_RETURN(Table mining, Table::Parse(in.gpu_mining, in.gpu_mining_source, kMiningColumns));
  // Several sources may give a profile for the same GPU and algorithm (MiningFor picks the best);
  // an identical repeat is a copy-paste error.
  std::set<std::tuple<size_t, std::string, int64_t, int64_t>> seen_profiles;
  std::map<std::string, std::string> algorithm_spelling;  // normalised -> first spelling
  for (const CsvRow& row : mining.rows()) {
    ASSIGN_OR_RETURN(std::string gpu_name, mining.RequiredText(row, "gpu"));
    const GpuModel* g = Find(c.gpus_, c.gpu_index_, gpu_name);
    if (g == nullptr) {
      return mining.Error(row, "gpu",
                          "unknown GPU '" + gpu_name + "' (not in " + in.gpus_source + ")" +
                              Suggest(gpu_name, gpu_names));
    }
    size_t gi = static_cast<size_t>(g - c.gpus_.data());
    MiningProfile p;
    ASSIGN_OR_RETURN(p.algorithm, mining.RequiredText(row, "algorithm"));
    auto [spelling, fresh] =
        algorithm_spelling.emplace(NormaliseModelName(p.algorithm), p.algorithm);
    if (!fresh && spelling->second != p.algorithm) {
      return mining.Error(row, "algorithm",
                          "'" + p.algorithm + "' is spelled '" + spelling->second +
                              "' elsewhere in this file (use one spelling)");
    }
    ASSIGN_OR_RETURN(double value, mining.Number(row, "hashrate", true));
    ASSIGN_OR_RETURN(std::string unit, mining.RequiredText(row, "unit"));
    Result<double> scale = HashUnitInKhs(unit);
    if (!scale.ok()) return mining.Error(row, "unit", scale.status().message());
    double khs = value * *scale;
    if (khs < 1.0) {
      return mining.Error(row, "hashrate",
                          "below 1 kH/s, the resolution of the catalogue's hashrate unit");
    }
    if (khs > 1e15) return mining.Error(row, "hashrate", "implausibly large hashrate");
    p.hashrate = KiloHashPerSecond(static_cast<int64_t>(khs + 0.5));
    ASSIGN_OR_RETURN(double w, mining.Number(row, "power_w", true));
    if (w > 5000) return mining.Error(row, "power_w", "implausible power (expected <= 5000 W)");
    p.power = Watts(w);
    ASSIGN_OR_RETURN(p.source, mining.RequiredText(row, "source"));
    if (!seen_profiles.emplace(gi, NormaliseModelName(p.algorithm), p.hashrate.raw(), p.power.raw())
             .second) {
      return mining.Error(row, "gpu",
                          "duplicate profile: '" + g->name + "' already has this " + p.algorithm +
                              " hashrate and power");
    }
    c.gpus_[gi].mining.push_back(std::move(p));
  }
  // ASICs.
  ASSIGN_OR_RETURN(Table asics, Table::Parse(in.asics, in.asics_source, kAsicColumns));
  std::vector<std::string> asic_names;
  for (const CsvRow& row : asics.rows()) {
    ASSIGN_OR_RETURN(AsicModel a, ParseAsicRow(asics, row));
    RETURN_IF_ERROR(
        IndexNames(a.name, a.aliases, c.asics_.size(), asic_names, c.asic_index_, asics, row));
    asic_names.push_back(a.name);
    c.asics_.push_back(std::move(a));
  }
  // ASIC power modes.
  ASSIGN_OR_RETURN(Table modes,
                   Table::Parse(in.asic_modes, in.asic_modes_source, kAsicModeColumns));
  for (const CsvRow& row : modes.rows()) {
    ASSIGN_OR_RETURN(std::string asic_name, modes.RequiredText(row, "asic"));
    const AsicModel* a = Find(c.asics_, c.asic_index_, asic_name);
    if (a == nullptr) {
      return modes.Error(row, "asic",
                         "unknown ASIC '" + asic_name + "' (not in " + in.asics_source + ")" +
                             Suggest(asic_name, asic_names));
    }
    AsicModel& model = c.asics_[static_cast<size_t>(a - c.asics_.data())];
    AsicPowerMode m;
    ASSIGN_OR_RETURN(m.name, modes.RequiredText(row, "mode"));
    if (ToLower(m.name) == "normal") {
      return modes.Error(row, "mode",
                         "'normal' comes from " + in.asics_source +
                             " (list only the other documented modes here)");
    }
    if (model.Mode(m.name) != nullptr) {
      return modes.Error(row, "mode", "duplicate mode '" + m.name + "' for '" + model.name + "'");
    }
    ASSIGN_OR_RETURN(double ths, modes.Number(row, "hashrate_ths", true));
    ASSIGN_OR_RETURN(double w, modes.Number(row, "power_w", true));
    if (w > 100000) return modes.Error(row, "power_w", "implausible power (expected <= 100000 W)");
    m.hashrate = TerahashPerSecond(ths);
    m.power = Watts(w);
    ASSIGN_OR_RETURN(m.source, modes.RequiredText(row, "source"));
    model.modes.push_back(std::move(m));
  }
  // Modes in ascending power, so that callers can step down from the top (stable: ties keep
  // file order with "normal" first).
  for (AsicModel& a : c.asics_) {
    std::stable_sort(
        a.modes.begin(), a.modes.end(),
        [](const AsicPowerMode& x, const AsicPowerMode& y) { return x.power < y.power; });
  }
  return c;
}

Result<Catalog> Catalog::FromDirectory(const std::string& dir) {
  CsvInputs in;
  std::string base = dir.empty() || dir.back() == '/' ? dir : dir + "/";
  in.gpus_source = base + "gpus.csv";
  in.gpu_mining_source = base + "gpu_mining.csv";
  in.asics_source = base + "asics.csv";
  in.asic_modes_source = base + "asic_modes.csv";
  ASSIGN_OR_RETURN(in.gpus, ReadFileToString(in.gpus_source));
  ASSIGN_OR_RETURN(in.gpu_mining, ReadFileToString(in.gpu_mining_source));
  ASSIGN_OR_RETURN(in.asics, ReadFileToString(in.asics_source));
  ASSIGN_OR_RETURN(in.asic_modes, ReadFileToString(in.asic_modes_source));
  return FromCsv(in);
}

const Catalog& Catalog::Builtin() {
  static const Catalog* const kBuiltin = [] {
    CsvInputs in;
    in.gpus = std::string(embedded::kGpusCsv);
    in.gpus_source = "data/catalog/gpus.csv";
    in.gpu_mining = std::string(embedded::kGpuMiningCsv);
    in.gpu_mining_source = "data/catalog/gpu_mining.csv";
    in.asics = std::string(embedded::kAsicsCsv);
    in.asics_source = "data/catalog/asics.csv";
    in.asic_modes = std::string(embedded::kAsicModesCsv);
    in.asic_modes_source = "data/catalog/asic_modes.csv";
    Result<Catalog> c = FromCsv(in);
    if (!c.ok()) {
      // The embedded data are part of the program; catalog_test keeps them loadable.
      std::fprintf(stderr, "embedded catalogue is invalid: %s\n", c.status().ToString().c_str());
      std::abort();
    }
    return new Catalog(std::move(c).value());
  }();
  return *kBuiltin;
}

const GpuModel* Catalog::FindGpu(std::string_view name) const {
  return Find(gpus_, gpu_index_, name);
}

const AsicModel* Catalog::FindAsic(std::string_view name) const {
  return Find(asics_, asic_index_, name);
}

std::vector<std::string> Catalog::AllNames() const {
  std::vector<std::string> out;
  for (const GpuModel& g : gpus_) {
    out.push_back(g.name);
    out.insert(out.end(), g.aliases.begin(), g.aliases.end());
  }
  for (const AsicModel& a : asics_) {
    out.push_back(a.name);
    out.insert(out.end(), a.aliases.begin(), a.aliases.end());
  }
  return out;
}

}  // namespace rigshift::catalog
