// The fleet loader on the shipped examples and on behaviour the bad-case set (tests/fleet_bad)
// does not pin: parsed values, defaults, error collection, limits, aliases.
#include "fleet/loader.h"

#include <gtest/gtest.h>

#include <string>

#include "catalog/catalog.h"
#include "core/text.h"

namespace rigshift::fleet {
namespace {

std::string Example(const std::string& name) {
  return std::string(RIGSHIFT_SOURCE_DIR) + "/examples/" + name;
}

Result<LoadedFleet> Load(const std::string& text, bool strict = false) {
  LoadOptions options;
  options.strict = strict;
  return LoadFleetText(text, "t.yaml", catalog::Catalog::Builtin(), options);
}

constexpr char kMinimal[] = R"(name: minimal
sites:
  - id: s
    grid_cap_mw: 1
    cooling: {kind: air}
    pue: 1.2
    tariff: {market: ercot}
    halls:
      - id: h
        racks:
          - id: r
            nodes:
              - id: n
                devices:
                  - model: RTX 3090
)";

TEST(LoaderExamplesTest, EthGpuFarmLoadsCleanAndParsesSiteFields) {
  // Scenario: the former Ethereum farm validates with no warning; spot-check the parsed values.
  auto loaded = LoadFleetFile(Example("eth-gpu-farm-ercot.yaml"), catalog::Catalog::Builtin());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_TRUE(loaded->warnings.empty());
  const Fleet& f = loaded->fleet;
  EXPECT_EQ(f.name, "pecos-former-eth-farm");
  ASSERT_EQ(f.sites.size(), 1u);
  const Site& s = f.sites[0];
  EXPECT_EQ(s.id, "pecos");
  EXPECT_EQ(s.location, "Pecos, Texas, US");
  EXPECT_EQ(s.grid_cap, Megawatts(5));
  EXPECT_EQ(s.cooling, CoolingKind::kAir);
  EXPECT_EQ(s.cooling_capacity, Megawatts(4.8));
  EXPECT_EQ(s.pue_milli, 1080);
  EXPECT_EQ(s.tariff.market, "ercot");
  EXPECT_EQ(s.tariff.adder.raw(), 9'500'000);  // 9.50 USD/MWh in uUSD/MWh
  EXPECT_EQ(s.tariff.demand_charge_per_kw_month, Usd(2));
  EXPECT_DOUBLE_EQ(s.uplink_gbps, 10);
  EXPECT_EQ(s.redundancy_tier, 1);
  EXPECT_DOUBLE_EQ(s.floor_space_m2, 3200);
  ASSERT_EQ(s.halls.size(), 2u);
  const RackGroup& shelf = s.halls[0].racks[0];
  EXPECT_EQ(shelf.id, "shelf-3070");
  EXPECT_EQ(shelf.count, 45);
  EXPECT_EQ(shelf.power_limit, Kilowatts(17.3));
  const NodeGroup& rig = shelf.nodes[0];
  EXPECT_EQ(rig.count, 8);
  EXPECT_EQ(rig.cpu_cores, 2);
  EXPECT_DOUBLE_EQ(rig.ram_gb, 4);
  EXPECT_EQ(rig.pcie_lanes_per_gpu, 1);  // riser: x1
  EXPECT_EQ(rig.host_power, Watts(170));
  ASSERT_EQ(rig.devices.size(), 1u);
  ASSERT_NE(rig.devices[0].gpu, nullptr);
  EXPECT_EQ(rig.devices[0].gpu->name, "GeForce RTX 3070");
  EXPECT_EQ(rig.devices[0].loc.line, 58);  // where "model: RTX 3070" stands
  // The RX 580 group keeps its mining algorithm.
  EXPECT_EQ(s.halls[1].racks[0].nodes[0].devices[0].mode, "Ethash");
}

TEST(LoaderExamplesTest, AsicSiteLoadsCleanWithModes) {
  // Scenario: ASIC groups default to the normal mode; the binned S19s keep 'bin-90T'.
  auto loaded = LoadFleetFile(Example("asic-hydro-ercot.yaml"), catalog::Catalog::Builtin());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_TRUE(loaded->warnings.empty());
  const Site& s = loaded->fleet.sites[0];
  EXPECT_EQ(s.cooling, CoolingKind::kHydro);
  const DeviceGroup& s21 = s.halls[0].racks[0].nodes[0].devices[0];
  EXPECT_EQ(s21.kind, catalog::DeviceKind::kAsic);
  ASSERT_NE(s21.asic, nullptr);
  EXPECT_EQ(s21.asic->name, "Antminer S21 Hydro");
  EXPECT_EQ(s21.mode, "normal");
  EXPECT_EQ(s21.count, 1);
  EXPECT_EQ(s.halls[1].racks[1].nodes[0].devices[0].mode, "bin-90T");
  EXPECT_TRUE(s.tariff.demand_charge_per_kw_month.IsZero());
}

TEST(LoaderExamplesTest, TwoSiteExampleHasItsOneIntendedWarning) {
  // Scenario: Massena's nameplate is over its grid cap on purpose (see the file's comments):
  // a warning normally, an error with --strict.
  auto loaded = LoadFleetFile(Example("two-site-nyiso.yaml"), catalog::Catalog::Builtin());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  ASSERT_EQ(loaded->warnings.size(), 1u);
  const Diagnostic& w = loaded->warnings[0];
  EXPECT_EQ(w.severity, Severity::kWarning);
  EXPECT_EQ(w.loc.path, "sites[0].grid_cap_mw");
  EXPECT_NE(w.message.find("exceeds the grid cap 7.50 MW"), std::string::npos) << w.message;

  LoadOptions strict;
  strict.strict = true;
  auto rejected =
      LoadFleetFile(Example("two-site-nyiso.yaml"), catalog::Catalog::Builtin(), strict);
  ASSERT_FALSE(rejected.ok());
  EXPECT_NE(rejected.status().message().find("sites[0].grid_cap_mw"), std::string::npos);

  const NodeGroup& dgx = loaded->fleet.sites[1].halls[0].racks[0].nodes[0];
  EXPECT_TRUE(dgx.nvlink);
  EXPECT_EQ(dgx.pcie_lanes_per_gpu, 16);
  EXPECT_DOUBLE_EQ(dgx.ram_gb, 2048);
  EXPECT_DOUBLE_EQ(dgx.nic_gbps, 400);
  EXPECT_EQ(dgx.devices[0].gpu->name, "H100 SXM5 80GB");
}

TEST(LoaderTest, DefaultsForOptionalFields) {
  // Scenario: a minimal file: counts default to 1, x16 slots, no rack limit, tier 1, name = id.
  auto loaded = Load(kMinimal);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const Site& s = loaded->fleet.sites[0];
  EXPECT_EQ(s.name, "s");
  EXPECT_EQ(s.redundancy_tier, 1);
  EXPECT_TRUE(s.cooling_capacity.IsZero());
  const RackGroup& r = s.halls[0].racks[0];
  EXPECT_EQ(r.count, 1);
  EXPECT_TRUE(r.power_limit.IsZero());
  EXPECT_EQ(r.nodes[0].count, 1);
  EXPECT_EQ(r.nodes[0].pcie_lanes_per_gpu, 16);
  EXPECT_FALSE(r.nodes[0].nvlink);
  EXPECT_EQ(r.nodes[0].devices[0].count, 1);
  EXPECT_EQ(r.nodes[0].devices[0].mode, "");
  EXPECT_EQ(loaded->fleet.source_file, "t.yaml");
}

TEST(LoaderTest, ReportsEveryErrorInFileOrder) {
  // Scenario: three independent mistakes; one load names all three, sorted by line.
  std::string text = kMinimal;
  text.replace(text.find("pue: 1.2"), 8, "pue: abc");
  text.replace(text.find("kind: air"), 9, "kind: gas");
  text.replace(text.find("RTX 3090"), 8, "RTX 9999");
  auto loaded = Load(text);
  ASSERT_FALSE(loaded.ok());
  const std::vector<std::string> lines = Split(loaded.status().message(), '\n');
  ASSERT_EQ(lines.size(), 3u) << loaded.status().message();
  EXPECT_EQ(lines[0].rfind("t.yaml:5:", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find("sites[0].cooling.kind"), std::string::npos);
  EXPECT_EQ(lines[1].rfind("t.yaml:6:10: sites[0].pue: expected a number", 0), 0u) << lines[1];
  EXPECT_EQ(lines[2].rfind("t.yaml:15:28: sites[0].halls[0].racks[0].nodes[0].devices[0].model", 0),
            0u)
      << lines[2];
}

TEST(LoaderTest, AnchorsAndAliasesReuseANodeSpec) {
  // Scenario: a rig spec written once and reused by alias in two racks.
  const std::string text = R"(name: alias
sites:
  - id: s
    grid_cap_mw: 1
    cooling: {kind: air}
    pue: 1.1
    tariff: {market: pjm}
    halls:
      - id: h
        racks:
          - id: a
            nodes: [&rig {id: rig, count: 2, riser: x1, devices: [{model: RX 580, count: 8}]}]
          - id: b
            nodes: [*rig]
)";
  auto loaded = Load(text);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const Hall& h = loaded->fleet.sites[0].halls[0];
  ASSERT_EQ(h.racks.size(), 2u);
  EXPECT_EQ(h.racks[1].nodes[0].count, 2);
  EXPECT_EQ(h.racks[1].nodes[0].devices[0].count, 8);
}

TEST(LoaderTest, AliasBombIsCutOffNotWalked) {
  // Scenario: nested aliases would make 10^8 racks to walk; the element budget stops it.
  // Twenty copies at each of the five list levels: 20^5 = 3.2 million devices to walk, from
  // distinct ids where they matter so that the walk itself (not an error cap) has to stop it.
  auto copies = [](const std::string& anchor) {
    std::string out;
    for (int i = 0; i < 19; ++i) out += ", *" + anchor;
    return out;
  };
  std::string text =
      "name: bomb\nsites: [&a {id: s, grid_cap_mw: 1, cooling: {kind: air}, "
      "pue: 1.1, tariff: {market: ercot}, halls: [&b {id: h, racks: [&c {id: r, "
      "nodes: [&d {id: n, devices: [&e {model: S19}" +
      copies("e") + "]}" + copies("d") + "]}" + copies("c") + "]}" + copies("b") + "]}" +
      copies("a") + "]\n";
  // The copies repeat ids; after kMaxReportedErrors of those the walk stops (in milliseconds).
  auto loaded = Load(text);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("too many errors; stopped after 50"), std::string::npos)
      << loaded.status().message().substr(0, 500);
}

