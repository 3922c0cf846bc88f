#include "fleet/loader.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <initializer_list>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "core/text.h"

namespace rigshift::fleet {

std::string Diagnostic::ToString() const {
  std::string out = Location(loc.file, loc.line, loc.column);
  if (!out.empty()) out += ": ";
  if (severity == Severity::kWarning) out += "warning: ";
  if (!loc.path.empty()) out += loc.path + ": ";
  out += message;
  return out;
}

namespace {

using catalog::DeviceKind;

// Sanity bounds on physical quantities: beyond these a value is a typo (or hostile input), and
// keeping them bounded keeps every fixed-point product below far from int64 overflow.
constexpr double kMaxGridCapMw = 100'000;       // 100 GW: more than any single site on Earth
constexpr double kMaxRackPowerKw = 10'000;      // 10 MW per rack (a container counts as a rack)
constexpr double kMaxHostPowerW = 100'000;      // 100 kW per host
constexpr double kMaxPue = 3.0;                 // worse than any operating data centre
constexpr double kMaxPriceUsdPerMwh = 100'000;  // ERCOT's cap is 5,000 (9,000 before 2021)
constexpr int64_t kMaxDevicesPerNode = 10'000;  // ASIC "nodes" may model a whole shelf
constexpr int kDefaultMaxGpusPerHost = 20;     // largest mining boards take 19 (B250 Mining Expert)
constexpr int64_t kMaxYamlElements = 200'000;  // aliases can make a small file walk forever
constexpr size_t kMaxQuotedChars = 60;
constexpr size_t kMaxSuggestLength = 64;  // longer names are not typos; skip the O(n*m) search

// Control characters escaped (a message stays one line per problem), truncated to `max`.
std::string Printable(std::string_view s, size_t max) {
  std::string out;
  size_t n = std::min(s.size(), max);
  for (size_t i = 0; i < n; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > n) out += "...";
  return out;
}

// Quotes user text for a message: truncated, with control characters escaped.
std::string Quote(std::string_view s) { return "'" + Printable(s, kMaxQuotedChars) + "'"; }

std::string JoinQuoted(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += Quote(names[i]);
  }
  return out;
}

std::string JoinPlain(std::initializer_list<const char*> names) {
  std::string out;
  for (const char* n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates,
                       size_t max = 3) {
  if (name.size() > kMaxSuggestLength) return "";
  std::vector<std::string> close = ClosestNames(name, candidates, max);
  if (close.empty()) return "";
  return "; did you mean " + JoinQuoted(close) + "?";
}

// The closest of a short fixed list (field names, enum values), only when it is a likely typo:
// "tarif" -> "tariff", but not "wter" -> "air".
std::string ClosestKey(std::string_view name, const std::vector<std::string>& candidates) {
  if (name.size() > kMaxSuggestLength) return "";
  const int limit = std::max<int>(2, static_cast<int>(name.size()) / 3);
  std::string best;
  int best_d = limit + 1;
  for (const std::string& c : candidates) {
    int d = EditDistance(name, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

std::string FormatNumber(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string FormatCount(int64_t v) {
  std::string digits = std::to_string(v);
  std::string out;
  int n = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (n > 0 && n % 3 == 0 && *it != '-') out.insert(out.begin(), ',');
    out.insert(out.begin(), *it);
    ++n;
  }
  return out;
}

// What a YAML node is, for "expected X, found Y".
std::string Describe(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Null:
      return "nothing (null)";
    case YAML::NodeType::Scalar:
      return (n.Tag() == "!" ? "the quoted string " : "") + Quote(n.Scalar());
    case YAML::NodeType::Undefined:
      return "nothing";
  }
  return "something else";
}

// Saturating non-negative arithmetic for device totals (the cap check needs a true "too many").
int64_t SatMul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) return INT64_MAX;
  return r;
}
int64_t SatAdd(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return INT64_MAX;
  return r;
}

std::string Join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}
std::string Index(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

// Everything one load needs: where, against what, and what it found so far.
class Loader {
 public:
  Loader(const std::string& file, const catalog::Catalog& catalog, const LoadOptions& options)
      : file_(file), catalog_(catalog), options_(options) {}

  SourceLoc Loc(const YAML::Node& n, const std::string& path) const {
    SourceLoc loc;
    loc.file = file_;
    YAML::Mark m = n.Mark();
    loc.line = m.line >= 0 ? m.line + 1 : 0;
    loc.column = m.column >= 0 ? m.column + 1 : 0;
    loc.path = path;
    return loc;
  }

  void Error(const SourceLoc& loc, std::string message) {
    if (errors_.size() < static_cast<size_t>(kMaxReportedErrors)) {
      errors_.push_back({Severity::kError, loc, std::move(message)});
    } else {
      errors_truncated_ = true;
    }
  }
  void Error(const YAML::Node& n, const std::string& path, std::string message) {
    Error(Loc(n, path), std::move(message));
  }
  // A warning, or an error under --strict.
  void Warn(const SourceLoc& loc, std::string message) {
    if (options_.strict) {
      Error(loc, std::move(message) + " (an error with --strict)");
    } else {
      warnings_.push_back({Severity::kWarning, loc, std::move(message)});
    }
  }

  bool HasErrors() const { return !errors_.empty(); }
  size_t ErrorCount() const { return errors_.size(); }

  // Counts one YAML element walked; false (with one error) once the budget is spent.
  bool Visit(const YAML::Node& n, const std::string& path) {
    if (errors_truncated_) return false;  // enough to fix first; stop walking
    if (++visited_ <= kMaxYamlElements) return true;
    if (!budget_reported_) {
      budget_reported_ = true;
      Error(n, path,
            "more than " + FormatCount(kMaxYamlElements) +
                " YAML elements (aliases repeating large blocks?); use counts instead");
    }
    return false;
  }

  Status Finish(LoadedFleet* out) {
    // In file order, whatever order the checks ran in.
    auto by_position = [](const Diagnostic& a, const Diagnostic& b) {
      return std::tie(a.loc.line, a.loc.column) < std::tie(b.loc.line, b.loc.column);
    };
    std::stable_sort(errors_.begin(), errors_.end(), by_position);
    std::stable_sort(warnings_.begin(), warnings_.end(), by_position);
    if (errors_.empty()) {
      out->warnings = std::move(warnings_);
      return Status::Ok();
    }
    std::string message;
    for (size_t i = 0; i < errors_.size(); ++i) {
      if (i > 0) message += "\n";
      message += errors_[i].ToString();
    }
    if (errors_truncated_) {
      message +=
          "\n" + file_ + ": too many errors; stopped after " + std::to_string(kMaxReportedErrors);
    }
    return Status::InvalidArgument(message);
  }

  void ParseFleet(const YAML::Node& root, Fleet* fleet);

 private:
  // A map node checked for type, unknown keys (with the closest known key) and duplicate keys.
  class MapReader {
   public:
    MapReader(Loader& loader, const YAML::Node& node, std::string path,
              std::initializer_list<const char*> keys)
        : loader_(loader), node_(node), path_(std::move(path)) {
      if (!node.IsMap()) {
        loader.Error(node, path_, "expected a map of fields, found " + Describe(node));
        return;
      }
      is_map_ = true;
      std::vector<std::string> known(keys.begin(), keys.end());
      for (auto it = node.begin(); it != node.end(); ++it) {
        const YAML::Node key = it->first;
        if (!loader.Visit(key, path_)) break;
        if (!key.IsScalar()) {
          loader.Error(key, path_, "expected a field name, found " + Describe(key));
          continue;
        }
        const std::string name = key.Scalar();
        if (std::find(known.begin(), known.end(), name) == known.end()) {
          std::string closest = ClosestKey(name, known);
          std::string hint = closest.empty() ? " (expected one of: " + JoinPlain(keys) + ")"
                                             : "; did you mean " + Quote(closest) + "?";
          // The misspelt key stands for the known one: no second "missing field" error.
          if (!closest.empty()) misspelt_.push_back(closest);
          loader.Error(key, Join(path_, Printable(name, kMaxQuotedChars)),
                       "unknown field " + Quote(name) + hint);
          continue;
        }
        if (values_.count(name) > 0) {
          loader.Error(key, Join(path_, Printable(name, kMaxQuotedChars)),
                       "duplicate field " + Quote(name) + " (first given on line " +
                           std::to_string(loader.Loc(keys_.at(name), "").line) + ")");
          continue;
        }
        keys_.emplace(name, key);
        values_.emplace(name, it->second);
      }
    }

    bool is_map() const { return is_map_; }
    const YAML::Node& node() const { return node_; }
    const std::string& path() const { return path_; }
    std::string PathOf(std::string_view key) const { return Join(path_, key); }
    bool Has(const std::string& key) const { return values_.count(key) > 0; }
    // The value of `key`, or nullptr; a missing required key is reported at the map.
    const YAML::Node* Get(const std::string& key, bool required) {
      auto it = values_.find(key);
      if (it != values_.end()) return &it->second;
      if (required && is_map_ &&
          std::find(misspelt_.begin(), misspelt_.end(), key) == misspelt_.end()) {
        loader_.Error(node_, path_.empty() ? key : path_, "missing required field '" + key + "'");
      }
      return nullptr;
    }
    const YAML::Node* KeyNode(const std::string& key) const {
      auto it = keys_.find(key);
      return it == keys_.end() ? nullptr : &it->second;
    }

   private:
    Loader& loader_;
    YAML::Node node_;
    std::string path_;
    bool is_map_ = false;
    std::map<std::string, YAML::Node> keys_;
    std::map<std::string, YAML::Node> values_;
    std::vector<std::string> misspelt_;  // known keys that an unknown key was close to
  };

  // --- Typed readers: each reports its own error and returns nullopt on bad input. ---
  std::optional<std::string> ReadString(const YAML::Node& n, const std::string& path) {
    if (!n.IsScalar()) {
      Error(n, path, "expected a string, found " + Describe(n));
      return std::nullopt;
    }
    return n.Scalar();
  }

  // An id: a non-empty string without the separators Flatten uses in node names.
  std::optional<std::string> ReadId(const YAML::Node& n, const std::string& path) {
    auto s = ReadString(n, path);
    if (!s) return std::nullopt;
    if (Trim(*s).empty()) {
      Error(n, path, "expected a non-empty id");
      return std::nullopt;
    }
    if (s->find_first_of("/#") != std::string::npos) {
      Error(n, path, "id " + Quote(*s) + " may not contain '/' or '#' (they separate node names)");
      return std::nullopt;
    }
    return s;
  }

  static bool IsPlainScalar(const YAML::Node& n) {
    return n.IsScalar() && (n.Tag() == "?" || n.Tag() == "tag:yaml.org,2002:int" ||
                            n.Tag() == "tag:yaml.org,2002:float");
  }

  std::optional<double> ReadNumber(const YAML::Node& n, const std::string& path,
                                   const char* unit_hint) {
    if (!IsPlainScalar(n)) {
      Error(n, path, std::string("expected a number") + unit_hint + ", found " + Describe(n));
      return std::nullopt;
    }
    Result<double> v = ParseDouble(n.Scalar());
    if (!v.ok()) {
      Error(n, path, std::string("expected a number") + unit_hint + ", found " + Describe(n));
      return std::nullopt;
    }
    return *v;
  }

  // A number in [lo, hi]; `positive` excludes lo itself (for capacities that cannot be zero).
  // `quantum`: for a positive field stored in fixed point, its smallest unit (1 mW in MW is
  // 1e-9). A smaller value would round to 0, which for a cap or limit means "none", so it is
  // refused with the smallest accepted value instead.
  std::optional<double> ReadNumberIn(const YAML::Node& n, const std::string& path,
                                     const char* unit_hint, double lo, double hi, bool positive,
                                     double quantum = 0) {
    auto v = ReadNumber(n, path, unit_hint);
    if (!v) return std::nullopt;
    if (positive && *v <= lo) {
      Error(n, path,
            std::string("expected a number > ") + FormatNumber(lo) + unit_hint + ", found " +
                FormatNumber(*v));
      return std::nullopt;
    }
    if (positive && *v < quantum) {
      Error(n, path,
            std::string("found ") + FormatNumber(*v) + unit_hint +
                ", which rounds to 0 (0 means no limit); the smallest accepted is " +
                FormatNumber(quantum) + unit_hint + " (1 mW)");
      return std::nullopt;
    }
    if (*v < lo || *v > hi) {
      Error(n, path,
            "expected a number between " + FormatNumber(lo) + " and " + FormatNumber(hi) +
                unit_hint + ", found " + FormatNumber(*v));
      return std::nullopt;
    }
    return v;
  }

  std::optional<int64_t> ReadInt(const YAML::Node& n, const std::string& path, int64_t lo,
                                 int64_t hi, const char* what) {
    if (!IsPlainScalar(n)) {
      Error(n, path, std::string("expected ") + what + ", found " + Describe(n));
      return std::nullopt;
    }
    Result<int64_t> v = ParseInt64(n.Scalar());
    if (!v.ok()) {
      if (v.status().code() == StatusCode::kOutOfRange) {
        Error(n, path,
              std::string("expected ") + what + " of at most " + FormatCount(hi) + ", found " +
                  Quote(n.Scalar()));
      } else {
        Error(n, path, std::string("expected ") + what + ", found " + Describe(n));
      }
      return std::nullopt;
    }
    if (*v < lo) {
      Error(n, path,
            std::string("expected ") + what + " >= " + FormatCount(lo) + ", found " +
                std::to_string(*v));
      return std::nullopt;
    }
    if (*v > hi) {
      Error(n, path,
            std::string("expected ") + what + " of at most " + FormatCount(hi) + ", found " +
                FormatCount(*v));
      return std::nullopt;
    }
    return *v;
  }

  std::optional<bool> ReadBool(const YAML::Node& n, const std::string& path) {
    if (IsPlainScalar(n)) {
      std::string s = ToLower(n.Scalar());
      if (s == "true") return true;
      if (s == "false") return false;
    }
    Error(n, path, "expected true or false, found " + Describe(n));
    return std::nullopt;
  }

  // One of `choices`, with a suggestion when it is close to one.
  std::optional<std::string> ReadEnum(const YAML::Node& n, const std::string& path,
                                      const std::vector<std::string>& choices) {
    auto s = ReadString(n, path);
    if (!s) return std::nullopt;
    std::string lower = ToLower(*s);
    if (std::find(choices.begin(), choices.end(), lower) != choices.end()) return lower;
    std::string expected;
    for (const auto& c : choices) expected += (expected.empty() ? "" : ", ") + c;
    std::string closest = ClosestKey(lower, choices);
    Error(n, path,
          "expected one of " + expected + ", found " + Quote(*s) +
              (closest.empty() ? "" : "; did you mean " + Quote(closest) + "?"));
    return std::nullopt;
  }

  // A list; reports a map or scalar where a list belongs, and an empty list.
  bool ExpectList(const YAML::Node& n, const std::string& path, const char* what) {
    if (!n.IsSequence()) {
      Error(n, path, std::string("expected a list of ") + what + "s, found " + Describe(n));
      return false;
    }
    if (n.size() == 0) {
      Error(n, path, std::string("expected at least one ") + what + ", found an empty list");
      return false;
    }
    return true;
  }

  // Remembers ids within one scope; reports the second use of one.
  class IdScope {
   public:
    IdScope(Loader& loader, const char* what) : loader_(loader), what_(what) {}
    void Add(const std::string& id, const YAML::Node& n, const std::string& path) {
      auto [it, inserted] = first_line_.emplace(id, loader_.Loc(n, "").line);
      if (!inserted) {
        loader_.Error(n, path,
                      std::string("duplicate ") + what_ + " id " + Quote(id) +
                          " (first used on line " + std::to_string(it->second) + ")");
      }
    }

   private:
    Loader& loader_;
    const char* what_;
    std::map<std::string, int> first_line_;
  };

  void ParseSite(const YAML::Node& n, const std::string& path, Site* site);
  void ParseTariff(const YAML::Node& n, const std::string& path, Tariff* tariff);
  void ParseHall(const YAML::Node& n, const std::string& path, Hall* hall);
  void ParseRack(const YAML::Node& n, const std::string& path, RackGroup* rack);
  void ParseNode(const YAML::Node& n, const std::string& path, NodeGroup* node);
  void ParseDevice(const YAML::Node& n, const std::string& path, DeviceGroup* dev);
  void CheckNodeKinds(MapReader& m, NodeGroup* node, std::optional<int64_t> gpu_slots);
  void CheckSite(const YAML::Node& n, const std::string& path, const Site& site);
  void CheckDeviceTotals(const Fleet& fleet);

  const std::vector<std::string>& AllModelNames() {
    if (all_names_.empty()) all_names_ = catalog_.AllNames();
    return all_names_;
  }

  const std::string& file_;
  const catalog::Catalog& catalog_;
  const LoadOptions& options_;
  std::vector<Diagnostic> errors_;
  std::vector<Diagnostic> warnings_;
  bool errors_truncated_ = false;
  int64_t visited_ = 0;
  bool budget_reported_ = false;
  std::vector<std::string> all_names_;
  // Device totals are checked before any power arithmetic (which would overflow on absurd counts).
  bool totals_ok_ = false;
  // The cooling kind of the site being parsed (hydro miners need hydro cooling).
  std::optional<CoolingKind> site_cooling_;
};

void Loader::ParseFleet(const YAML::Node& root, Fleet* fleet) {
  MapReader m(*this, root, "", {"version", "name", "sites"});
  if (!m.is_map()) return;
  if (const YAML::Node* v = m.Get("version", false)) {
    if (auto ver = ReadInt(*v, "version", 1, INT32_MAX, "a format version"); ver && *ver != 1) {
      Error(*v, "version", "unsupported format version " + std::to_string(*ver) + " (expected 1)");
    }
  }
  if (const YAML::Node* v = m.Get("name", true)) {
    if (auto s = ReadString(*v, "name")) fleet->name = *s;
  }
  const YAML::Node* sites = m.Get("sites", true);
  if (sites == nullptr || !ExpectList(*sites, "sites", "site")) return;
  IdScope ids(*this, "site");
  for (size_t i = 0; i < sites->size(); ++i) {
    const YAML::Node s = (*sites)[i];
    const std::string path = Index("sites", i);
    if (!Visit(s, path)) return;
    Site site;
    ParseSite(s, path, &site);
    fleet->sites.push_back(std::move(site));
  }
  for (size_t i = 0; i < fleet->sites.size(); ++i) {
    const Site& site = fleet->sites[i];
    if (!site.id.empty()) {
      const YAML::Node s = (*sites)[i];
      ids.Add(site.id, s["id"], Index("sites", i) + ".id");
    }
  }
  CheckDeviceTotals(*fleet);
  if (!totals_ok_) return;
  // Site-level physics, once every element below is known to be sound.
  if (HasErrors()) return;
  for (size_t i = 0; i < fleet->sites.size(); ++i) {
    CheckSite((*sites)[i], Index("sites", i), fleet->sites[i]);
  }
}

// Grid and cooling against the site's nameplate: a site can hold more hardware than it can run
// at once (operators do, and curtail), so these are warnings unless --strict.
void Loader::CheckSite(const YAML::Node& n, const std::string& path, const Site& site) {
  const Power it = site.NameplateItPower();
  const Power facility = site.NameplateFacilityPower();
  char pue[32];
  std::snprintf(pue, sizeof pue, "%.2f", static_cast<double>(site.pue_milli) / 1000.0);
  if (facility > site.grid_cap) {
    Warn(Loc(n["grid_cap_mw"], Join(path, "grid_cap_mw")),
         "nameplate facility power " + FormatPower(facility) + " (IT " + FormatPower(it) +
             " x PUE " + pue + ") exceeds the grid cap " + FormatPower(site.grid_cap) + " by " +
             FormatPower(facility - site.grid_cap) + "; not every device can run at once");
  }
  if (!site.cooling_capacity.IsZero() && it > site.cooling_capacity) {
    const YAML::Node cooling = n["cooling"];
    Warn(Loc(cooling["capacity_mw"], Join(path, "cooling.capacity_mw")),
         "cooling capacity " + FormatPower(site.cooling_capacity) +
             " is below the nameplate heat load " + FormatPower(it) + " by " +
             FormatPower(it - site.cooling_capacity) + "; not every device can run at once");
  }
}

void Loader::ParseSite(const YAML::Node& n, const std::string& path, Site* site) {
  MapReader m(*this, n, path,
              {"id", "name", "location", "grid_cap_mw", "cooling", "pue", "tariff", "uplink_gbps",
               "redundancy_tier", "floor_space_m2", "halls"});
  if (!m.is_map()) return;
  site->loc = Loc(n, path);
  if (const YAML::Node* v = m.Get("id", true)) {
    if (auto s = ReadId(*v, m.PathOf("id"))) site->id = *s;
  }
  site->name = site->id;
  if (const YAML::Node* v = m.Get("name", false)) {
    if (auto s = ReadString(*v, m.PathOf("name"))) site->name = *s;
  }
  if (const YAML::Node* v = m.Get("location", false)) {
    if (auto s = ReadString(*v, m.PathOf("location"))) site->location = *s;
  }
  if (const YAML::Node* v = m.Get("grid_cap_mw", true)) {
    if (auto x = ReadNumberIn(*v, m.PathOf("grid_cap_mw"), " (MW)", 0, kMaxGridCapMw, true, 1e-9)) {
      site->grid_cap = Megawatts(*x);
    }
  }
  site_cooling_.reset();
  if (const YAML::Node* v = m.Get("cooling", true)) {
    MapReader c(*this, *v, m.PathOf("cooling"), {"kind", "capacity_mw"});
    if (c.is_map()) {
      if (const YAML::Node* k = c.Get("kind", true)) {
        if (auto s = ReadEnum(*k, c.PathOf("kind"), {"air", "hydro", "immersion"})) {
          site->cooling = *s == "air"     ? CoolingKind::kAir
                          : *s == "hydro" ? CoolingKind::kHydro
                                          : CoolingKind::kImmersion;
          site_cooling_ = site->cooling;
        }
      }
      if (const YAML::Node* k = c.Get("capacity_mw", false)) {
        if (auto x = ReadNumberIn(*k, c.PathOf("capacity_mw"), " (MW)", 0, kMaxGridCapMw, true,
                                    1e-9)) {
          site->cooling_capacity = Megawatts(*x);
        }
      }
    }
  }
  if (const YAML::Node* v = m.Get("pue", true)) {
    if (auto x = ReadNumber(*v, m.PathOf("pue"), "")) {
      if (*x < 1.0) {
        Error(*v, m.PathOf("pue"),
              "expected a PUE of at least 1.0 (facility power cannot be below IT power), found " +
                  FormatNumber(*x));
      } else if (*x > kMaxPue) {
        Error(*v, m.PathOf("pue"),
              "PUE " + FormatNumber(*x) +
                  " is implausible (expected 1.0 .. 3.0; mining sites run "
                  "1.02 .. 1.3)");
      } else {
        site->pue_milli = std::llround(*x * 1000);
      }
    }
  }
  if (const YAML::Node* v = m.Get("tariff", true))
    ParseTariff(*v, m.PathOf("tariff"), &site->tariff);
  if (const YAML::Node* v = m.Get("uplink_gbps", false)) {
    if (auto x = ReadNumberIn(*v, m.PathOf("uplink_gbps"), " (Gbit/s)", 0, 1e6, true)) {
      site->uplink_gbps = *x;
    }
  }
  if (const YAML::Node* v = m.Get("redundancy_tier", false)) {
    if (auto x = ReadInt(*v, m.PathOf("redundancy_tier"), 1, 4, "an Uptime tier")) {
      site->redundancy_tier = static_cast<int>(*x);
    }
  }
  if (const YAML::Node* v = m.Get("floor_space_m2", false)) {
    if (auto x = ReadNumberIn(*v, m.PathOf("floor_space_m2"), " (m2)", 0, 1e8, true)) {
      site->floor_space_m2 = *x;
    }
  }
  const YAML::Node* halls = m.Get("halls", true);
  if (halls == nullptr || !ExpectList(*halls, m.PathOf("halls"), "hall")) return;
  IdScope ids(*this, "hall");
  for (size_t i = 0; i < halls->size(); ++i) {
    const YAML::Node h = (*halls)[i];
    const std::string hpath = Index(m.PathOf("halls"), i);
    if (!Visit(h, hpath)) return;
    Hall hall;
    ParseHall(h, hpath, &hall);
    if (!hall.id.empty()) ids.Add(hall.id, h["id"], hpath + ".id");
    site->halls.push_back(std::move(hall));
  }
}

void Loader::ParseTariff(const YAML::Node& n, const std::string& path, Tariff* tariff) {
  MapReader m(
      *this, n, path,
      {"market", "fixed_usd_per_mwh", "adder_usd_per_mwh", "demand_charge_usd_per_kw_month"});
  if (!m.is_map()) return;
  if (const YAML::Node* v = m.Get("market", true)) {
    if (auto s = ReadEnum(*v, m.PathOf("market"), {"ercot", "nyiso", "pjm", "caiso", "fixed"})) {
      tariff->market = *s;
    }
  }
  const YAML::Node* fixed = m.Get("fixed_usd_per_mwh", false);
  if (tariff->market == "fixed" && fixed == nullptr) {
    Error(n, path, "missing required field 'fixed_usd_per_mwh' (market: fixed needs a price)");
  } else if (fixed != nullptr && !tariff->market.empty() && tariff->market != "fixed") {
    Error(*m.KeyNode("fixed_usd_per_mwh"), m.PathOf("fixed_usd_per_mwh"),
          "a fixed price applies only with market: fixed (this site buys at " + tariff->market +
              " prices; use adder_usd_per_mwh for fees)");
  } else if (fixed != nullptr) {
    if (auto x = ReadNumberIn(*fixed, m.PathOf("fixed_usd_per_mwh"), " (USD/MWh)", -1000,
                              kMaxPriceUsdPerMwh, false)) {
      tariff->fixed_price = UsdPerMwh(*x);
    }
  }
  if (const YAML::Node* v = m.Get("adder_usd_per_mwh", false)) {
    if (auto x = ReadNumberIn(*v, m.PathOf("adder_usd_per_mwh"), " (USD/MWh)", -1000,
                              kMaxPriceUsdPerMwh, false)) {
      tariff->adder = UsdPerMwh(*x);
    }
  }
  if (const YAML::Node* v = m.Get("demand_charge_usd_per_kw_month", false)) {
    if (auto x = ReadNumberIn(*v, m.PathOf("demand_charge_usd_per_kw_month"), " (USD/kW-month)", 0,
                              10'000, false)) {
      tariff->demand_charge_per_kw_month = Usd(*x);
    }
  }
}

void Loader::ParseHall(const YAML::Node& n, const std::string& path, Hall* hall) {
  MapReader m(*this, n, path, {"id", "racks"});
  if (!m.is_map()) return;
  hall->loc = Loc(n, path);
  if (const YAML::Node* v = m.Get("id", true)) {
    if (auto s = ReadId(*v, m.PathOf("id"))) hall->id = *s;
  }
  const YAML::Node* racks = m.Get("racks", true);
  if (racks == nullptr || !ExpectList(*racks, m.PathOf("racks"), "rack")) return;
  IdScope ids(*this, "rack");
  for (size_t i = 0; i < racks->size(); ++i) {
    const YAML::Node r = (*racks)[i];
    const std::string rpath = Index(m.PathOf("racks"), i);
    if (!Visit(r, rpath)) return;
    RackGroup rack;
    ParseRack(r, rpath, &rack);
    if (!rack.id.empty()) ids.Add(rack.id, r["id"], rpath + ".id");
    hall->racks.push_back(std::move(rack));
  }
}

void Loader::ParseRack(const YAML::Node& n, const std::string& path, RackGroup* rack) {
  MapReader m(*this, n, path, {"id", "count", "power_limit_kw", "nodes"});
  if (!m.is_map()) return;
  rack->loc = Loc(n, path);
  if (const YAML::Node* v = m.Get("id", true)) {
    if (auto s = ReadId(*v, m.PathOf("id"))) rack->id = *s;
  }
  if (const YAML::Node* v = m.Get("count", false)) {
    rack->count = static_cast<int>(
        ReadInt(*v, m.PathOf("count"), 1, kMaxCountPerGroup, "a whole count").value_or(0));
  }
  if (const YAML::Node* v = m.Get("power_limit_kw", false)) {
    if (auto x = ReadNumberIn(*v, m.PathOf("power_limit_kw"), " (kW)", 0, kMaxRackPowerKw, true,
                                1e-6)) {
      rack->power_limit = Kilowatts(*x);
    }
  }
  const YAML::Node* nodes = m.Get("nodes", true);
  if (nodes == nullptr || !ExpectList(*nodes, m.PathOf("nodes"), "node")) return;
  IdScope ids(*this, "node");
  bool nodes_ok = true;
  for (size_t i = 0; i < nodes->size(); ++i) {
    const YAML::Node h = (*nodes)[i];
    const std::string npath = Index(m.PathOf("nodes"), i);
    if (!Visit(h, npath)) return;
    NodeGroup node;
    size_t before = ErrorCount();
    ParseNode(h, npath, &node);
    if (ErrorCount() != before || node.devices.empty() || node.count <= 0) nodes_ok = false;
    if (!node.id.empty()) ids.Add(node.id, h["id"], npath + ".id");
    rack->nodes.push_back(std::move(node));
  }
  // Nameplate against the rack's limit, when every node is sound (counts bounded by the checks).
  int64_t rack_devices = 0;
  for (const NodeGroup& node : rack->nodes) {
    rack_devices = SatAdd(rack_devices, SatMul(node.count, node.DevicesPerNode()));
  }
  // Beyond the fleet cap the sum could overflow; CheckDeviceTotals reports that case.
  if (nodes_ok && rack_devices <= kMaxDevicesPerFleet && rack->power_limit > Power()) {
    Power nameplate = rack->NameplatePowerPerRack();
    if (nameplate > rack->power_limit) {
      std::string detail;
      if (rack->nodes.size() == 1 && rack->nodes[0].count > 1) {
        const NodeGroup& node = rack->nodes[0];
        detail = " (" + std::to_string(node.count) + " nodes x " +
                 FormatPower(nameplate.Scaled(1, node.count)) + ")";
      }
      Error(*m.Get("power_limit_kw", false), m.PathOf("power_limit_kw"),
            "rack nameplate " + FormatPower(nameplate) + detail + " exceeds its power_limit_kw " +
                FormatPower(rack->power_limit) + "; fewer nodes per rack or a higher limit");
    }
  }
}

void Loader::ParseNode(const YAML::Node& n, const std::string& path, NodeGroup* node) {
  MapReader m(*this, n, path,
              {"id", "count", "cpu_cores", "ram_gb", "disk_gb", "nic_gbps", "pcie_lanes_per_gpu",
               "riser", "gpu_slots", "nvlink", "host_power_w", "devices"});
  if (!m.is_map()) return;
  node->loc = Loc(n, path);
  if (const YAML::Node* v = m.Get("id", true)) {
    if (auto s = ReadId(*v, m.PathOf("id"))) node->id = *s;
  }
  if (const YAML::Node* v = m.Get("count", false)) {
    node->count = static_cast<int>(
        ReadInt(*v, m.PathOf("count"), 1, kMaxCountPerGroup, "a whole count").value_or(0));
  }
  if (const YAML::Node* v = m.Get("cpu_cores", false)) {
    node->cpu_cores =
        static_cast<int>(ReadInt(*v, m.PathOf("cpu_cores"), 1, 4096, "a core count").value_or(0));
  }
  if (const YAML::Node* v = m.Get("ram_gb", false)) {
    node->ram_gb = ReadNumberIn(*v, m.PathOf("ram_gb"), " (GB)", 0, 1e6, true).value_or(0);
  }
  if (const YAML::Node* v = m.Get("disk_gb", false)) {
    node->disk_gb = ReadNumberIn(*v, m.PathOf("disk_gb"), " (GB)", 0, 1e9, true).value_or(0);
  }
  if (const YAML::Node* v = m.Get("nic_gbps", false)) {
    node->nic_gbps = ReadNumberIn(*v, m.PathOf("nic_gbps"), " (Gbit/s)", 0, 1e5, true).value_or(0);
  }
  const YAML::Node* lanes = m.Get("pcie_lanes_per_gpu", false);
  const YAML::Node* riser = m.Get("riser", false);
  if (lanes != nullptr && riser != nullptr) {
    Error(*m.KeyNode("riser"), m.PathOf("riser"),
          "give either riser or pcie_lanes_per_gpu, not both");
  } else if (lanes != nullptr) {
    if (auto x = ReadInt(*lanes, m.PathOf("pcie_lanes_per_gpu"), 1, 16, "a PCIe link width")) {
      if (*x == 1 || *x == 2 || *x == 4 || *x == 8 || *x == 16) {
        node->pcie_lanes_per_gpu = static_cast<int>(*x);
      } else {
        Error(*lanes, m.PathOf("pcie_lanes_per_gpu"),
              "expected a PCIe link width of 1, 2, 4, 8 or 16 lanes, found " + std::to_string(*x));
      }
    }
  } else if (riser != nullptr) {
    if (auto s = ReadEnum(*riser, m.PathOf("riser"), {"x1", "x4", "x8", "x16"})) {
      node->pcie_lanes_per_gpu = std::stoi(s->substr(1));
    }
  }
  std::optional<int64_t> gpu_slots;
  if (const YAML::Node* v = m.Get("gpu_slots", false)) {
    gpu_slots = ReadInt(*v, m.PathOf("gpu_slots"), 1, 64, "a slot count");
  }
  if (const YAML::Node* v = m.Get("nvlink", false)) {
    node->nvlink = ReadBool(*v, m.PathOf("nvlink")).value_or(false);
  }
  if (const YAML::Node* v = m.Get("host_power_w", false)) {
    if (auto x = ReadNumberIn(*v, m.PathOf("host_power_w"), " (W)", 0, kMaxHostPowerW, false)) {
      node->host_power = Watts(*x);
    }
  }
  const YAML::Node* devices = m.Get("devices", true);
  if (devices == nullptr || !ExpectList(*devices, m.PathOf("devices"), "device")) return;
  bool devices_ok = true;
  for (size_t i = 0; i < devices->size(); ++i) {
    const YAML::Node d = (*devices)[i];
    const std::string dpath = Index(m.PathOf("devices"), i);
    if (!Visit(d, dpath)) return;
    DeviceGroup dev;
    size_t before = ErrorCount();
    ParseDevice(d, dpath, &dev);
    if (ErrorCount() != before || (dev.gpu == nullptr && dev.asic == nullptr)) devices_ok = false;
    node->devices.push_back(std::move(dev));
  }
  if (devices_ok) CheckNodeKinds(m, node, gpu_slots);
}

void Loader::CheckNodeKinds(MapReader& m, NodeGroup* node, std::optional<int64_t> gpu_slots) {
  const DeviceGroup* first_gpu = nullptr;
  const DeviceGroup* first_asic = nullptr;
  int64_t per_node = 0;
  for (const DeviceGroup& d : node->devices) {
    per_node = SatAdd(per_node, d.count);
    const DeviceGroup*& first = d.kind == DeviceKind::kGpu ? first_gpu : first_asic;
    if (first == nullptr) first = &d;
  }
  if (first_gpu != nullptr && first_asic != nullptr) {
    const DeviceGroup& later =
        first_gpu->loc.line > first_asic->loc.line ? *first_gpu : *first_asic;
    const DeviceGroup& earlier = &later == first_gpu ? *first_asic : *first_gpu;
    Error(later.loc, "a node holds either GPUs or ASICs, not both: " + Quote(later.model) +
                         " joins " + Quote(earlier.model) +
                         " (an ASIC is its own host; put it in a node of its own)");
    node->devices.clear();
    return;
  }
  if (per_node > kMaxDevicesPerNode) {
    Error(node->devices.back().loc, "more than " + FormatCount(kMaxDevicesPerNode) +
                                        " devices on one node (found " + FormatCount(per_node) +
                                        "); use the node's count for repeated hosts");
    node->devices.clear();
    return;
  }
  if (first_asic != nullptr) {
    // GPU host fields make no sense on an ASIC: it has no PCIe slots, no risers, no NVLink.
    for (const char* key : {"riser", "pcie_lanes_per_gpu", "gpu_slots", "nvlink"}) {
      if (const YAML::Node* k = m.KeyNode(key)) {
        Error(*k, m.PathOf(key),
              std::string("'") + key + "' applies to GPU hosts only; this node holds ASIC " +
                  Quote(first_asic->asic->name) +
                  " (an ASIC has no PCIe slots; leave the field out)");
      }
    }
    return;
  }
  const int64_t limit = gpu_slots.value_or(kDefaultMaxGpusPerHost);
  if (per_node > limit) {
    Error(*m.Get("devices", false), m.PathOf("devices"),
          std::to_string(per_node) + " GPUs on one host, but it has " +
              (gpu_slots ? std::to_string(*gpu_slots) + " gpu_slots"
                         : std::string("no gpu_slots given and the default limit is ") +
                               std::to_string(kDefaultMaxGpusPerHost) +
                               " (the largest mining boards take 19)") +
              "; split the GPUs over more nodes");
  }
  if (node->nvlink) {
    for (const DeviceGroup& d : node->devices) {
      if (d.gpu != nullptr && d.gpu->nvlink_gbs <= 0) {
        Warn(Loc(*m.Get("nvlink", false), m.PathOf("nvlink")),
             "nvlink: true, but " + Quote(d.gpu->name) +
                 " has no NVLink in the catalogue; jobs will see PCIe bandwidth only");
        break;
      }
    }
  }
}

void Loader::ParseDevice(const YAML::Node& n, const std::string& path, DeviceGroup* dev) {
  MapReader m(*this, n, path, {"model", "count", "mode", "algorithm"});
  if (!m.is_map()) return;
  dev->loc = Loc(n, path);
  if (const YAML::Node* v = m.Get("count", false)) {
    dev->count = static_cast<int>(
        ReadInt(*v, m.PathOf("count"), 1, kMaxCountPerGroup, "a whole count").value_or(0));
  } else {
    dev->count = 1;
  }
  const YAML::Node* model = m.Get("model", true);
  if (model == nullptr) return;
  auto name = ReadString(*model, m.PathOf("model"));
  if (!name) return;
  dev->model = *name;
  dev->loc = Loc(*model, m.PathOf("model"));
  if (const catalog::GpuModel* g = catalog_.FindGpu(*name)) {
    dev->kind = DeviceKind::kGpu;
    dev->gpu = g;
  } else if (const catalog::AsicModel* a = catalog_.FindAsic(*name)) {
    dev->kind = DeviceKind::kAsic;
    dev->asic = a;
    // A water-cooled miner has no fans: it cannot run in an air-cooled hall.
    const std::string need = ToLower(a->cooling);
    if (site_cooling_ && ((need == "hydro" && *site_cooling_ != CoolingKind::kHydro) ||
                          (need == "immersion" && *site_cooling_ != CoolingKind::kImmersion))) {
      Error(*model, m.PathOf("model"),
            "ASIC " + Quote(a->name) + " needs " + need +
                " cooling, but the site's cooling kind is " + CoolingKindName(*site_cooling_));
    }
  } else {
    Error(*model, m.PathOf("model"),
          "unknown GPU/ASIC model " + Quote(*name) + DidYouMean(*name, AllModelNames()) +
              " (`rigshift catalog` lists the known models)");
    return;
  }
  const YAML::Node* mode = m.Get("mode", false);
  const YAML::Node* algorithm = m.Get("algorithm", false);
  if (dev->kind == DeviceKind::kGpu) {
    if (mode != nullptr) {
      Error(*m.KeyNode("mode"), m.PathOf("mode"),
            "'mode' (an ASIC power mode) does not apply to GPU " + Quote(dev->gpu->name) +
                "; for a GPU's mining algorithm use 'algorithm'");
    }
    if (algorithm != nullptr) {
      auto alg = ReadString(*algorithm, m.PathOf("algorithm"));
      if (!alg) return;
      if (dev->gpu->MiningFor(*alg) == nullptr) {
        std::vector<std::string> known;
        for (const auto& p : dev->gpu->mining) {
          if (std::find(known.begin(), known.end(), p.algorithm) == known.end()) {
            known.push_back(p.algorithm);
          }
        }
        Error(*algorithm, m.PathOf("algorithm"),
              "no mining profile for " + Quote(*alg) + " on " + Quote(dev->gpu->name) +
                  " in the catalogue (known: " + (known.empty() ? "none" : JoinQuoted(known)) +
                  ")");
        return;
      }
      dev->mode = *alg;
    }
  } else {
    if (algorithm != nullptr) {
      Error(*m.KeyNode("algorithm"), m.PathOf("algorithm"),
            "'algorithm' applies to GPUs only; ASIC " + Quote(dev->asic->name) + " mines " +
                dev->asic->algorithm + " (use 'mode' for its power mode)");
    }
    dev->mode = "normal";
    if (mode != nullptr) {
      auto s = ReadString(*mode, m.PathOf("mode"));
      if (!s) return;
      if (dev->asic->Mode(*s) == nullptr &&
          !(ToLower(*s) == "normal" && dev->asic->modes.empty())) {
        std::vector<std::string> known;
        for (const auto& pm : dev->asic->modes) known.push_back(pm.name);
        Error(*mode, m.PathOf("mode"),
              "unknown power mode " + Quote(*s) + " for " + Quote(dev->asic->name) + " (known: " +
                  (known.empty() ? "normal" : JoinQuoted(known)) + ")" + DidYouMean(*s, known, 1));
        return;
      }
      dev->mode = *s;
    }
  }
}

// Caps the fleet's device total before any power is summed: counts multiply down the tree
// (racks x nodes x devices), and a typo like count: 100000000 must be an error, not an overflow.
void Loader::CheckDeviceTotals(const Fleet& fleet) {
  int64_t total = 0;
  for (const Site& site : fleet.sites) {
    for (const Hall& hall : site.halls) {
      for (const RackGroup& rack : hall.racks) {
        for (const NodeGroup& node : rack.nodes) {
          for (const DeviceGroup& dev : node.devices) {
            int64_t n = SatMul(SatMul(rack.count, node.count), dev.count);
            total = SatAdd(total, n);
            if (total > kMaxDevicesPerFleet) {
              Error(dev.loc, "the fleet holds more than " + FormatCount(kMaxDevicesPerFleet) +
                                 " devices by this group (" + FormatCount(rack.count) +
                                 " racks x " + FormatCount(node.count) + " nodes x " +
                                 FormatCount(dev.count) +
                                 "); check the counts, or split the fleet into several files");
              return;
            }
          }
        }
      }
    }
  }
  totals_ok_ = true;
}

// Collects where documents start and ignores every other parse event.
class DocumentMarks : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> starts;
  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// Rough YAML nesting guard, run before yaml-cpp sees the text: yaml-cpp parses recursively, and a
// few kilobytes of "[[[[..." or "- - - - ..." would otherwise exhaust the stack. Counts flow
// brackets outside quotes and comments, and the width of each line's indentation and block
// indicators (each nesting level costs at least one column there).
Status CheckNesting(const std::string& text, const std::string& file) {
  int depth = 0;
  int line = 1;
  bool in_single = false, in_double = false, in_comment = false, at_line_start = true;
  int prefix = 0;
  char prev = '\n';
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') {
      ++line;
      in_comment = false;
      at_line_start = true;
      prefix = 0;
      prev = c;
      continue;
    }
    if (at_line_start) {
      if (c == ' ' || c == '\t' || c == '-' || c == '?' || c == ':') {
        if (++prefix > 4 * kMaxYamlDepth) {
          return Status::InvalidArgument(Location(file, line) + ": nesting too deep (more than " +
                                         std::to_string(4 * kMaxYamlDepth) +
                                         " columns of indentation and block indicators)");
        }
        prev = c;
        continue;
      }
      at_line_start = false;
    }
    if (in_comment) continue;
    if (in_double) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_double = false;
      }
    } else if (in_single) {
      if (c == '\'') in_single = false;  // '' re-enters on the next char: harmless here
    } else if (c == '#' && (prev == ' ' || prev == '\t' || prev == '\n')) {
      in_comment = true;
    } else if (c == '"') {
      in_double = true;
    } else if (c == '\'' && (prev == ' ' || prev == '[' || prev == '{' || prev == ',' ||
                             prev == ':' || prev == '-' || prev == '\n')) {
      in_single = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxYamlDepth) {
        return Status::InvalidArgument(Location(file, line) + ": nesting too deep (more than " +
                                       std::to_string(kMaxYamlDepth) + " levels of [ ] or { })");
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
    prev = c;
  }
  return Status::Ok();
}

}  // namespace

