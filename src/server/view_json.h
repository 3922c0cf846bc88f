// The API's JSON for the service's views (service.h): fixed-point quantities become decimals in
// the unit their key names (power "_kw"/"_w", money "_usd", prices "_usd_per_mwh", hashprice
// "_usd_per_th_day"), times RFC 3339 UTC strings. openapi.json documents every shape.
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include "server/service.h"

namespace rigshift::server {

nlohmann::json ToJson(const FleetView& fleet);
nlohmann::json ToJson(const SiteView& site);
nlohmann::json ToJson(const DeviceView& device);
nlohmann::json ToJson(const JobView& job);
nlohmann::json ToJson(const DecisionView& decision);
nlohmann::json ToJson(const MarketView& market);
nlohmann::json ToJson(const RevenueView& revenue);
nlohmann::json ToJson(const PolicyView& policy);

// {"items": [...], "next": "cursor"}; "next" only when another page follows.
template <typename T>
nlohmann::json PageJson(const Page<T>& page) {
  nlohmann::json items = nlohmann::json::array();
  for (const T& item : page.items) items.push_back(ToJson(item));
  nlohmann::json j = {{"items", std::move(items)}};
  if (!page.next.empty()) j["next"] = page.next;
  return j;
}

}  // namespace rigshift::server
