// An in-memory FleetService for the server's tests and the API fuzz target: two small sites, a
// handful of devices and decisions, three tokens, and jobs kept in a map. The daemon's real
// service is built on the store and the controller; this one only keeps the contract of
// service.h (tenant scoping, idempotency, cancel rules, 503 while read-only) so that the router
// can be tested against it.
//
// Tokens: "operator-token" (operator), "alice-token" and "bob-token" (tenants alice and bob).
// Thread-safety: every method locks one mutex.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "server/service.h"

namespace rigshift::server::testing {

class FakeFleetService : public FleetService {
 public:
  // `now` is the submission time of every job (the fake reads no clock).
  explicit FakeFleetService(TimePoint now = 1'796'601'600);  // 2026-12-07T00:00:00Z

  void set_ready(bool ready);
  // While read-only, writes fail with kUnavailable (a full disk) and reads keep working.
  void set_read_only(bool read_only);
  std::vector<PricePoint> pushed_prices() const;

  Result<Principal> Authenticate(std::string_view bearer_token) override;
  bool Ready() override;
  FleetView GetFleet() override;
  std::vector<SiteView> ListSites() override;
  Page<DeviceView> ListDevices(const DeviceFilter& filter) override;
  Result<DeviceView> GetDevice(std::string_view id) override;
  Result<JobView> SubmitJob(const Principal& who, const JobSpec& spec,
                            const std::string& idempotency_key) override;
  Page<JobView> ListJobs(const Principal& who, const JobFilter& filter) override;
  Result<JobView> GetJob(const Principal& who, workload::JobId id) override;
  Result<JobView> CancelJob(const Principal& who, workload::JobId id) override;
  Page<DecisionView> ListDecisions(const DecisionFilter& filter) override;
  MarketView GetMarket() override;
  Status PushPrices(const std::vector<PricePoint>& prices) override;
  std::vector<RevenueView> GetRevenue() override;
  PolicyView GetPolicy() override;

 private:
  struct StoredJob {
    JobView view;
    JobSpec spec;
    std::string idempotency_key;
  };
  // The job if `who` may see it.
  StoredJob* Visible(const Principal& who, workload::JobId id);

  mutable std::mutex mu_;
  TimePoint now_;
  bool ready_ = true;
  bool read_only_ = false;
  std::vector<SiteView> sites_;
  std::vector<DeviceView> devices_;  // sorted by id
  std::vector<DecisionView> decisions_;
  std::map<workload::JobId, StoredJob> jobs_;
  std::vector<PricePoint> pushed_;
};

}  // namespace rigshift::server::testing
