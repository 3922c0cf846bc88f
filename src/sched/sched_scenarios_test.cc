// Data-driven policy tests: every src/sched/testdata/*.yaml is a small scenario (a fleet inline,
// hourly prices, hashprice, GPU mining and GPU-hour prices, queued and running jobs) with cases
// (a policy, option overrides, expectations: modes per model, jobs started / not started /
// preempted, placements, reason substrings, site power). The format is documented in
// src/sched/testdata/README.md. Beyond each case's expectations, every plan is checked for the
// invariants every policy owes: the power envelope, whole gangs on one model and within the
// interconnect they need, and every AI device belonging to exactly one job.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "fleet/loader.h"
#include "gtest/gtest.h"
#include "sched/fleet_index.h"
#include "sched/policy.h"

namespace rigshift::sched {
namespace {

namespace fs = std::filesystem;

std::string TestDataDir() { return std::string(RIGSHIFT_SOURCE_DIR) + "/src/sched/testdata"; }

std::vector<std::string> ScenarioFiles() {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(TestDataDir(), ec)) {
    if (e.path().extension() == ".yaml") files.push_back(e.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// One loaded scenario: everything PolicyInput points at.
struct Scenario {
  fleet::Fleet fleet;
  fleet::FlatFleet flat;
  market::MarketData market;
  market::MarketData forecast;
  bool has_forecast = false;
  TimePoint now = 0;
  std::vector<workload::Job> jobs;  // queued first, then running
  std::vector<QueuedJob> queue;
  std::vector<std::vector<int32_t>> running_devices;
  std::vector<RunningJob> running;
  std::vector<Duration> checkpoint_ago;
  std::vector<uint8_t> up;
  std::vector<econ::Mode> current;
  std::vector<Power> cap_override;
};

market::PriceSeries Series(const std::string& name, TimePoint start, const YAML::Node& values) {
  market::PriceSeries s;
  s.name = name;
  s.start = start;
  s.step = kHour;
  for (const auto& v : values) s.values.push_back(UsdPerMwh(v.as<double>()));
  return s;
}

market::HashPriceSeries ConstHash(const std::string& name, TimePoint start, double usd_per_th_day) {
  market::HashPriceSeries s;
  s.name = name;
  s.start = start;
  s.step = kDay;
  s.values.assign(30, UsdPerThsDay(usd_per_th_day));
  return s;
}

workload::Interconnect ParseInterconnect(const std::string& s) {
  if (s == "pcie") return workload::Interconnect::kPcie;
  if (s == "nvlink") return workload::Interconnect::kNvlink;
  if (s == "network") return workload::Interconnect::kNetwork;
  return workload::Interconnect::kNone;
}

workload::Preemptibility ParsePreempt(const std::string& s) {
  if (s == "never") return workload::Preemptibility::kNever;
  if (s == "free") return workload::Preemptibility::kFree;
  return workload::Preemptibility::kCheckpoint;
}

workload::Job ParseJob(const YAML::Node& n, TimePoint start) {
  workload::Job j;
  j.id = n["id"].as<int64_t>();
  j.name = "job-" + std::to_string(j.id);
  j.gpus = n["gpus"] ? n["gpus"].as<int32_t>() : 1;
  j.min_memory_gb = n["mem"] ? n["mem"].as<double>() : 0;
  j.interconnect =
      ParseInterconnect(n["interconnect"] ? n["interconnect"].as<std::string>() : "none");
  j.network_gbps = n["network_gbps"] ? n["network_gbps"].as<double>() : 0;
  j.arrival = start + static_cast<int64_t>(
                          (n["arrival_hour"] ? n["arrival_hour"].as<double>() : 0) * kHour);
  j.work_gpu_seconds = (n["work_hours"] ? n["work_hours"].as<double>() : 1.0) * kHour * j.gpus;
  if (n["price"]) j.price = UsdPerGpuHour(n["price"].as<double>());
  if (n["deadline_hour"])
    j.deadline = start + static_cast<int64_t>(n["deadline_hour"].as<double>() * kHour);
  j.preemptibility = ParsePreempt(n["preempt"] ? n["preempt"].as<std::string>() : "checkpoint");
  j.restore_time =
      static_cast<Duration>((n["restore_min"] ? n["restore_min"].as<double>() : 2.0) * kMinute);
  j.priority = n["priority"] ? n["priority"].as<int32_t>() : 0;
  return j;
}

Scenario LoadScenario(const YAML::Node& doc, const std::string& file) {
  Scenario sc;
  auto loaded = fleet::LoadFleetText(doc["fleet"].as<std::string>(), file + ":fleet",
                                     catalog::Catalog::Builtin());
  EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
  if (!loaded.ok()) return sc;
  sc.fleet = loaded->fleet;
  sc.flat = fleet::Flatten(sc.fleet);
  const TimePoint start = ParseTimestamp(doc["start"].as<std::string>()).value();
  sc.now =
      start + static_cast<int64_t>((doc["now_hour"] ? doc["now_hour"].as<double>() : 0) * kHour);
  for (const auto& kv : doc["prices"]) {
    const std::string m = kv.first.as<std::string>();
    sc.market.electricity[m] = Series(m, start, kv.second);
  }
  if (doc["forecast"]) {
    sc.has_forecast = true;
    sc.forecast = sc.market;
    for (const auto& kv : doc["forecast"]) {
      const std::string m = kv.first.as<std::string>();
      sc.forecast.electricity[m] = Series(m, start, kv.second);
    }
  }
  sc.market.hashprice =
      ConstHash("hashprice", start, doc["hashprice"] ? doc["hashprice"].as<double>() : 0.0);
  if (doc["gpu_mining"]) {
    for (const auto& kv : doc["gpu_mining"]) {
      const std::string alg = kv.first.as<std::string>();
      sc.market.gpu_mining[alg] = ConstHash(alg, start, kv.second.as<double>());
    }
  }
  if (doc["gpu_prices"]) {
    for (const auto& kv : doc["gpu_prices"]) {
      const catalog::GpuModel* g = catalog::Catalog::Builtin().FindGpu(kv.first.as<std::string>());
      EXPECT_NE(g, nullptr) << kv.first.as<std::string>();
      if (g != nullptr)
        sc.market.gpu_prices.by_model[g->name] = UsdPerGpuHour(kv.second.as<double>());
    }
  }
  if (sc.has_forecast) {
    sc.forecast.hashprice = sc.market.hashprice;
    sc.forecast.gpu_mining = sc.market.gpu_mining;
    sc.forecast.gpu_prices = sc.market.gpu_prices;
  }
  // What every device does now: `current_mode` for all (default off); running jobs' devices ai.
  econ::Mode current = econ::Mode::kOff;
  if (doc["current_mode"]) {
    const std::string m = doc["current_mode"].as<std::string>();
    current = m == "mine" ? econ::Mode::kMine : m == "idle" ? econ::Mode::kIdle : econ::Mode::kOff;
  }
  sc.current.assign(sc.flat.device_count(), current);
  sc.up.assign(sc.flat.device_count(), 1);
  if (doc["down"]) {
    for (const auto& d : doc["down"]) sc.up[d.as<size_t>()] = 0;
  }
  if (doc["site_cap_mw"]) {
    sc.cap_override.assign(sc.fleet.sites.size(), Power());
    for (const auto& kv : doc["site_cap_mw"]) {
      for (size_t s = 0; s < sc.fleet.sites.size(); ++s) {
        if (sc.fleet.sites[s].id == kv.first.as<std::string>())
          sc.cap_override[s] = Megawatts(kv.second.as<double>());
      }
    }
  }
  const size_t queued = doc["jobs"] ? doc["jobs"].size() : 0;
  const size_t running = doc["running"] ? doc["running"].size() : 0;
  sc.jobs.reserve(queued + running);
  for (size_t i = 0; i < queued; ++i) sc.jobs.push_back(ParseJob(doc["jobs"][i], start));
  for (size_t i = 0; i < running; ++i) sc.jobs.push_back(ParseJob(doc["running"][i], start));
  for (size_t i = 0; i < queued; ++i) {
    const YAML::Node& n = doc["jobs"][i];
    QueuedJob q;
    q.job = &sc.jobs[i];
    q.remaining_work = q.job->work_gpu_seconds;
    q.attained_gpu_seconds =
        (n["attained_gpu_hours"] ? n["attained_gpu_hours"].as<double>() : 0) * kHour;
    q.queued_since = q.job->arrival;
    sc.queue.push_back(q);
  }
  sc.running_devices.resize(running);
  for (size_t i = 0; i < running; ++i) {
    const YAML::Node& n = doc["running"][i];
    for (const auto& d : n["devices"]) {
      sc.running_devices[i].push_back(d.as<int32_t>());
      sc.current[d.as<size_t>()] = econ::Mode::kAi;
    }
    RunningJob r;
    r.job = &sc.jobs[queued + i];
    r.devices = sc.running_devices[i];
    r.start = start + static_cast<int64_t>(
                          (n["started_hour"] ? n["started_hour"].as<double>() : -1) * kHour);
    // Relative to the case's `now` (set per case): hours since the last checkpoint.
    sc.checkpoint_ago.push_back(static_cast<Duration>(
        (n["checkpoint_hours_ago"] ? n["checkpoint_hours_ago"].as<double>() : 1.0) * kHour));
    r.remaining_work = r.job->work_gpu_seconds;
    sc.running.push_back(r);
  }
  return sc;
}

PolicyOptions ParseOptions(PolicyOptions o, const YAML::Node& n) {
  if (!n) return o;
  if (n["order"]) o.order = ParseJobOrder(n["order"].as<std::string>()).value();
  if (n["horizon_hours"]) o.horizon_hours = n["horizon_hours"].as<int>();
  if (n["preempt_hysteresis"]) o.preempt_hysteresis = n["preempt_hysteresis"].as<double>();
  if (n["threshold_margin_permille"])
    o.threshold_margin_permille = n["threshold_margin_permille"].as<int64_t>();
  if (n["curtail_above"]) o.curtail_above = UsdPerMwh(n["curtail_above"].as<double>());
  if (n["ramp_limit_permille_per_hour"])
    o.ramp_limit_permille_per_hour = n["ramp_limit_permille_per_hour"].as<int64_t>();
  if (n["las_thresholds_gpu_hours"]) {
    o.las.thresholds_gpu_seconds.clear();
    for (const auto& t : n["las_thresholds_gpu_hours"])
      o.las.thresholds_gpu_seconds.push_back(t.as<double>() * kHour);
  }
  return o;
}

std::string ModelName(const fleet::FlatFleet& flat, size_t d) {
  if (flat.gpu[d] != nullptr) return flat.gpu[d]->name;
  if (flat.asic[d] != nullptr) return flat.asic[d]->name;
  return "?";
}

// Invariants every plan owes, whatever the policy.
void CheckInvariants(const Scenario& sc, const Plan& plan, const std::string& where) {
  ASSERT_EQ(plan.mode.size(), sc.flat.device_count()) << where;
  ASSERT_EQ(plan.device_reason.size(), sc.flat.device_count()) << where;
  for (uint32_t r : plan.device_reason) ASSERT_LT(r, plan.reasons.size()) << where;
  std::vector<int> owner(sc.flat.device_count(), 0);
  std::set<int32_t> preempted;
  for (const auto& p : plan.preemptions) preempted.insert(p.running_index);
  for (size_t r = 0; r < sc.running.size(); ++r) {
    if (preempted.count(static_cast<int32_t>(r))) continue;
    for (int32_t d : sc.running[r].devices) ++owner[static_cast<size_t>(d)];
  }
  for (const auto& s : plan.starts) {
    const workload::Job& job = *sc.queue[static_cast<size_t>(s.queue_index)].job;
    EXPECT_EQ(static_cast<int32_t>(s.devices.size()), job.gpus) << where << " job " << job.id;
    std::set<int32_t> nodes;
    std::set<std::string> models;
    for (int32_t d : s.devices) {
      ++owner[static_cast<size_t>(d)];
      nodes.insert(sc.flat.node[static_cast<size_t>(d)]);
      models.insert(ModelName(sc.flat, static_cast<size_t>(d)));
      EXPECT_TRUE(sc.up[static_cast<size_t>(d)])
          << where << " job " << job.id << " on a down device";
      EXPECT_GE(sc.flat.gpu[static_cast<size_t>(d)]->memory_gb, job.min_memory_gb) << where;
    }
    EXPECT_EQ(models.size(), 1u) << where << " job " << job.id << " spans models";
    if (job.interconnect == workload::Interconnect::kPcie ||
        job.interconnect == workload::Interconnect::kNvlink) {
      EXPECT_EQ(nodes.size(), 1u) << where << " job " << job.id << " must sit on one node";
    }
    for (int32_t n : nodes) {
      if (job.gpus > 1 && job.interconnect == workload::Interconnect::kNvlink) {
        EXPECT_TRUE(sc.flat.node_nvlink[static_cast<size_t>(n)]) << where << " job " << job.id;
      }
      if (job.gpus > 1 && job.interconnect == workload::Interconnect::kPcie) {
        EXPECT_GE(sc.flat.node_pcie_lanes_per_gpu[static_cast<size_t>(n)], 8)
            << where << " job " << job.id;
      }
    }
  }
  for (size_t d = 0; d < owner.size(); ++d) {
    if (plan.mode[d] == econ::Mode::kAi) {
      EXPECT_EQ(owner[d], 1) << where << " AI device " << d << " must belong to exactly one job";
    } else {
      EXPECT_EQ(owner[d], 0) << where << " device " << d << " of a job is not in AI mode";
    }
  }
  ASSERT_EQ(plan.site_power.size(), sc.fleet.sites.size()) << where;
  for (size_t s = 0; s < plan.site_power.size(); ++s) {
    EXPECT_LE(plan.site_power[s].facility, plan.site_power[s].cap)
        << where << " site " << sc.fleet.sites[s].id;
  }
}

// Reasons the plan actually uses.
std::vector<std::string_view> UsedReasons(const Plan& plan) {
  std::set<uint32_t> used(plan.device_reason.begin(), plan.device_reason.end());
  for (const auto& s : plan.starts) used.insert(s.reason);
  for (const auto& p : plan.preemptions) used.insert(p.reason);
  for (const auto& w : plan.waits) used.insert(w.reason);
  std::vector<std::string_view> out;
  for (uint32_t r : used) out.push_back(plan.reasons[r]);
  return out;
}

class ScenarioTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ScenarioTest, PoliciesDecideAsExpected) {
  const std::string file = GetParam();
  YAML::Node doc = YAML::LoadFile(TestDataDir() + "/" + file);
  Scenario sc = LoadScenario(doc, file);
  ASSERT_FALSE(sc.flat.device_count() == 0) << file;
  ASSERT_TRUE(doc["cases"] && doc["cases"].size() > 0) << file << ": no cases";
  const FleetIndex index = FleetIndex::Build(sc.flat);
  const PolicyOptions base = ParseOptions(PolicyOptions{}, doc["options"]);
  for (const auto& c : doc["cases"]) {
    const std::string policy_name = c["policy"].as<std::string>();
    const std::string where =
        file + " [" + (c["name"] ? c["name"].as<std::string>() : policy_name) + "]";
    const PolicyOptions opts = ParseOptions(base, c["options"]);
    auto policy = MakePolicy(policy_name, opts);
    ASSERT_TRUE(policy.ok()) << where << ": " << policy.status().ToString();
    PolicyInput in;
    in.fleet = &sc.fleet;
    in.flat = &sc.flat;
    in.index = c["no_index"] ? nullptr : &index;
    in.device_up = sc.up;
    in.current_mode = sc.current;
    in.market = &sc.market;
    in.forecast = sc.has_forecast ? &sc.forecast : nullptr;
    in.now = sc.now;
    if (c["now_hour"])
      in.now = ParseTimestamp(doc["start"].as<std::string>()).value() +
               c["now_hour"].as<int64_t>() * kHour;
    for (size_t r = 0; r < sc.running.size(); ++r)
      sc.running[r].last_checkpoint = in.now - sc.checkpoint_ago[r];
    in.queue = sc.queue;
    in.running = sc.running;
    in.site_cap_override = sc.cap_override;
    Rng rng(1);
    const Plan plan = (*policy)->Decide(in, rng);
    CheckInvariants(sc, plan, where);
    const YAML::Node& ex = c["expect"];
    if (!ex) continue;
    // Modes per model.
    if (ex["modes"]) {
      std::map<std::string, std::map<std::string, int>> got;
      for (size_t d = 0; d < plan.mode.size(); ++d)
        ++got[ModelName(sc.flat, d)][econ::ModeName(plan.mode[d])];
      for (const auto& m : ex["modes"]) {
        const std::string model = m.first.as<std::string>();
        for (const auto& kv : m.second) {
          const std::string mode = kv.first.as<std::string>();
          EXPECT_EQ(got[model][mode], kv.second.as<int>())
              << where << ": " << model << " in " << mode;
        }
      }
    }
    std::map<int64_t, const JobStart*> started;
    std::vector<int64_t> start_order;
    for (const auto& s : plan.starts) {
      started[s.job] = &s;
      start_order.push_back(s.job);
    }
    std::set<int64_t> preempted;
    for (const auto& p : plan.preemptions) preempted.insert(p.job);
    if (ex["started"]) {
      std::set<int64_t> want;
      for (const auto& j : ex["started"]) want.insert(j.as<int64_t>());
      std::set<int64_t> have;
      for (const auto& [id, s] : started) have.insert(id);
      EXPECT_EQ(have, want) << where << ": started jobs";
    }
    if (ex["start_order"]) {
      std::vector<int64_t> want;
      for (const auto& j : ex["start_order"]) want.push_back(j.as<int64_t>());
      EXPECT_EQ(start_order, want) << where << ": start order";
    }
    if (ex["not_started"]) {
      for (const auto& j : ex["not_started"])
        EXPECT_EQ(started.count(j.as<int64_t>()), 0u) << where << ": job " << j;
    }
    if (ex["preempted"]) {
      std::set<int64_t> want;
      for (const auto& j : ex["preempted"]) want.insert(j.as<int64_t>());
      EXPECT_EQ(preempted, want) << where << ": preempted jobs";
    }
    if (ex["models"]) {
      for (const auto& kv : ex["models"]) {
        const int64_t id = kv.first.as<int64_t>();
        ASSERT_TRUE(started.count(id)) << where << ": job " << id << " not started";
        for (int32_t d : started[id]->devices) {
          EXPECT_EQ(ModelName(sc.flat, static_cast<size_t>(d)), kv.second.as<std::string>())
              << where << ": job " << id;
        }
      }
    }
    if (ex["sites"]) {
      for (const auto& kv : ex["sites"]) {
        const int64_t id = kv.first.as<int64_t>();
        ASSERT_TRUE(started.count(id)) << where << ": job " << id << " not started";
        for (int32_t d : started[id]->devices) {
          const auto s = static_cast<size_t>(sc.flat.site[static_cast<size_t>(d)]);
          EXPECT_EQ(sc.fleet.sites[s].id, kv.second.as<std::string>()) << where << ": job " << id;
        }
      }
    }
    if (ex["reasons"]) {
      const auto used = UsedReasons(plan);
      for (const auto& r : ex["reasons"]) {
        const std::string want = r.as<std::string>();
        const bool found = std::any_of(used.begin(), used.end(), [&](std::string_view s) {
          return s.find(want) != std::string_view::npos;
        });
        std::string all;
        for (auto s : used) all += "\n  " + std::string(s);
        EXPECT_TRUE(found) << where << ": no reason contains '" << want << "'; reasons:" << all;
      }
    }
    if (ex["site_facility_max_mw"]) {
      for (const auto& kv : ex["site_facility_max_mw"]) {
        for (size_t s = 0; s < sc.fleet.sites.size(); ++s) {
          if (sc.fleet.sites[s].id != kv.first.as<std::string>()) continue;
          EXPECT_LE(ToMegawatts(plan.site_power[s].facility), kv.second.as<double>()) << where;
        }
      }
    }
    if (ex["site_facility_min_mw"]) {
      for (const auto& kv : ex["site_facility_min_mw"]) {
        for (size_t s = 0; s < sc.fleet.sites.size(); ++s) {
          if (sc.fleet.sites[s].id != kv.first.as<std::string>()) continue;
          EXPECT_GE(ToMegawatts(plan.site_power[s].facility), kv.second.as<double>()) << where;
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Scenarios, ScenarioTest, ::testing::ValuesIn(ScenarioFiles()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string n = param_info.param.substr(0, param_info.param.size() - 5);
                           for (char& ch : n) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return n;
                         });

TEST(ScenarioFiles, ThereAreScenarios) { EXPECT_GE(ScenarioFiles().size(), 8u); }

TEST(MakePolicy, UnknownNameListsKnownOnes) {
  auto p = MakePolicy("nope", PolicyOptions{});
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("rigshift"), std::string::npos);
}

}  // namespace
}  // namespace rigshift::sched
