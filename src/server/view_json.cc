#include "server/view_json.h"

namespace rigshift::server {

using nlohmann::json;

namespace {

json OptionalTime(const std::optional<TimePoint>& t) {
  return t ? json(FormatTimestamp(*t)) : json(nullptr);
}

template <typename Id>
json OptionalId(const std::optional<Id>& id) {
  return id ? json(*id) : json(nullptr);
}

}  // namespace

json ToJson(const FleetView& fleet) {
  return {{"name", fleet.name},
          {"sites", fleet.sites},
          {"devices", fleet.devices},
          {"devices_by_kind", fleet.devices_by_kind},
          {"devices_by_model", fleet.devices_by_model},
          {"devices_by_mode", fleet.devices_by_mode},
          {"jobs_queued", fleet.jobs_queued},
          {"jobs_running", fleet.jobs_running},
          {"policy", fleet.policy}};
}

json ToJson(const SiteView& site) {
  return {{"id", site.id},
          {"name", site.name},
          {"market", site.market},
          {"grid_cap_kw", ToKilowatts(site.grid_cap)},
          {"facility_power_kw", ToKilowatts(site.facility_power)},
          {"power_kw",
           {{"ai", ToKilowatts(site.ai_power)},
            {"mining", ToKilowatts(site.mining_power)},
            {"hosts", ToKilowatts(site.host_power)},
            {"idle", ToKilowatts(site.idle_power)}}},
          {"cooling", site.cooling},
          {"pue", static_cast<double>(site.pue_milli) / 1000.0},
          {"price_usd_per_mwh", ToUsdPerMwh(site.price)},
          {"hashprice_usd_per_th_day", ToUsdPerThsDay(site.hashprice)},
          {"devices_by_mode", site.devices_by_mode}};
}

json ToJson(const DeviceView& device) {
  return {{"id", device.id},
          {"site", device.site},
          {"model", device.model},
          {"kind", device.kind},
          {"mode", device.mode},
          {"up", device.up},
          {"job", OptionalId(device.job)},
          {"power_w", ToWatts(device.power)}};
}

json ToJson(const JobView& job) {
  return {{"id", job.id},
          {"tenant", job.tenant},
          {"name", job.name},
          {"state", JobStateName(job.state)},
          {"gpus", job.gpus},
          {"price_usd_per_gpu_hour", ToUsdPerGpuHour(job.price)},
          {"submitted", FormatTimestamp(job.submitted)},
          {"started", OptionalTime(job.started)},
          {"ended", OptionalTime(job.ended)},
          {"deadline", OptionalTime(job.deadline)},
          {"devices", job.devices},
          {"charged_usd", ToUsd(job.charged)},
          {"command", job.command}};
}

json ToJson(const DecisionView& decision) {
  return {{"id", decision.id},         {"time", FormatTimestamp(decision.time)},
          {"device", decision.device}, {"site", decision.site},
          {"mode", decision.mode},     {"job", OptionalId(decision.job)},
          {"reason", decision.reason}, {"plan_id", decision.plan_id}};
}

json ToJson(const MarketView& market) {
  json sites = json::array();
  for (const SitePriceView& s : market.sites) {
    sites.push_back({{"site", s.site},
                     {"source", s.source},
                     {"time", FormatTimestamp(s.time)},
                     {"price_usd_per_mwh", ToUsdPerMwh(s.price)}});
  }
  return {{"sites", std::move(sites)},
          {"hashprice_usd_per_th_day", ToUsdPerThsDay(market.hashprice)},
          {"hashprice_time", FormatTimestamp(market.hashprice_time)}};
}

json ToJson(const RevenueView& revenue) {
  return {{"site", revenue.site},
          {"mode", revenue.mode},
          {"revenue_usd", ToUsd(revenue.revenue)},
          {"energy_cost_usd", ToUsd(revenue.energy_cost)},
          {"net_usd", ToUsd(revenue.revenue - revenue.energy_cost)}};
}

json ToJson(const PolicyView& policy) {
  return {{"name", policy.name}, {"options", policy.options}};
}

}  // namespace rigshift::server
