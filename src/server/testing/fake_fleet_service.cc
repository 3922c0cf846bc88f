#include "server/testing/fake_fleet_service.h"

#include <algorithm>
#include <optional>
#include <type_traits>

namespace rigshift::server::testing {

namespace {

DeviceView Device(std::string id, std::string site, std::string model, std::string kind,
                  std::string mode, double watts) {
  DeviceView d;
  d.id = std::move(id);
  d.site = std::move(site);
  d.model = std::move(model);
  d.kind = std::move(kind);
  d.mode = std::move(mode);
  d.power = Watts(watts);
  return d;
}

// The page of `items` (sorted by key) after `after` that passes `keep`, at most `limit` long.
template <typename T, typename K, typename Key, typename Keep>
Page<T> PageOf(const std::vector<T>& items, Key key, const std::optional<K>& after, int32_t limit,
               Keep keep) {
  Page<T> page;
  for (const T& item : items) {
    if ((after && key(item) <= *after) || !keep(item)) continue;
    if (static_cast<int32_t>(page.items.size()) == limit) {
      if constexpr (std::is_same_v<K, std::string>) {
        page.next = key(page.items.back());
      } else {
        page.next = std::to_string(key(page.items.back()));
      }
      break;
    }
    page.items.push_back(item);
  }
  return page;
}

}  // namespace

FakeFleetService::FakeFleetService(TimePoint now) : now_(now) {
  SiteView tx;
  tx.id = "tx1";
  tx.name = "West Texas";
  tx.market = "ercot";
  tx.grid_cap = Megawatts(2);
  tx.facility_power = Kilowatts(1350);
  tx.ai_power = Kilowatts(300);
  tx.mining_power = Kilowatts(650);
  tx.host_power = Kilowatts(40);
  tx.idle_power = Kilowatts(10);
  tx.cooling = "air";
  tx.pue_milli = 1350;
  tx.price = UsdPerMwh(31.5);
  tx.hashprice = UsdPerThsDay(0.052);
  tx.devices_by_mode = {{"ai", 2}, {"mine", 2}, {"off", 1}};
  SiteView ny = tx;
  ny.id = "ny1";
  ny.name = "Upstate New York";
  ny.market = "nyiso";
  ny.cooling = "hydro";
  ny.pue_milli = 1100;
  ny.price = UsdPerMwh(44);
  ny.devices_by_mode = {{"mine", 1}};
  sites_ = {tx, ny};

  devices_ = {
      Device("ny1/hall/r#0/n#0/d0", "ny1", "Antminer S19 Pro", "asic", "mine", 3250),
      Device("tx1/hall-a/r#0/n#0/d0", "tx1", "GeForce RTX 3090", "gpu", "ai", 350),
      Device("tx1/hall-a/r#0/n#0/d1", "tx1", "GeForce RTX 3090", "gpu", "ai", 350),
      Device("tx1/hall-a/r#0/n#1/d0", "tx1", "GeForce RTX 3090", "gpu", "mine", 290),
      Device("tx1/hall-a/r#0/n#1/d1", "tx1", "GeForce RTX 3090", "gpu", "mine", 290),
      Device("tx1/hall-a/r#1/n#0/d0", "tx1", "Antminer S19 Pro", "asic", "off", 0),
  };
  devices_[5].up = false;
  std::sort(devices_.begin(), devices_.end(),
            [](const DeviceView& a, const DeviceView& b) { return a.id < b.id; });

  for (int i = 0; i < 3; ++i) {
    DecisionView d;
    d.id = i + 1;
    d.time = now_ - 3600 + i * 600;
    d.device = devices_[static_cast<size_t>(i) + 1].id;
    d.site = "tx1";
    d.mode = i == 2 ? "off" : "mine";
    d.reason = i == 2 ? "mining pays 0.9 USD/h < power 1.4 USD/h: off"
                      : "mining pays 1.9 USD/h > power 1.4 USD/h: mine";
    d.plan_id = 7;
    decisions_.push_back(d);
  }
}

void FakeFleetService::set_ready(bool ready) {
  std::lock_guard<std::mutex> lock(mu_);
  ready_ = ready;
}

void FakeFleetService::set_read_only(bool read_only) {
  std::lock_guard<std::mutex> lock(mu_);
  read_only_ = read_only;
}

std::vector<PricePoint> FakeFleetService::pushed_prices() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pushed_;
}

Result<Principal> FakeFleetService::Authenticate(std::string_view token) {
  if (token == "operator-token") return Principal{Role::kOperator, "operator"};
  if (token == "alice-token") return Principal{Role::kTenant, "alice"};
  if (token == "bob-token") return Principal{Role::kTenant, "bob"};
  return Status::Unauthenticated("unknown token");
}

bool FakeFleetService::Ready() {
  std::lock_guard<std::mutex> lock(mu_);
  return ready_;
}

FleetView FakeFleetService::GetFleet() {
  std::lock_guard<std::mutex> lock(mu_);
  FleetView f;
  f.name = "Example fleet";
  for (const SiteView& s : sites_) f.sites.push_back(s.id);
  for (const DeviceView& d : devices_) {
    ++f.devices;
    ++f.devices_by_kind[d.kind];
    ++f.devices_by_model[d.model];
    ++f.devices_by_mode[d.mode];
  }
  for (const auto& [id, job] : jobs_) {
    f.jobs_queued += job.view.state == JobState::kQueued;
    f.jobs_running += job.view.state == JobState::kRunning;
  }
  f.policy = "rigshift";
  return f;
}

std::vector<SiteView> FakeFleetService::ListSites() {
  std::lock_guard<std::mutex> lock(mu_);
  return sites_;
}

