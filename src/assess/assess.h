// The conversion assessment: what of a mining fleet can serve AI, what must change first, what it
// costs, and whether it pays, per site and for the fleet, over a window of real market history.
//
// Start here: Assess() is pure (no I/O, no clock): a fleet, the market data and options in, an
// Assessment value out. Renderers (render.h) turn it into text, JSON or a self-contained HTML page.
//
// What it computes, in order:
//   1. device groups: identical devices of a site (model x host configuration) merged, so that the
//      hour-by-hour loops run over a few dozen groups rather than 100,000 devices;
//   2. AI suitability per group (suitability.h): a class now and after the host upgrade, with the
//      reasons; which LLMs fit at which precision and their decode tokens/s; training jobs;
//   3. the upgrade plan per site (upgrade.h) from the cost table;
//   4. money per site and strategy (strategies.h), hour by hour over the window:
//        keep-mining  every device mines in each hour whose margin is positive (curtailment);
//        convert      AI on the suitable GPUs after their upgrade (ASIC halls re-fitted with GPU
//                     servers), at the utilisation assumption; the rest is switched off;
//        hybrid       AI where it pays more than mining (decided per device group on NPV), mining
//                     fills the rest of the envelope hour by hour, and upgraded GPUs mine in the
//                     hours they are not rented;
//      then NPV, payback, the break-even GPU-hour price and a sensitivity table;
//   4b. mining past the window (outlook.h): the hashprice projected over the NPV horizon from the
//      halving schedule, the fitted difficulty trend, the fee share and three BTC price scenarios;
//      the headline NPV is the flat-price scenario's, the other two are reported beside it;
//   5. the recommendation: the strategy with the highest NPV per site, in one sentence.
//
// Money is fixed point (core/quantity.h); the discount factors and the physics estimates
// (tokens/s, load times) are doubles and say so. Thread-safety: pure function over const inputs.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "assess/cost_table.h"
#include "assess/llm_models.h"
#include "catalog/catalog.h"
#include "core/quantity.h"
#include "core/time.h"
#include "econ/envelope.h"
#include "econ/finance.h"
#include "econ/value.h"
#include "fleet/model.h"
#include "market/btc_outlook.h"
#include "market/series.h"

