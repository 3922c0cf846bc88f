#include "sched/fifo_perf.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "workload/speed_model.h"

namespace rigshift::sched {
namespace {

constexpr int32_t kNone = -1;

// A pool: the healthy GPUs of one catalogue model at one site.
struct Pool {
  int32_t site = 0;
  const catalog::GpuModel* gpu = nullptr;
  std::vector<int32_t> devices;  // ascending
  int32_t free = 0;              // during the allocation pass
};

// One job in the pass: running (running_index >= 0) or queued (queue_index >= 0).
struct Entry {
  const workload::Job* job = nullptr;
  int32_t running_index = kNone;
  int32_t queue_index = kNone;
  int32_t current_pool = kNone;  // running jobs whose GPUs are all healthy and in one pool
  int32_t pool = kNone;          // allocated pool
  double rate = 0;               // rate there
};

std::string Fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, v);
  return buf;
}

}  // namespace

Plan FifoPerfPolicy::Decide(const PolicyInput& in, Rng& /*rng*/) const {
  const fleet::FlatFleet& flat = *in.flat;
  const size_t n = flat.device_count();
  auto up = [&](size_t d) { return in.device_up.empty() || in.device_up[d] != 0; };

  Plan plan;
  plan.mode.assign(n, econ::Mode::kIdle);
  plan.device_reason.assign(n, 0);
  const uint32_t idle_reason = plan.AddReason("idle: no job allocated here (fifo_perf)");
  const uint32_t asic_reason = plan.AddReason("off: fifo_perf runs AI only");
  const uint32_t down_reason = plan.AddReason("off: device down");

  // Pools, ordered by (model name, site) as Gavel orders worker types by name.
  std::vector<Pool> pools;
  std::vector<int32_t> device_pool(n, kNone);
  {
    std::vector<std::pair<std::pair<int32_t, const catalog::GpuModel*>, int32_t>> keys;
    for (size_t d = 0; d < n; ++d) {
      if (flat.kind[d] != catalog::DeviceKind::kGpu || flat.gpu[d] == nullptr) {
        plan.mode[d] = econ::Mode::kOff;
        plan.device_reason[d] = asic_reason;
        continue;
      }
      if (!up(d)) {
        plan.mode[d] = econ::Mode::kOff;
        plan.device_reason[d] = down_reason;
        continue;
      }
      auto key = std::make_pair(flat.site[d], flat.gpu[d]);
      int32_t p = kNone;
      for (const auto& [k, idx] : keys) {
        if (k == key) {
          p = idx;
          break;
        }
      }
      if (p == kNone) {
        p = static_cast<int32_t>(pools.size());
        keys.emplace_back(key, p);
        pools.push_back({flat.site[d], flat.gpu[d], {}, 0});
      }
      pools[static_cast<size_t>(p)].devices.push_back(static_cast<int32_t>(d));
      device_pool[d] = p;
    }
    // Sort pools and remap.
    std::vector<int32_t> order(pools.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int32_t>(i);
    std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
      const Pool& pa = pools[static_cast<size_t>(a)];
      const Pool& pb = pools[static_cast<size_t>(b)];
      return std::tie(pa.gpu->name, pa.site) < std::tie(pb.gpu->name, pb.site);
    });
    std::vector<int32_t> remap(pools.size());
    std::vector<Pool> sorted;
    sorted.reserve(pools.size());
    for (size_t i = 0; i < order.size(); ++i) {
      remap[static_cast<size_t>(order[i])] = static_cast<int32_t>(i);
      sorted.push_back(std::move(pools[static_cast<size_t>(order[i])]));
    }
    pools = std::move(sorted);
    for (auto& p : device_pool) {
      if (p != kNone) p = remap[static_cast<size_t>(p)];
    }
  }

  auto rate_on = [&](const workload::Job& job, const Pool& pool) -> double {
    if (options_.speed != nullptr) return options_.speed->Rate(job, *pool.gpu);
    return pool.gpu->memory_gb >= job.min_memory_gb ? 1.0 : 0.0;
  };
  // Rates per job shape, computed once per call: jobs of one (type, gang, memory, work unit)
  // share them (Gavel's traces have a few dozen shapes for thousands of jobs).
  // Filled lazily: a pool without room for the job is never asked.
  constexpr double kUnknown = -2;
  struct ShapeRates {
    const workload::Job* example = nullptr;
    std::vector<double> rate;  // per pool; kUnknown until asked
  };
  std::vector<ShapeRates> shapes;
  auto rates_of = [&](const workload::Job& job) -> std::vector<double>& {
    for (ShapeRates& sr : shapes) {
      const workload::Job& x = *sr.example;
      if (x.gpus == job.gpus && x.min_memory_gb == job.min_memory_gb &&
          (x.total_steps > 0) == (job.total_steps > 0) && x.job_type == job.job_type &&
          x.reference_gpu == job.reference_gpu) {
        return sr.rate;
      }
    }
    shapes.push_back({&job, std::vector<double>(pools.size(), kUnknown)});
    return shapes.back().rate;
  };

  // 1. Every job in arrival order, ties by id.
  std::vector<Entry> entries;
  entries.reserve(in.running.size() + in.queue.size());
  for (size_t i = 0; i < in.running.size(); ++i) {
    const RunningJob& r = in.running[i];
    Entry e;
    e.job = r.job;
    e.running_index = static_cast<int32_t>(i);
    int32_t p = r.devices.empty() ? kNone : device_pool[static_cast<size_t>(r.devices[0])];
    for (int32_t d : r.devices) {
      if (device_pool[static_cast<size_t>(d)] != p) p = kNone;
    }
    e.current_pool = p;
    entries.push_back(e);
  }
  for (size_t i = 0; i < in.queue.size(); ++i) {
    Entry e;
    e.job = in.queue[i].job;
    e.queue_index = static_cast<int32_t>(i);
    entries.push_back(e);
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::make_pair(a.job->arrival, a.job->id) < std::make_pair(b.job->arrival, b.job->id);
  });

  // 2-3. The allocation pass (Gavel's FIFOPolicy.get_allocation in 'perf' mode).
  for (Pool& p : pools) p.free = static_cast<int32_t>(p.devices.size());
  size_t stopped_at = entries.size();
  for (size_t i = 0; i < entries.size(); ++i) {
    Entry& e = entries[i];
    int32_t best = kNone;
    double best_rate = -1;
    std::vector<double>& rates = rates_of(*e.job);
    for (size_t p = 0; p < pools.size(); ++p) {
      if (pools[p].free < e.job->gpus) continue;
      if (rates[p] == kUnknown) rates[p] = rate_on(*e.job, pools[p]);
      const double r = rates[p];
      if (r > best_rate) {
        best_rate = r;
        best = static_cast<int32_t>(p);
      }
    }
    if (best == kNone) {
      stopped_at = i;
      break;
    }
    e.pool = best;
    e.rate = best_rate;
    pools[static_cast<size_t>(best)].free -= e.job->gpus;
  }

  // Device assignment. taken[d]: 1 when kept, started or held.
  std::vector<uint8_t> taken(n, 0);
  // Running jobs that stay where they are keep their GPUs first.
  std::vector<uint8_t> keep(entries.size(), 0);
  std::vector<uint32_t> keep_reason(pools.size(), UINT32_MAX);  // one shared text per pool
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    if (e.running_index == kNone || e.pool == kNone || e.rate <= 0) continue;
    if (e.pool != e.current_pool) continue;
    keep[i] = 1;
    const RunningJob& r = in.running[static_cast<size_t>(e.running_index)];
    uint32_t& reason = keep_reason[static_cast<size_t>(e.pool)];
    if (reason == UINT32_MAX) {
      reason =
          plan.AddReason("ai: the job keeps its " + pools[static_cast<size_t>(e.pool)].gpu->name +
                         " GPUs (still the fastest type with room for it, in arrival order)");
    }
    for (int32_t d : r.devices) {
      taken[static_cast<size_t>(d)] = 1;
      plan.mode[static_cast<size_t>(d)] = econ::Mode::kAi;
      plan.device_reason[static_cast<size_t>(d)] = reason;
    }
  }

  // Picks `count` untaken GPUs of a pool: the node with the fewest free that holds them all,
  // else (when the gang may span nodes) the lowest-numbered ones.
  auto pick = [&](const Pool& pool, const workload::Job& job) -> std::vector<int32_t> {
    const int32_t count = job.gpus;
    std::vector<std::pair<int32_t, std::vector<int32_t>>> by_node;  // node -> free devices
    for (int32_t d : pool.devices) {
      if (taken[static_cast<size_t>(d)]) continue;
      const int32_t node = flat.node[static_cast<size_t>(d)];
      if (by_node.empty() || by_node.back().first != node) by_node.push_back({node, {}});
      by_node.back().second.push_back(d);
    }
    const std::vector<int32_t>* best = nullptr;
    for (const auto& [node, devs] : by_node) {
      if (static_cast<int32_t>(devs.size()) >= count &&
          (best == nullptr || devs.size() < best->size())) {
        best = &devs;
      }
    }
    std::vector<int32_t> out;
    if (best != nullptr) {
      out.assign(best->begin(), best->begin() + count);
      return out;
    }
    const bool one_node = job.interconnect == workload::Interconnect::kPcie ||
                          job.interconnect == workload::Interconnect::kNvlink;
    if (one_node) return out;
    for (const auto& [node, devs] : by_node) {
      for (int32_t d : devs) {
        if (static_cast<int32_t>(out.size()) == count) break;
        out.push_back(d);
      }
    }
    if (static_cast<int32_t>(out.size()) < count) out.clear();
    std::sort(out.begin(), out.end());
    return out;
  };

  // Starts (queued jobs and migrations) and holds (rate 0), in the pass order.
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    if (keep[i]) continue;
    const std::string id = std::to_string(e.job->id);
    if (e.pool == kNone) {
      if (e.running_index != kNone) {
        const std::string why =
            i >= stopped_at && stopped_at < entries.size()
                ? "preempted: the FIFO pass stopped at job " +
                      std::to_string(entries[stopped_at].job->id) + " (no type has " +
                      std::to_string(entries[stopped_at].job->gpus) + " free GPUs; no backfill)"
                : "preempted: not allocated";
        plan.preemptions.push_back({e.job->id, e.running_index, plan.AddReason(why)});
      }
      continue;
    }
    const Pool& pool = pools[static_cast<size_t>(e.pool)];
    if (e.rate <= 0) {
      // Gavel's rule: allocated on a zero-throughput type, the job holds the GPUs but never runs.
      if (e.running_index != kNone) {
        plan.preemptions.push_back(
            {e.job->id, e.running_index,
             plan.AddReason("preempted: job " + id + " cannot run on its allocated " +
                            pool.gpu->name + " (rate 0)")});
      }
      const uint32_t reason = plan.AddReason(
          "idle: held for job " + id + ", whose best type with room is " + pool.gpu->name +
          " where it cannot run (rate 0; Gavel's fifo_perf holds the GPUs until it reallocates)");
      int32_t held = 0;
      for (int32_t d : pool.devices) {
        if (held == e.job->gpus) break;
        if (taken[static_cast<size_t>(d)]) continue;
        taken[static_cast<size_t>(d)] = 1;
        plan.device_reason[static_cast<size_t>(d)] = reason;
        ++held;
      }
      continue;
    }
    std::vector<int32_t> devices = pick(pool, *e.job);
    if (devices.empty()) {
      // Only for single-node gangs when no node of the pool has room.
      if (e.running_index != kNone) {
        plan.preemptions.push_back(
            {e.job->id, e.running_index,
             plan.AddReason("preempted: no node of " + pool.gpu->name + " has " +
                            std::to_string(e.job->gpus) + " free GPUs for its gang")});
      }
      continue;
    }
    std::string text = "ai: job " + id + " starts on " + std::to_string(e.job->gpus) + "x " +
                       pool.gpu->name + " (fastest type with room, " +
                       Fmt("%.4g", e.rate * e.job->gpus) + " units/s)";
    if (e.running_index != kNone) {
      const Pool* from =
          e.current_pool == kNone ? nullptr : &pools[static_cast<size_t>(e.current_pool)];
      text = "ai: job " + id + " moves " +
             (from != nullptr ? "from " + from->gpu->name + " " : std::string()) + "to " +
             std::to_string(e.job->gpus) + "x " + pool.gpu->name + " (fastest type with room, " +
             Fmt("%.4g", e.rate * e.job->gpus) + " units/s)";
    }
    const uint32_t reason = plan.AddReason(text);
    if (e.running_index != kNone) {
      plan.preemptions.push_back({e.job->id, e.running_index, reason});
    }
    for (int32_t d : devices) {
      taken[static_cast<size_t>(d)] = 1;
      plan.mode[static_cast<size_t>(d)] = econ::Mode::kAi;
      plan.device_reason[static_cast<size_t>(d)] = reason;
    }
    plan.starts.push_back({e.job->id, e.queue_index, std::move(devices), reason});
  }
  (void)idle_reason;

  // Site power under the plan (devices + hosts of nodes with a device that is not off).
  const size_t sites = in.fleet->sites.size();
  plan.site_power.assign(sites, SitePower{});
  std::vector<uint8_t> node_on(flat.node_count(), 0);
  // Devices of a pool share their power per mode: computed once per pool.
  std::vector<Power> pool_ai(pools.size()), pool_idle(pools.size());
  for (size_t p = 0; p < pools.size(); ++p) {
    const auto d0 = static_cast<size_t>(pools[p].devices.front());
    pool_ai[p] = econ::DevicePower(flat, d0, econ::Mode::kAi, options_.power);
    pool_idle[p] = econ::DevicePower(flat, d0, econ::Mode::kIdle, options_.power);
  }
  for (size_t d = 0; d < n; ++d) {
    const auto s = static_cast<size_t>(flat.site[d]);
    if (s >= sites) continue;
    const int32_t p = device_pool[d];
    const econ::Mode m = plan.mode[d];
    if (p != kNone && (m == econ::Mode::kAi || m == econ::Mode::kIdle)) {
      plan.site_power[s].it += m == econ::Mode::kAi ? pool_ai[static_cast<size_t>(p)]
                                                    : pool_idle[static_cast<size_t>(p)];
    } else {
      plan.site_power[s].it += econ::DevicePower(flat, d, m, options_.power);
    }
    if (m != econ::Mode::kOff) node_on[static_cast<size_t>(flat.node[d])] = 1;
  }
  for (size_t node = 0; node < flat.node_count(); ++node) {
    const auto s = static_cast<size_t>(flat.node_site[node]);
    if (node_on[node] && s < sites) plan.site_power[s].it += flat.node_host_power[node];
  }
  for (size_t s = 0; s < sites; ++s) {
    const fleet::Site& site = in.fleet->sites[s];
    plan.site_power[s].facility = plan.site_power[s].it.Scaled(site.pue_milli, 1000);
    plan.site_power[s].cap = site.grid_cap;
    if (s < in.site_cap_override.size() && in.site_cap_override[s].raw() > 0) {
      plan.site_power[s].cap = in.site_cap_override[s];
    }
  }
  return plan;
}

std::unique_ptr<Policy> MakeFifoPerfPolicy(const PolicyOptions& options) {
  return std::make_unique<FifoPerfPolicy>(options);
}

}  // namespace rigshift::sched