Page<DeviceView> FakeFleetService::ListDevices(const DeviceFilter& filter) {
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<std::string> after;
  if (!filter.after.empty()) after = filter.after;
  return PageOf(
      devices_, [](const DeviceView& d) { return d.id; }, after, filter.limit,
      [&](const DeviceView& d) {
        return (filter.site.empty() || d.site == filter.site) &&
               (filter.mode.empty() || d.mode == filter.mode) &&
               (filter.kind.empty() || d.kind == filter.kind);
      });
}

Result<DeviceView> FakeFleetService::GetDevice(std::string_view id) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const DeviceView& d : devices_) {
    if (d.id == id) return d;
  }
  return Status::NotFound("no device '" + std::string(id) + "'");
}

Result<JobView> FakeFleetService::SubmitJob(const Principal& who, const JobSpec& spec,
                                            const std::string& idempotency_key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!idempotency_key.empty()) {
    for (const auto& [id, job] : jobs_) {
      if (job.view.tenant != who.tenant || job.idempotency_key != idempotency_key) continue;
      if (job.spec == spec) return job.view;
      return Status::AlreadyExists("Idempotency-Key '" + idempotency_key +
                                   "' was used for another job (" + std::to_string(id) + ")");
    }
  }
  if (read_only_) return Status::Unavailable("the store is read-only (disk full)");
  if (spec.gpus > 64) return Status::InvalidArgument("gpus: more than the largest site holds (64)");
  StoredJob job;
  job.view.id = jobs_.empty() ? 1 : jobs_.rbegin()->first + 1;
  job.view.tenant = who.tenant;
  job.view.name = spec.name;
  job.view.gpus = spec.gpus;
  job.view.price = spec.price;
  job.view.submitted = now_;
  job.view.deadline = spec.deadline;
  job.view.command = spec.command;
  job.spec = spec;
  job.idempotency_key = idempotency_key;
  const JobView view = job.view;
  jobs_.emplace(view.id, std::move(job));
  return view;
}

Page<JobView> FakeFleetService::ListJobs(const Principal& who, const JobFilter& filter) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<JobView> all;
  for (const auto& [id, job] : jobs_) all.push_back(job.view);
  return PageOf(
      all, [](const JobView& j) { return j.id; }, filter.after_id, filter.limit,
      [&](const JobView& j) {
        return (who.role == Role::kOperator || j.tenant == who.tenant) &&
               (filter.tenant.empty() || j.tenant == filter.tenant) &&
               (!filter.state || j.state == *filter.state);
      });
}

FakeFleetService::StoredJob* FakeFleetService::Visible(const Principal& who, workload::JobId id) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return nullptr;
  if (who.role != Role::kOperator && it->second.view.tenant != who.tenant) return nullptr;
  return &it->second;
}

Result<JobView> FakeFleetService::GetJob(const Principal& who, workload::JobId id) {
  std::lock_guard<std::mutex> lock(mu_);
  StoredJob* job = Visible(who, id);
  if (job == nullptr) return Status::NotFound("no job " + std::to_string(id));
  return job->view;
}

Result<JobView> FakeFleetService::CancelJob(const Principal& who, workload::JobId id) {
  std::lock_guard<std::mutex> lock(mu_);
  StoredJob* job = Visible(who, id);
  if (job == nullptr) return Status::NotFound("no job " + std::to_string(id));
  if (job->view.state != JobState::kQueued && job->view.state != JobState::kRunning) {
    return Status::FailedPrecondition("job " + std::to_string(id) + " has already ended (" +
                                      JobStateName(job->view.state) + ")");
  }
  if (read_only_) return Status::Unavailable("the store is read-only (disk full)");
  job->view.state = JobState::kCancelled;
  job->view.ended = now_;
  return job->view;
}

Page<DecisionView> FakeFleetService::ListDecisions(const DecisionFilter& filter) {
  std::lock_guard<std::mutex> lock(mu_);
  return PageOf(
      decisions_, [](const DecisionView& d) { return d.id; }, filter.after, filter.limit,
      [&](const DecisionView& d) {
        return (filter.device.empty() || d.device == filter.device) &&
               (filter.site.empty() || d.site == filter.site) &&
               (!filter.job || d.job == filter.job) && (!filter.from || d.time >= *filter.from) &&
               (!filter.to || d.time < *filter.to);
      });
}

MarketView FakeFleetService::GetMarket() {
  std::lock_guard<std::mutex> lock(mu_);
  MarketView m;
  for (const SiteView& s : sites_) m.sites.push_back({s.id, s.market, now_, s.price});
  m.hashprice = UsdPerThsDay(0.052);
  m.hashprice_time = now_;
  return m;
}

Status FakeFleetService::PushPrices(const std::vector<PricePoint>& prices) {
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < prices.size(); ++i) {
    const bool known = std::any_of(sites_.begin(), sites_.end(),
                                   [&](const SiteView& s) { return s.id == prices[i].site; });
    if (!known) {
      return Status::InvalidArgument("prices[" + std::to_string(i) + "].site: no site '" +
                                     prices[i].site + "'");
    }
  }
  if (read_only_) return Status::Unavailable("the store is read-only (disk full)");
  pushed_.insert(pushed_.end(), prices.begin(), prices.end());
  return Status::Ok();
}

std::vector<RevenueView> FakeFleetService::GetRevenue() {
  return {{"tx1", "ai", Usd(1250.5), Usd(310.25)},
          {"tx1", "mine", Usd(880), Usd(640)},
          {"ny1", "mine", Usd(120), Usd(95.5)}};
}

PolicyView FakeFleetService::GetPolicy() {
  return {"rigshift", {{"epoch", "300s"}, {"queue", "fifo"}}};
}

}  // namespace rigshift::server::testing