Result<LoadedFleet> LoadFleetText(const std::string& text, const std::string& source_name,
                                  const catalog::Catalog& catalog, const LoadOptions& options) {
  if (text.size() > kMaxFleetFileBytes) {
    return Status::OutOfRange(source_name + ": fleet file of " + FormatCount(text.size()) +
                              " bytes is over the " + FormatCount(kMaxFleetFileBytes) +
                              "-byte limit; use group counts instead of listing devices");
  }
  RETURN_IF_ERROR(CheckNesting(text, source_name));
  LoadedFleet out;
  out.fleet.source_file = source_name;
  Loader loader(source_name, catalog, options);
  try {
    // Not YAML::LoadAll: in yaml-cpp 0.7 it can loop forever on a stray token after the first
    // document (jbeder/yaml-cpp#1319, found by this loader's fuzz target). Parse events for at
    // most two documents instead, then build the first with YAML::Load.
    {
      std::istringstream stream(text);
      YAML::Parser parser(stream);
      DocumentMarks marks;
      if (parser.HandleNextDocument(marks) && parser.HandleNextDocument(marks) &&
          marks.starts.size() > 1) {
        const YAML::Mark& m = marks.starts[1];
        return Status::InvalidArgument(
            Location(source_name, m.line >= 0 ? m.line + 1 : 0, m.column >= 0 ? m.column + 1 : 0) +
            ": unexpected content after the first YAML document (a fleet file holds one "
            "document; a second '---' or a stray token)");
      }
    }
    YAML::Node root = YAML::Load(text);
    if (!root.IsDefined() || root.IsNull()) {
      return Status::InvalidArgument(source_name +
                                     ": empty fleet file (expected a map with 'name' and 'sites')");
    }
    loader.ParseFleet(root, &out.fleet);
  } catch (const YAML::Exception& e) {
    int line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
    int column = e.mark.column >= 0 ? e.mark.column + 1 : 0;
    return Status::InvalidArgument(Location(source_name, line, column) +
                                   ": YAML syntax error: " + Printable(e.msg, 200));
  } catch (const std::exception& e) {
    return Status::InvalidArgument(source_name +
                                   ": cannot read fleet: " + Printable(e.what(), 200));
  }
  RETURN_IF_ERROR(loader.Finish(&out));
  return out;
}

Result<LoadedFleet> LoadFleetFile(const std::string& path, const catalog::Catalog& catalog,
                                  const LoadOptions& options) {
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(path, kMaxFleetFileBytes));
  return LoadFleetText(text, path, catalog, options);
}

}  // namespace rigshift::fleet
