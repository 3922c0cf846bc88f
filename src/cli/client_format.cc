#include "cli/client_format.h"

#include <cstdio>

namespace rigshift::cli {

using nlohmann::json;

namespace {

std::string Text(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) return "-";
  const json& v = j[key];
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

double Number(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return 0;
  return j[key].get<double>();
}

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// Pads or cuts `s` to `width` columns (bytes; the API's strings are mostly ASCII).
std::string Cell(const std::string& s, size_t width) {
  if (s.size() >= width) return s.substr(0, width - 1) + " ";
  return s + std::string(width - s.size(), ' ');
}

std::string Counts(const json& counts) {
  if (!counts.is_object() || counts.empty()) return "-";
  std::string out;
  for (const auto& [name, n] : counts.items()) {
    if (!out.empty()) out += ", ";
    out += name + " " + n.dump();
  }
  return out;
}

std::string NextPageHint(const json& page, const std::string& what) {
  if (!page.contains("next")) return "";
  return "(more " + what + ": --after " + Text(page, "next") + ")\n";
}

void Line(const std::string& label, const std::string& text, std::string* out) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "  %-15s ", label.c_str());
  *out += buf + text + "\n";
}

}  // namespace

std::string FormatJobLine(const json& job) {
  return "job " + Text(job, "id") + " " + Text(job, "state") + ": " + Text(job, "gpus") +
         " GPUs at " + Fixed(Number(job, "price_usd_per_gpu_hour"), 2) + " USD/GPU-h, \"" +
         Text(job, "name") + "\" (" + Text(job, "tenant") + ")\n";
}

std::string FormatJobsTable(const json& page) {
  const json& items = page.is_object() && page.contains("items") ? page["items"] : json::array();
  if (items.empty()) return "no jobs\n";
  std::string out = Cell("ID", 8) + Cell("STATE", 11) + Cell("GPUS", 6) + Cell("USD/GPU-H", 11) +
                    Cell("TENANT", 12) + Cell("SUBMITTED", 22) + "NAME\n";
  for (const json& job : items) {
    out += Cell(Text(job, "id"), 8) + Cell(Text(job, "state"), 11) + Cell(Text(job, "gpus"), 6) +
           Cell(Fixed(Number(job, "price_usd_per_gpu_hour"), 2), 11) +
           Cell(Text(job, "tenant"), 12) + Cell(Text(job, "submitted"), 22) + Text(job, "name") +
           "\n";
  }
  return out + NextPageHint(page, "jobs");
}

std::string FormatDecisionsTable(const json& page) {
  const json& items = page.is_object() && page.contains("items") ? page["items"] : json::array();
  if (items.empty()) return "no decisions\n";
  std::string out =
      Cell("TIME", 22) + Cell("DEVICE", 28) + Cell("MODE", 6) + Cell("JOB", 7) + "REASON\n";
  for (const json& d : items) {
    out += Cell(Text(d, "time"), 22) + Cell(Text(d, "device"), 28) + Cell(Text(d, "mode"), 6) +
           Cell(Text(d, "job"), 7) + Text(d, "reason") + "\n";
  }
  return out + NextPageHint(page, "decisions");
}

std::string FormatStatus(const json& fleet, const json& sites, const json& revenue) {
  std::string out = "Fleet " + Text(fleet, "name") + " (policy " + Text(fleet, "policy") + ")\n";
  const json& site_items =
      sites.is_object() && sites.contains("items") ? sites["items"] : json::array();
  for (const json& s : site_items) {
    out += "Site " + Text(s, "id");
    if (Text(s, "name") != "-" && Text(s, "name") != Text(s, "id")) {
      out += " \"" + Text(s, "name") + "\"";
    }
    out += "\n";
    const double cap = Number(s, "grid_cap_kw");
    const double now = Number(s, "facility_power_kw");
    const std::string share = cap > 0 ? " (" + Fixed(100 * now / cap, 1) + "%)" : "";
    Line("power", Fixed(now, 1) + " kW of " + Fixed(cap, 1) + " kW cap" + share, &out);
    const json split = s.contains("power_kw") ? s["power_kw"] : json::object();
    Line("split",
         "AI " + Fixed(Number(split, "ai"), 1) + " kW, mining " +
             Fixed(Number(split, "mining"), 1) + " kW, hosts " + Fixed(Number(split, "hosts"), 1) +
             " kW, idle " + Fixed(Number(split, "idle"), 1) + " kW",
         &out);
    Line("devices", Counts(s.contains("devices_by_mode") ? s["devices_by_mode"] : json()), &out);
    Line("price",
         Fixed(Number(s, "price_usd_per_mwh"), 2) + " USD/MWh (" + Text(s, "market") +
             "), hashprice " + Fixed(Number(s, "hashprice_usd_per_th_day"), 4) + " USD/TH/day",
         &out);
    if (revenue.is_object() && revenue.contains("items")) {
      std::string text;
      for (const json& r : revenue["items"]) {
        if (Text(r, "site") != Text(s, "id")) continue;
        if (!text.empty()) text += ", ";
        text += Text(r, "mode") + " " + Fixed(Number(r, "revenue_usd"), 2) + " USD (net " +
                Fixed(Number(r, "net_usd"), 2) + ")";
      }
      Line("revenue", text.empty() ? "-" : text, &out);
    }
  }
  out += "Total\n";
  Line("devices",
       Text(fleet, "devices") + " (" +
           Counts(fleet.contains("devices_by_mode") ? fleet["devices_by_mode"] : json()) + ")",
       &out);
  Line("jobs", Text(fleet, "jobs_queued") + " queued, " + Text(fleet, "jobs_running") + " running",
       &out);
  return out;
}

std::string FormatApiError(int http_status, const std::string& body) {
  std::string out = "server answered " + std::to_string(http_status);
  const json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_object()) {
    const json& e = parsed["error"];
    out += " " + Text(e, "code") + ": " + Text(e, "message");
    if (e.contains("field")) out += " (field " + Text(e, "field") + ")";
    return out;
  }
  const std::string first_line = body.substr(0, body.find('\n'));
  return first_line.empty() ? out : out + ": " + first_line.substr(0, 200);
}

}  // namespace rigshift::cli
