// Human-readable output of the API clients (`rigshift submit|jobs|cancel|decisions|status`,
// cmd_client.cc): tables and summaries built from the server's JSON (src/server/openapi.json),
// laid out like `rigshift fleet`. Pure functions of their input; they tolerate missing fields
// (printed as "-") so that a newer server does not break an older client.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace rigshift::cli {

// "job 7 queued: 2 GPUs at 0.80 USD/GPU-h, \"train\" (alice)"
std::string FormatJobLine(const nlohmann::json& job);
// A table of a JobPage, one job a row; a hint when more pages follow.
std::string FormatJobsTable(const nlohmann::json& page);
// A table of a DecisionPage with each decision's reason.
std::string FormatDecisionsTable(const nlohmann::json& page);
// Per site: power against the cap and its split, devices by mode, price and hashprice, revenue;
// then the fleet's queue. `revenue` may be null (a tenant may not read it).
std::string FormatStatus(const nlohmann::json& fleet, const nlohmann::json& sites,
                         const nlohmann::json& revenue);
// "server answered 400 invalid_argument: gpus: ... (field gpus)", from an error body or, when the
// body is not the API's error shape, its first line.
std::string FormatApiError(int http_status, const std::string& body);

}  // namespace rigshift::cli
