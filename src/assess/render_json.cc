#include "assess/render.h"

namespace rigshift::assess {
namespace {

using nlohmann::json;

double Usd(Money m) { return ToUsd(m); }

json Plan(const UpgradePlan& p) {
  json items = json::array();
  for (const auto& i : p.items) {
    items.push_back({{"item", i.item},
                     {"reason", i.reason},
                     {"quantity", i.quantity},
                     {"unit_cost_usd", Usd(i.unit_cost)},
                     {"total_usd", Usd(i.Total())},
                     {"source", i.source}});
  }
  return {{"items", items},
          {"capex_usd", Usd(p.capex)},
          {"monthly_opex_usd", Usd(p.monthly_opex)},
          {"ai_gpus", p.ai_gpus},
          {"refit_servers", p.refit_servers},
          {"ai_it_power_kw", ToKilowatts(p.ai_it_power)},
          {"notes", p.notes}};
}

json StrategyJson(const StrategyResult& r) {
  json months = json::array();
  for (const auto& m : r.months) {
    months.push_back({{"month", FormatDate(m.start).substr(0, 7)},
                      {"revenue_mining_usd", Usd(m.revenue_mining)},
                      {"revenue_ai_usd", Usd(m.revenue_ai)},
                      {"energy_cost_usd", Usd(m.energy_cost)},
                      {"opex_usd", Usd(m.opex)},
                      {"margin_usd", Usd(m.Margin())}});
  }
  json j = {{"strategy", StrategyName(r.strategy)},
            {"revenue_mining_usd", Usd(r.revenue_mining)},
            {"revenue_ai_usd", Usd(r.revenue_ai)},
            {"energy_cost_usd", Usd(r.energy_cost)},
            {"demand_charges_usd", Usd(r.demand_charges)},
            {"opex_usd", Usd(r.opex)},
            {"capex_usd", Usd(r.capex)},
            {"facility_energy_mwh", ToMegawattHours(r.energy)},
            {"curtailed_device_hours", r.curtailed_device_hours},
            {"margin_usd", Usd(r.margin)},
            {"npv_usd", Usd(r.npv)},
            {"npv_usd_by_scenario",
             {{market::PriceScenarioName(market::PriceScenario::kFlat), Usd(r.scenario_npv[0])},
              {market::PriceScenarioName(market::PriceScenario::kHistoryDrift),
               Usd(r.scenario_npv[1])},
              {market::PriceScenarioName(market::PriceScenario::kStress), Usd(r.scenario_npv[2])}}},
            {"payback_months", r.payback_months ? json(*r.payback_months) : json(nullptr)},
            {"ai_groups", r.ai_groups},
            {"months", months}};
  return j;
}

}  // namespace

nlohmann::json ToJson(const Assessment& a) {
  const AssessOptions& o = a.options;
  json groups = json::array();
  for (size_t i = 0; i < a.groups.size(); ++i) {
    const auto& g = a.groups[i];
    json llm = json::array();
    for (const auto& f : g.llm) {
      llm.push_back({{"model", f.model},
                     {"precision", PrecisionName(f.precision)},
                     {"weights_gb", f.weights_gb},
                     {"need_gb", f.need_gb},
                     {"gpus", f.gpus},
                     {"tokens_per_s_batch1", f.tokens_per_s_batch1},
                     {"tokens_per_s_batched", f.tokens_per_s_batched},
                     {"prefill_tokens_per_s", f.prefill_tokens_per_s},
                     {"batch", f.batch},
                     {"load_seconds", f.load_seconds},
                     {"gpus_now", f.gpus_now},
                     {"load_seconds_now", f.load_seconds_now}});
    }
    groups.push_back(
        {{"index", i},
         {"site", a.sites.empty() ? std::string() : a.sites[static_cast<size_t>(g.site)].id},
         {"model", g.model},
         {"kind", catalog::DeviceKindName(g.kind)},
         {"devices", g.devices},
         {"nodes", g.nodes},
         {"devices_per_node", g.devices_per_node},
         {"pcie_lanes", g.pcie_lanes},
         {"nvlink", g.nvlink},
         {"host",
          {{"cpu_cores", g.host_cpu_cores},
           {"ram_gb", g.host_ram_gb},
           {"disk_gb", g.host_disk_gb},
           {"nic_gbps", g.host_nic_gbps},
           {"host_power_w", ToWatts(g.host_power)}}},
         {"class_now", AiClassName(g.now)},
         {"class_after_upgrade", AiClassName(g.after_upgrade)},
         {"reasons", g.reasons},
         {"link_gbs", g.link_gbs},
         {"link_gbs_upgraded", g.link_gbs_upgraded},
         {"gpu_hour_price_usd", ToUsdPerGpuHour(g.gpu_hour_price)},
         {"llm", llm},
         {"training",
          {{"qlora_max_params_b", g.training.qlora_max_params_b},
           {"lora_max_params_b", g.training.lora_max_params_b},
           {"full_ft_max_params_b", g.training.full_ft_max_params_b},
           {"full_ft_gpus", g.training.full_ft_gpus},
           {"jobs", g.training.jobs}}}});
  }
  json sites = json::array();
  for (const auto& s : a.sites) {
    const auto& e = s.envelope;
    json strategies = json::array();
    for (const auto& r : s.strategies) strategies.push_back(StrategyJson(r));
    sites.push_back(
        {{"id", s.id},
         {"name", s.name},
         {"market", s.market},
         {"market_covered", s.market_covered},
         {"groups", s.groups},
         {"envelope",
          {{"grid_cap_kw", ToKilowatts(e.grid_cap)},
           {"pue", e.pue_milli / 1000.0},
           {"it_cap_kw", ToKilowatts(e.it_cap)},
           {"cooling_limit_kw", ToKilowatts(e.cooling_limit)},
           {"nameplate_it_kw", ToKilowatts(e.nameplate_it)},
           {"usable_it_kw", ToKilowatts(e.usable_it)},
           {"binding", econ::EnvelopeLimitName(e.binding)},
           {"headroom_kw", ToKilowatts(e.Headroom())}}},
         {"convert_plan", Plan(s.convert_plan)},
         {"hybrid_plan", Plan(s.hybrid_plan)},
         {"strategies", strategies},
         {"recommended", StrategyName(s.recommended)},
         {"recommendation", s.recommendation},
         {"break_even_gpu_hour_usd",
          s.break_even_gpu_hour ? json(ToUsdPerGpuHour(*s.break_even_gpu_hour)) : json(nullptr)},
         {"break_even_gpu", s.break_even_gpu},
         {"break_even_price_scale", s.break_even_price_scale},
         {"mining_break_even_usd_per_mwh", s.mining_break_even_usd_per_mwh},
         {"mean_price_usd_per_mwh", s.mean_price_usd_per_mwh},
         {"price_duration_usd_per_mwh", s.price_duration}});
  }
  json fleet = json::array();
  for (const auto& r : a.fleet) fleet.push_back(StrategyJson(r));
  json sens = json::array();
  for (const auto& r : a.sensitivity) {
    sens.push_back(
        {{"scenario", r.scenario},
         {"hashprice_scale", r.hashprice_permille / 1000.0},
         {"gpu_price_scale", r.gpu_price_permille / 1000.0},
         {"npv_usd",
          {{"keep-mining", Usd(r.npv[0])}, {"convert", Usd(r.npv[1])}, {"hybrid", Usd(r.npv[2])}}},
         {"best", StrategyName(r.best)}});
  }
  json scenarios = json::array();
  for (const auto& s : a.outlook.scenarios) {
    scenarios.push_back(
        {{"scenario", market::PriceScenarioName(s.scenario)},
         {"btc_price", ScenarioPriceAssumption(a, s)},
         {"hashprice_usd_per_ths_day_by_month", s.hashprice_usd_per_ths_day},
         {"npv_usd",
          {{"keep-mining", Usd(s.npv[0])}, {"convert", Usd(s.npv[1])}, {"hybrid", Usd(s.npv[2])}}},
         {"best", StrategyName(s.best)}});
  }
  json outlook = {
      {"projected", a.outlook.projected},
      {"summary", OutlookSummary(a)},
      {"anchor_month", FormatDate(a.outlook.anchor_month)},
      {"window_months", a.outlook.window_months},
      {"difficulty_growth_per_year", a.outlook.trends.difficulty_growth_per_year},
      {"price_growth_per_year", a.outlook.trends.price_growth_per_year},
      {"trend_months", a.outlook.trends.months_used},
      {"fee_share_source", a.outlook.fee_source},
      {"headline_scenario", market::PriceScenarioName(market::PriceScenario::kFlat)},
      {"scenarios", scenarios}};
  json costs = json::array();
  for (const auto& c : o.costs.entries()) {
    costs.push_back({{"key", c.key}, {"value", c.value}, {"unit", c.unit}, {"source", c.source}});
  }
  json models = json::array();
  for (const auto& m : o.models) {
    models.push_back({{"name", m.name},
                      {"params", m.params},
                      {"active_params", m.active_params},
                      {"kv_bytes_per_token_bf16", m.kv_bytes_per_token_bf16},
                      {"source", m.source}});
  }
  return {{"fleet", a.fleet_name},
          {"markets", a.market_description},
          {"window",
           {{"from", FormatTimestamp(a.from)},
            {"to", FormatTimestamp(a.to)},
            {"hours", (a.to - a.from) / 3600}}},
          {"options",
           {{"discount_rate", o.discount_rate},
            {"horizon_months", o.horizon_months},
            {"ai_utilisation", o.ai_utilisation_permille / 1000.0},
            {"bandwidth_efficiency", o.bandwidth_efficiency_permille / 1000.0},
            {"decode_batch", o.decode_batch},
            {"context_tokens", o.context_tokens},
            {"refit_gpu", o.refit_gpu},
            {"hybrid_refit_share", o.hybrid_refit_share_permille / 1000.0},
            {"costs", costs},
            {"llm_models", models}}},
          {"recommendations",
           [&] {
             json r = json::array();
             for (const auto& s : a.sites) r.push_back(s.recommendation);
             return r;
           }()},
          {"recommended_npv_usd", Usd(a.recommended_npv)},
          {"sites", sites},
          {"fleet_totals", fleet},
          {"sensitivity", sens},
          {"mining_outlook", outlook},
          {"groups", groups},
          {"warnings", a.warnings}};
}

std::string RenderJson(const Assessment& a) { return ToJson(a).dump(2) + "\n"; }

}  // namespace rigshift::assess
