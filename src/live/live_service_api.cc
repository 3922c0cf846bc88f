// LiveService's FleetService half: what the HTTP API reads and writes. Reads answer from the
// snapshot the controller thread publishes after each step (no fleet walk per request beyond the
// page asked for) or from the store; writes go to the store first (durable before 201) and wake
// the controller thread.
#include <algorithm>

#include "live/live_service.h"
#include "server/job_spec.h"

namespace rigshift::live {

using econ::Mode;

namespace {

const char* KindName(catalog::DeviceKind k) {
  return k == catalog::DeviceKind::kAsic ? "asic" : "gpu";
}

server::JobState ViewState(store::JobState s) {
  switch (s) {
    case store::JobState::kQueued: return server::JobState::kQueued;
    case store::JobState::kRunning: return server::JobState::kRunning;
    case store::JobState::kDone: return server::JobState::kCompleted;
    case store::JobState::kCancelled: return server::JobState::kCancelled;
    case store::JobState::kFailed:
    case store::JobState::kUnplaceable: return server::JobState::kFailed;
  }
  return server::JobState::kFailed;
}

std::optional<store::JobState> StoreState(std::optional<server::JobState> s) {
  if (!s) return std::nullopt;
  switch (*s) {
    case server::JobState::kQueued: return store::JobState::kQueued;
    case server::JobState::kRunning: return store::JobState::kRunning;
    case server::JobState::kCompleted: return store::JobState::kDone;
    case server::JobState::kCancelled: return store::JobState::kCancelled;
    case server::JobState::kFailed: return store::JobState::kFailed;
  }
  return std::nullopt;
}

}  // namespace

Result<server::Principal> LiveService::Authenticate(std::string_view bearer_token) {
  ASSIGN_OR_RETURN(store::Principal p, store_->Authenticate(std::string(bearer_token)));
  server::Principal out;
  out.role = p.role == store::TokenRole::kOperator ? server::Role::kOperator : server::Role::kTenant;
  out.tenant = out.role == server::Role::kOperator ? "operator" : p.tenant;
  return out;
}

server::FleetView LiveService::GetFleet() {
  const std::shared_ptr<const Snapshot> snap = CurrentSnapshot();
  server::FleetView v;
  v.name = fleet_.name;
  for (const auto& s : fleet_.sites) v.sites.push_back(s.id);
  v.devices = static_cast<int64_t>(flat_.device_count());
  v.policy = std::string(policy_->name());
  for (size_t d = 0; d < flat_.device_count(); ++d) {
    v.devices_by_kind[KindName(flat_.kind[d])]++;
    const std::string model = flat_.gpu[d] ? flat_.gpu[d]->name : (flat_.asic[d] ? flat_.asic[d]->name : "?");
    v.devices_by_model[model]++;
  }
  if (snap) {
    for (const auto& l : snap->sites) {
      for (int m = 0; m < kModes; ++m) {
        v.devices_by_mode[econ::ModeName(static_cast<Mode>(m))] += l.devices[static_cast<size_t>(m)];
      }
    }
    v.jobs_queued = snap->queued;
    v.jobs_running = snap->running;
  }
  return v;
}

std::vector<server::SiteView> LiveService::ListSites() {
  const std::shared_ptr<const Snapshot> snap = CurrentSnapshot();
  std::vector<server::SiteView> out;
  for (size_t s = 0; s < fleet_.sites.size(); ++s) {
    const fleet::Site& site = fleet_.sites[s];
    server::SiteView v;
    v.id = site.id;
    v.name = site.name;
    v.market = site.tariff.market;
    v.grid_cap = site.grid_cap;
    v.cooling = fleet::CoolingKindName(site.cooling);
    v.pue_milli = site.pue_milli;
    if (snap && s < snap->sites.size()) {
      const SiteLedger& l = snap->sites[s];
      v.facility_power = l.facility_power;
      v.ai_power = l.it_power[static_cast<size_t>(Mode::kAi)];
      v.mining_power = l.it_power[static_cast<size_t>(Mode::kMine)];
      v.idle_power = l.it_power[static_cast<size_t>(Mode::kIdle)];
      v.host_power = l.host_power;
      v.price = l.prices.energy;
      v.hashprice = l.prices.hashprice;
      for (int m = 0; m < kModes; ++m) {
        v.devices_by_mode[econ::ModeName(static_cast<Mode>(m))] = l.devices[static_cast<size_t>(m)];
      }
    }
    out.push_back(std::move(v));
  }
  return out;
}

server::Page<server::DeviceView> LiveService::ListDevices(const server::DeviceFilter& f) {
  const std::shared_ptr<const Snapshot> snap = CurrentSnapshot();
  server::Page<server::DeviceView> page;
  if (!snap) return page;
  size_t d = 0;
  if (!f.after.empty()) {
    const int32_t i = DeviceIndex(f.after);
    d = i < 0 ? flat_.device_count() : static_cast<size_t>(i) + 1;
  }
  const size_t limit = static_cast<size_t>(std::clamp<int32_t>(f.limit, 1, 1000));
  for (; d < flat_.device_count(); ++d) {
    const auto site = static_cast<size_t>(flat_.site[d]);
    if (!f.site.empty() && fleet_.sites[site].id != f.site) continue;
    if (!f.mode.empty() && econ::ModeName(snap->mode[d]) != f.mode) continue;
    if (!f.kind.empty() && KindName(flat_.kind[d]) != f.kind) continue;
    if (page.items.size() == limit) {
      page.next = page.items.back().id;
      break;
    }
    auto v = GetDevice(device_ids_[d]);
    if (v.ok()) page.items.push_back(std::move(*v));
  }
  return page;
}

Result<server::DeviceView> LiveService::GetDevice(std::string_view id) {
  const int32_t i = DeviceIndex(id);
  if (i < 0) return Status::NotFound("no device '" + std::string(id) + "'");
  const std::shared_ptr<const Snapshot> snap = CurrentSnapshot();
  const auto d = static_cast<size_t>(i);
  server::DeviceView v;
  v.id = device_ids_[d];
  v.site = fleet_.sites[static_cast<size_t>(flat_.site[d])].id;
  v.model = flat_.gpu[d] ? flat_.gpu[d]->name : (flat_.asic[d] ? flat_.asic[d]->name : "?");
  v.kind = KindName(flat_.kind[d]);
  if (snap) {
    v.mode = econ::ModeName(snap->mode[d]);
    v.up = snap->up[d] != 0;
    if (snap->job[d] != 0) v.job = snap->job[d];
    v.power = econ::DevicePower(flat_, d, snap->mode[d], options_.policy.power);
  }
  return v;
}

server::JobView LiveService::JobViewOf(const store::JobRecord& r) const {
  server::JobView v;
  v.id = r.id;
  v.tenant = r.tenant;
  v.state = ViewState(r.state);
  v.submitted = r.submitted_at;
  if (r.progress.run_start) v.started = *r.progress.run_start;
  if (r.state == store::JobState::kDone || r.state == store::JobState::kCancelled ||
      r.state == store::JobState::kFailed) {
    v.ended = r.updated_at;
  }
  v.devices = r.progress.devices;
  v.command = r.command;
  v.name = r.spec.name;
  v.gpus = r.spec.gpus;
  v.price = r.spec.price;
  v.deadline = r.spec.deadline;
  return v;
}

Result<server::JobView> LiveService::SubmitJob(const server::Principal& who,
                                               const server::JobSpec& spec,
                                               const std::string& idempotency_key) {
  // Arrival is the service clock at submission; the id is the store's.
  const std::shared_ptr<const Snapshot> snap = CurrentSnapshot();
  const workload::Job job = server::ToWorkloadJob(spec, 0, snap ? snap->time : now_);
  store::JobSubmission sub;
  sub.tenant = who.role == server::Role::kOperator ? "operator" : who.tenant;
  sub.idempotency_key = idempotency_key;
  sub.spec = job;
  sub.command = spec.command;
  ASSIGN_OR_RETURN(store::SubmitResult res, store_->SubmitJob(sub, job.arrival));
  intake_pending_.store(true);
  return JobViewOf(res.job);
}

server::Page<server::JobView> LiveService::ListJobs(const server::Principal& who,
                                                    const server::JobFilter& f) {
  store::JobFilter q;
  const std::string tenant = who.role == server::Role::kOperator ? f.tenant : who.tenant;
  if (!tenant.empty()) q.tenant = tenant;
  q.state = StoreState(f.state);
  q.page.after_id = f.after_id.value_or(0);
  q.page.limit = std::clamp<int32_t>(f.limit, 1, store::kMaxPageSize);
  server::Page<server::JobView> page;
  auto rows = store_->ListJobs(q);
  if (!rows.ok()) return page;
  for (const auto& r : rows->items) page.items.push_back(JobViewOf(r));
  if (rows->next_after_id) page.next = std::to_string(*rows->next_after_id);
  return page;
}

Result<server::JobView> LiveService::GetJob(const server::Principal& who, workload::JobId id) {
  auto r = store_->GetJob(id);
  if (!r.ok() || (who.role == server::Role::kTenant && r->tenant != who.tenant)) {
    return Status::NotFound("no job " + std::to_string(id));
  }
  return JobViewOf(*r);
}

Result<server::JobView> LiveService::CancelJob(const server::Principal& who, workload::JobId id) {
  ASSIGN_OR_RETURN(server::JobView v, GetJob(who, id));
  if (v.state != server::JobState::kQueued && v.state != server::JobState::kRunning) {
    return Status::FailedPrecondition("job " + std::to_string(id) + " has already ended (" +
                                      server::JobStateName(v.state) + ")");
  }
  RETURN_IF_ERROR(store_->RequestCancel(id, now_));
  {
    std::lock_guard<std::mutex> lock(pushed_mu_);
    cancels_.push_back(id);
  }
  intake_pending_.store(true);
  ASSIGN_OR_RETURN(store::JobRecord rec, store_->GetJob(id));
  return JobViewOf(rec);
}

server::Page<server::DecisionView> LiveService::ListDecisions(const server::DecisionFilter& f) {
  store::DecisionFilter q;
  if (!f.device.empty()) q.device = f.device;
  if (!f.site.empty()) q.site = f.site;
  q.job_id = f.job;
  q.from = f.from;
  q.to = f.to;
  q.page.after_id = f.after.value_or(0);
  q.page.limit = std::clamp<int32_t>(f.limit, 1, store::kMaxPageSize);
  server::Page<server::DecisionView> page;
  auto rows = store_->ListDecisions(q);
  if (!rows.ok()) return page;
  for (const auto& r : rows->items) {
    server::DecisionView v;
    v.id = r.id;
    v.time = r.at;
    v.device = r.device_last.empty() ? r.device_first : r.device_first + ".." + r.device_last;
    v.site = r.site;
    v.mode = r.action;
    v.job = r.job_id;
    v.reason = r.reason;
    v.plan_id = r.plan_id;
    page.items.push_back(std::move(v));
  }
  if (rows->next_after_id) page.next = std::to_string(*rows->next_after_id);
  return page;
}

server::MarketView LiveService::GetMarket() {
  const std::shared_ptr<const Snapshot> snap = CurrentSnapshot();
  server::MarketView v;
  if (!snap) return v;
  for (size_t s = 0; s < fleet_.sites.size(); ++s) {
    server::SitePriceView p;
    p.site = fleet_.sites[s].id;
    p.source = fleet_.sites[s].tariff.market;
    p.time = snap->time;
    p.price = snap->sites[s].prices.energy;
    v.sites.push_back(p);
    v.hashprice = snap->sites[s].prices.hashprice;
  }
  v.hashprice_time = snap->time;
  return v;
}

Status LiveService::PushPrices(const std::vector<server::PricePoint>& prices) {
  for (const auto& p : prices) {
    if (std::none_of(fleet_.sites.begin(), fleet_.sites.end(),
                     [&](const fleet::Site& s) { return s.id == p.site; })) {
      return Status::InvalidArgument("site: no site '" + p.site + "' in this fleet");
    }
  }
  const Status written = store_->Write([&](store::Transaction& txn) -> Status {
    for (const auto& p : prices) {
      store::MarketPoint mp;
      mp.market = p.site;
      mp.at = p.time;
      mp.energy_price = p.price;
      mp.source = "pushed";
      RETURN_IF_ERROR(txn.UpsertMarketPoint(mp));
    }
    return Status::Ok();
  });
  RETURN_IF_ERROR(written);
  std::lock_guard<std::mutex> lock(pushed_mu_);
  pushed_.insert(pushed_.end(), prices.begin(), prices.end());
  return Status::Ok();
}

std::vector<server::RevenueView> LiveService::GetRevenue() {
  const std::shared_ptr<const Snapshot> snap = CurrentSnapshot();
  std::vector<server::RevenueView> out;
  if (!snap) return out;
  for (size_t s = 0; s < fleet_.sites.size(); ++s) {
    const SiteLedger& l = snap->sites[s];
    out.push_back({fleet_.sites[s].id, "ai", l.ai_revenue, l.energy_cost[static_cast<size_t>(Mode::kAi)]});
    out.push_back({fleet_.sites[s].id, "mine", l.mining_revenue,
                   l.energy_cost[static_cast<size_t>(Mode::kMine)]});
  }
  return out;
}

server::PolicyView LiveService::GetPolicy() {
  server::PolicyView v;
  v.name = std::string(policy_->name());
  v.options["ordering"] = sched::JobOrderName(options_.policy.order);
  v.options["epoch_s"] = std::to_string(options_.epoch);
  v.options["horizon_hours"] = std::to_string(options_.policy.horizon_hours);
  v.options["forecast"] = options_.perfect_foresight ? "perfect foresight" : "past data only";
  return v;
}

}  // namespace rigshift::live