TEST(LoaderTest, ElementBudgetStopsHugeLists) {
  // Scenario: 250,000 aliased device entries (no ids to clash): the element budget ends the walk.
  std::string text = R"(name: long
sites:
  - id: s
    grid_cap_mw: 1
    cooling: {kind: air}
    pue: 1.1
    tariff: {market: ercot}
    halls:
      - id: h
        racks:
          - id: r
            nodes:
              - id: n
                devices: [&e {model: S19})";
  for (int i = 0; i < 250'000; ++i) text += ",*e";
  text += "]\n";
  auto loaded = Load(text);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("more than 200,000 YAML elements"), std::string::npos)
      << loaded.status().message().substr(0, 500);
}

TEST(LoaderTest, RejectsOversizedInput) {
  // Scenario: a 17 MiB file is refused before parsing, with the limit in the message.
  std::string text(kMaxFleetFileBytes + 1, ' ');
  auto loaded = Load(text);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kOutOfRange);
  EXPECT_NE(loaded.status().message().find("byte limit"), std::string::npos);
}

TEST(LoaderTest, RejectsDeepBlockNesting) {
  // Scenario: "- - - - ..." nests lists without brackets; the guard stops it before yaml-cpp.
  std::string text = "name: x\nsites:\n";
  for (int i = 0; i < 300; ++i) text += "- ";
  text += "a\n";
  auto loaded = Load(text);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("t.yaml:3: nesting too deep"), std::string::npos)
      << loaded.status().message();
}