namespace rigshift::assess {

enum class AiClass : uint8_t {
  kNotSuitable = 0,            // an ASIC, or GPU memory < 8 GB
  kInferenceAfterUpgrade = 1,  // the GPU can serve models, its host (risers, RAM, CPU, disk) cannot
  kInferenceReady = 2,         // serves LLM inference as it stands
  kTrainingCapable =
      3,  // inference plus multi-GPU fine-tuning/training (x16 or NVLink, BF16, >= 24 GB)
};
const char* AiClassName(AiClass c);  // "not suitable", "inference after host upgrade", ...

enum class Precision : uint8_t { kBf16 = 0, kInt8 = 1, kInt4 = 2 };
const char* PrecisionName(Precision p);  // "bf16", "int8", "int4"
inline constexpr std::array<Precision, 3> kPrecisions = {Precision::kBf16, Precision::kInt8,
                                                         Precision::kInt4};

enum class Strategy : uint8_t { kKeepMining = 0, kConvert = 1, kHybrid = 2 };
const char* StrategyName(Strategy s);  // "keep-mining", "convert", "hybrid"
inline constexpr std::array<Strategy, 3> kStrategies = {Strategy::kKeepMining, Strategy::kConvert,
                                                        Strategy::kHybrid};

struct AssessOptions {
  // History window [from, to). Unset: the latest full calendar year covered by every electricity
  // series the sites use and by the hashprice; failing that, the last 365 days they all cover.
  std::optional<TimePoint> from, to;
  double discount_rate = 0.12;  // per year
  int horizon_months = 36;      // NPV horizon; the window's monthly margins repeat over it
  int64_t ai_utilisation_permille = 700;  // share of hours an AI GPU is rented
  // Roofline: decode reads the active weights and the KV cache once per step at this fraction of
  // peak memory bandwidth (measured llama.cpp / vLLM decode reaches ~50-70 % of peak).
  int64_t bandwidth_efficiency_permille = 600;
  int decode_batch = 16;      // concurrent sequences for the batched tokens/s figure
  int context_tokens = 4096;  // KV cache sized for this context per sequence
  econ::PowerModel power;
  CostTable costs = CostTable::Defaults();
  std::vector<LlmModel> models = DefaultLlmModels();
  // ASIC halls: the GPU server they would be re-fitted with (catalogue name), its cost key and
  // power key in the cost table.
  std::string refit_gpu = "H100 SXM";
  std::string refit_server_cost_key = "refit_server_h100";
  std::string refit_server_kw_key = "refit_server_h100_kw";
  // Scenario scalings (the sensitivity table uses these), permille of the market's figures.
  int64_t hashprice_scale_permille = 1000;
  int64_t gpu_price_scale_permille = 1000;
  // Hybrid at an ASIC site: the share of the envelope re-fitted with GPU servers; the ASICs stay
  // and fill whatever power the AI servers leave, hour by hour.
  int64_t hybrid_refit_share_permille = 500;
  bool sensitivity = true;  // compute the sensitivity table (5 runs of the money model)
  // Mining past the window: the hashprice projection's trend lookback and stress factor. With
  // project_mining off, the window's hashprice repeats over the horizon (the model before the
  // projection existed; kept for comparison).
  market::OutlookOptions outlook;
  bool project_mining = true;
};

// The hashprice over the NPV horizon in one BTC price scenario (market/btc_outlook.h).
struct ScenarioOutlook {
  market::PriceScenario scenario = market::PriceScenario::kFlat;
  // Per horizon month (index 0 = month 1): the multiplier on the hashprice of the window month
  // that horizon month repeats; 1 inside the window.
  std::vector<double> hashprice_scale;
  // The projected monthly mean hashprice (USD per TH/s per day), horizon month by month.
  std::vector<double> hashprice_usd_per_ths_day;
  std::array<Money, 3> npv{};  // fleet, per strategy
  Strategy best = Strategy::kKeepMining;
};

struct MiningOutlook {
  bool projected = false;  // false: the horizon lies inside the window, or no trend could be fit
  TimePoint anchor_month = 0;  // the window's last month: the projection starts from its level
  int window_months = 0;       // months of the window that repeat over the horizon
  market::Trends trends;
  std::vector<ScenarioOutlook> scenarios;  // flat (the headline), history drift, stress
  std::string note;                        // why there is no projection, when there is none
  std::string fee_source;                  // where the fee-share figures came from
};

// --- Per device group ---
struct LlmFit {
  std::string model;
  Precision precision = Precision::kBf16;
  double weights_gb = 0;  // parameters x bytes per parameter
  double need_gb = 0;     // weights + KV cache (batch 1, context_tokens) + runtime overhead
  int gpus = 0;           // 0: does not fit; 1: one GPU; n: tensor parallel over n GPUs
  double tokens_per_s_batch1 = 0;   // per replica (n GPUs), decode, roofline
  double tokens_per_s_batched = 0;  // per replica at AssessOptions::decode_batch (or what fits)
  int batch = 0;                    // the batch that fits memory, <= decode_batch
  double prefill_tokens_per_s = 0;  // prompt processing, compute roofline (0: TFLOPS unknown)
  double load_seconds = 0;      // weights over the upgraded host link (per GPU share, in parallel)
  int gpus_now = 0;             // GPUs it needs on today's host (0: cannot run there today)
  double load_seconds_now = 0;  // weights over today's link (an x1 riser: ~0.985 GB/s)
};

struct TrainingFit {
  double qlora_max_params_b = 0;    // 4-bit base + adapters, one GPU
  double lora_max_params_b = 0;     // bf16 base + adapters, one GPU
  double full_ft_max_params_b = 0;  // mixed-precision Adam, sharded over the node's GPUs (0: none)
  int full_ft_gpus = 0;
  std::vector<std::string> jobs;  // "QLoRA of a 70B model", "LoRA of an 8B model", ...
};

struct DeviceGroupAssessment {
  int site = 0;
  std::string model;
  catalog::DeviceKind kind = catalog::DeviceKind::kGpu;
  const catalog::GpuModel* gpu = nullptr;
  const catalog::AsicModel* asic = nullptr;
  int64_t devices = 0;
  int64_t nodes = 0;
  int devices_per_node = 0;
  int pcie_lanes = 16;
  bool nvlink = false;
  int host_cpu_cores = 0;
  double host_ram_gb = 0;
  double host_disk_gb = 0;
  double host_nic_gbps = 0;
  Power host_power;        // per node
  Power nameplate_each;    // device (an ASIC in its configured power mode)
  std::string mode;        // ASIC power mode as configured ("" = nominal)
  Hashrate hashrate_each;  // ASIC: SHA-256 hashrate in that mode
  AiClass now = AiClass::kNotSuitable;
  AiClass after_upgrade = AiClass::kNotSuitable;
  std::vector<std::string> reasons;  // why `now` (and what the upgrade fixes)
  double link_gbs = 0;               // host link per GPU now (GB/s)
  double link_gbs_upgraded = 0;      // after the upgrade (x16 at the card's generation)
  std::vector<LlmFit> llm;           // after the upgrade (what customers would run)
  TrainingFit training;              // after the upgrade
  GpuHourPrice gpu_hour_price;       // what one GPU-hour of it rents for (table or curve)
};

struct UpgradePlan {
  std::vector<econ::CapexItem> items;
  Money capex;
  Money monthly_opex;              // AI opex + uplink + maintenance
  int64_t ai_gpus = 0;             // GPUs that would serve AI after it
  int64_t refit_servers = 0;       // ASIC halls: new GPU servers the envelope allows
  Power ai_it_power;               // IT power of the AI load at full use
  double ai_rack_kw = 0;           // densest new AI rack (4 servers per rack)
  bool datacenter_class = false;   // datacentre GPUs: customers expect redundant power
  int build_months = 0;            // months from the decision to AI revenue (cost table)
  std::vector<std::string> notes;  // floor space, cooling kind, what is not included
};

struct MonthValue {
  TimePoint start = 0;
  Money revenue_mining;
  Money revenue_ai;
  Money energy_cost;  // incl. demand charges
  Money opex;
  Money Margin() const { return revenue_mining + revenue_ai - energy_cost - opex; }
};

struct StrategyResult {
  Strategy strategy = Strategy::kKeepMining;
  Money revenue_mining;
  Money revenue_ai;
  Money energy_cost;     // energy + adders + demand charges over the window
  Money demand_charges;  // part of energy_cost
  Money opex;            // over the window
  Money capex;
  Energy energy;                       // facility energy over the window
  int64_t curtailed_device_hours = 0;  // device-hours a mining device was switched off for price
  Money margin;                        // revenue - energy - opex over the window (before capex)
  Money npv;  // over the horizon, capex at month 0; mining at the flat-price scenario's hashprice
  std::optional<double> payback_months;
  std::array<Money, 3> scenario_npv{};  // by market::PriceScenario (npv is the flat one)
  std::vector<Money> flows;             // the headline cash flows: -capex, then month 1..horizon
  int build_months = 0;                 // months before the AI part earns (fit-out, re-hosting)
  std::vector<MonthValue> months;
  std::vector<int64_t> ai_groups;  // group indices running AI in this strategy
  // Daily mean IT power by use (for the envelope chart), MW.
  std::vector<double> daily_ai_mw, daily_mining_mw;
};

struct SensitivityRow {
  std::string scenario;  // "hashprice x0.5", ...
  int64_t hashprice_permille = 1000;
  int64_t gpu_price_permille = 1000;
  std::array<Money, 3> npv{};  // per strategy, fleet total
  Strategy best = Strategy::kKeepMining;
};

struct SiteAssessment {
  int index = 0;
  std::string id, name;
  econ::SiteEnvelope envelope;
  std::string market;           // tariff market name
  bool market_covered = true;   // the market data has the tariff's series for the window
  std::vector<int64_t> groups;  // indices into Assessment::groups
  UpgradePlan convert_plan;     // what convert buys
  UpgradePlan hybrid_plan;      // what hybrid buys (the groups where AI pays)
  std::array<StrategyResult, 3> strategies;
  Strategy recommended = Strategy::kKeepMining;
  // The best strategy in each BTC price scenario (by market::PriceScenario): where they differ
  // from `recommended`, the recommendation says so.
  std::array<Strategy, 3> recommendation_by_scenario{};
  std::string recommendation;  // one sentence, then whether it holds across the scenarios
  // GPU-hour price (of the site's main AI GPU) at which convert's NPV equals keep-mining's;
  // nullopt when the site has nothing to convert.
  std::optional<GpuHourPrice> break_even_gpu_hour;
  std::string break_even_gpu;                // the GPU model that price is for
  double break_even_price_scale = 0;         // the same as a multiple of every AI GPU's table price
  double mining_break_even_usd_per_mwh = 0;  // price above which the main mining device loses money
  std::vector<double> price_duration;  // the window's hourly prices sorted high to low (<= 400 pts)
  double mean_price_usd_per_mwh = 0;
};

struct Assessment {
  std::string fleet_name;
  std::string market_description;
  TimePoint from = 0, to = 0;
  AssessOptions options;  // as used (models and cost table included)
  std::vector<DeviceGroupAssessment> groups;
  std::vector<SiteAssessment> sites;
  std::array<StrategyResult, 3> fleet;  // sums over sites (months aligned)
  Money recommended_npv;                // sum over sites of the recommended strategy's NPV
  std::vector<SensitivityRow> sensitivity;
  MiningOutlook outlook;
  std::vector<std::string> warnings;  // markets missing, window clipped, ...
};

// The whole assessment. Fails only when no window can be formed (no market data covers any
// hour) or options are out of range; everything questionable is a warning in the result.
Result<Assessment> Assess(const fleet::Fleet& fleet, const market::MarketData& market,
                          const AssessOptions& options);

// The default window for a fleet and market data (see AssessOptions::from).
Result<std::pair<TimePoint, TimePoint>> DefaultWindow(const fleet::Fleet& fleet,
                                                      const market::MarketData& market);

}  // namespace rigshift::assess