TEST(LoaderTest, MissingFileIsAnIoError) {
  auto loaded = LoadFleetFile("/nonexistent/fleet.yaml", catalog::Catalog::Builtin());
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kIoError);
  EXPECT_NE(loaded.status().message().find("/nonexistent/fleet.yaml"), std::string::npos);
}

TEST(LoaderTest, StrictChangesNothingForACleanFile) {
  auto loaded = Load(kMinimal, /*strict=*/true);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_TRUE(loaded->warnings.empty());
}

TEST(LoaderTest, ModelLookupUsesCatalogueAliases) {
  // Scenario: "rtx3090" and "GeForce RTX 3090" name the same card.
  for (const char* name : {"rtx3090", "GeForce RTX 3090", "3090"}) {
    std::string text = kMinimal;
    text.replace(text.find("RTX 3090"), 8, name);
    auto loaded = Load(text);
    ASSERT_TRUE(loaded.ok()) << name << ": " << loaded.status().message();
    EXPECT_EQ(loaded->fleet.sites[0].halls[0].racks[0].nodes[0].devices[0].gpu->name,
              "GeForce RTX 3090");
  }
}

TEST(DiagnosticTest, ToStringNamesLocationPathAndSeverity) {
  Diagnostic d;
  d.severity = Severity::kWarning;
  d.loc = {"f.yaml", 3, 7, "sites[0].pue"};
  d.message = "m";
  EXPECT_EQ(d.ToString(), "f.yaml:3:7: warning: sites[0].pue: m");
  d.severity = Severity::kError;
  d.loc.column = 0;
  EXPECT_EQ(d.ToString(), "f.yaml:3: sites[0].pue: m");
}

}  // namespace
}  // namespace rigshift::fleet
