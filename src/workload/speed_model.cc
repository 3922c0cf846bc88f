#include "workload/speed_model.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/text.h"

namespace rigshift::workload {

namespace {

// V100 SXM2 reference for the roofline: 125 TFLOPS FP16 tensor, 900 GB/s HBM2 (NVIDIA V100
// datasheet).
constexpr double kV100Tflops = 125.0;
constexpr double kV100BandwidthGbs = 900.0;

std::vector<std::string> Tokens(std::string_view name) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : name) {
    if (c == ' ' || c == '-' || c == '_' || c == '/' || c == '(' || c == ')' || c == ',') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

bool Has(const std::vector<std::string>& t, std::string_view w) {
  return std::find(t.begin(), t.end(), w) != t.end();
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double GeoMean(const std::vector<double>& v) {
  if (v.empty()) return 0;
  double s = 0;
  for (double x : v) s += std::log(x);
  return std::exp(s / static_cast<double>(v.size()));
}

}  // namespace

const char* GpuClassName(GpuClass c) {
  switch (c) {
    case GpuClass::kUnmeasured:
      return "unmeasured";
    case GpuClass::kK80:
      return "k80";
    case GpuClass::kP100:
      return "p100";
    case GpuClass::kV100:
      return "v100";
    case GpuClass::kT4:
      return "t4";
    case GpuClass::kA100:
      return "a100";
    case GpuClass::kRtx2080Ti:
      return "rtx2080ti";
    case GpuClass::kQuadroRtx6000:
      return "quadrortx6000";
  }
  return "?";
}

GpuClass ClassifyGpuName(std::string_view name) {
  auto t = Tokens(name);
  if (Has(t, "k80")) return GpuClass::kK80;
  if (Has(t, "p100")) return GpuClass::kP100;
  if (Has(t, "v100") || Has(t, "v100m16") || Has(t, "v100m32")) return GpuClass::kV100;
  if (Has(t, "t4")) return GpuClass::kT4;
  if (Has(t, "a100")) return GpuClass::kA100;
  if ((Has(t, "2080") && Has(t, "ti")) || Has(t, "2080ti")) return GpuClass::kRtx2080Ti;
  if (Has(t, "rtx") && Has(t, "6000") && !Has(t, "ada")) return GpuClass::kQuadroRtx6000;
  // Class names themselves ("rtx2080ti", "quadrortx6000").
  std::string n = catalog::NormaliseModelName(name);
  if (n == "rtx2080ti") return GpuClass::kRtx2080Ti;
  if (n == "quadrortx6000") return GpuClass::kQuadroRtx6000;
  return GpuClass::kUnmeasured;
}

GpuClass ClassifyGpu(const catalog::GpuModel& gpu) {
  GpuClass c = ClassifyGpuName(gpu.name);
  if (c != GpuClass::kUnmeasured) return c;
  for (const auto& a : gpu.aliases) {
    c = ClassifyGpuName(a);
    if (c != GpuClass::kUnmeasured) return c;
  }
  return GpuClass::kUnmeasured;
}

MeasuredSpeeds MeasuredSpeeds::Defaults() {
  // Computed by LoadMeasuredSpeeds() from ../shared/data/traces (docs/speed-model.md); the test
  // speed_model_test checks that these still equal what the data give.
  MeasuredSpeeds m;
  m.relative_to_v100 = {
      {GpuClass::kV100, 1.0},
      {GpuClass::kP100, 0.8125},       // Gavel: 1 / median(V100/P100) over 26 single-GPU job types
      {GpuClass::kK80, 0.2467},        // Gavel: 1 / median(V100/K80)
      {GpuClass::kT4, 0.6334},         // Sia: median over 6 models (aws T4 vs azure V100)
      {GpuClass::kA100, 1.4090},       // Sia: dgx A100
      {GpuClass::kRtx2080Ti, 0.7844},  // Sia: rtx (RTX 2080 Ti)
      {GpuClass::kQuadroRtx6000, 1.0013},  // Sia: quad (Quadro RTX 6000)
  };
  m.source =
      "Gavel simulation_throughputs.json (K80/P100/V100, single-GPU job types); Sia SOSP'23 "
      "placements-*.csv (T4/V100/A100/RTX 2080 Ti/Quadro RTX 6000, single-GPU step times)";
  return m;
}

Result<MeasuredSpeeds> LoadMeasuredSpeeds(const std::string& traces_dir) {
  MeasuredSpeeds out;
  out.relative_to_v100[GpuClass::kV100] = 1.0;
  // Gavel.
  {
    std::string path = traces_dir + "/gavel/simulation_throughputs.json";
    ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      return Status::InvalidArgument(path + ": " + e.what());
    }
    std::vector<double> p100, k80;
    try {
      for (const char* key : {"k80", "p100", "v100"}) {
        if (!j.contains(key) || !j[key].is_object()) {
          return Status::InvalidArgument(path + ": missing object '" + key + "'");
        }
      }
      for (auto it = j["v100"].begin(); it != j["v100"].end(); ++it) {
        const std::string& k = it.key();
        if (k.size() < 4 || k.substr(k.size() - 4) != ", 1)") continue;
        if (!j["k80"].contains(k) || !j["p100"].contains(k)) continue;
        double v = it.value().at("null").get<double>();
        double p = j["p100"][k].at("null").get<double>();
        double kk = j["k80"][k].at("null").get<double>();
        if (v <= 0 || p <= 0 || kk <= 0) continue;
        p100.push_back(p / v);
        k80.push_back(kk / v);
      }
    } catch (const nlohmann::json::exception& e) {
      return Status::InvalidArgument(path + ": " + e.what());
    }
    if (p100.empty())
      return Status::InvalidArgument(path + ": no single-GPU job type measured on all three GPUs");
    // Median of the V100/X ratio, inverted (as docs/speed-model.md states it).
    std::vector<double> inv_p, inv_k;
    for (double x : p100) inv_p.push_back(1.0 / x);
    for (double x : k80) inv_k.push_back(1.0 / x);
    out.relative_to_v100[GpuClass::kP100] = 1.0 / Median(inv_p);
    out.relative_to_v100[GpuClass::kK80] = 1.0 / Median(inv_k);
  }
  // Sia: per model, geometric mean over common local batch sizes of step_time(V100)/step_time(X)
  // for single-GPU placements; then the median over models.
  {
    const std::vector<std::pair<std::string, GpuClass>> clusters = {
        {"aws", GpuClass::kT4},
        {"dgx", GpuClass::kA100},
        {"rtx", GpuClass::kRtx2080Ti},
        {"quad", GpuClass::kQuadroRtx6000}};
    const std::vector<std::string> models = {"bert",     "cifar10", "deepspeech2",
                                             "imagenet", "ncf",     "yolov3"};
    std::map<GpuClass, std::vector<double>> per_model;
    for (const auto& model : models) {
      auto load = [&](const std::string& cluster) -> Result<std::map<int64_t, double>> {
        std::string path =
            traces_dir + "/sia_sosp23/traces/" + model + "/placements-" + cluster + ".csv";
        ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
        ASSIGN_OR_RETURN(auto rows, ParseCsv(text, path));
        if (rows.empty()) return Status::InvalidArgument(path + ": empty file");
        int ip = -1, ib = -1, is = -1;
        for (size_t c = 0; c < rows[0].fields.size(); ++c) {
          std::string f(Trim(rows[0].fields[c]));
          if (f == "placement") ip = static_cast<int>(c);
          if (f == "local_bsz") ib = static_cast<int>(c);
          if (f == "step_time") is = static_cast<int>(c);
        }
        if (ip < 0 || ib < 0 || is < 0) {
          return Status::InvalidArgument(Location(path, rows[0].line) +
                                         ": header must name placement, local_bsz and step_time");
        }
        std::map<int64_t, double> m;
        for (size_t r = 1; r < rows.size(); ++r) {
          const auto& f = rows[r].fields;
          if (f.size() <= static_cast<size_t>(std::max({ip, ib, is}))) {
            return Status::InvalidArgument(Location(path, rows[r].line) + ": too few fields");
          }
          if (Trim(f[ip]) != "1") continue;
          auto b = ParseInt64(f[ib]);
          auto s = ParseDouble(f[is]);
          if (!b.ok() || !s.ok() || *s <= 0) {
            return Status::InvalidArgument(Location(path, rows[r].line) +
                                           ": local_bsz/step_time: expected a positive number");
          }
          m[*b] = *s;
        }
        return m;
      };
      ASSIGN_OR_RETURN(auto ref, load("azure"));
      for (const auto& [cluster, cls] : clusters) {
        ASSIGN_OR_RETURN(auto other, load(cluster));
        std::vector<double> ratios;
        for (const auto& [bsz, t] : other) {
          auto it = ref.find(bsz);
          if (it != ref.end()) ratios.push_back(it->second / t);
        }
        if (!ratios.empty()) per_model[cls].push_back(GeoMean(ratios));
      }
    }
    for (const auto& [cls, v] : per_model) out.relative_to_v100[cls] = Median(v);
  }
  out.source = "recomputed from " + traces_dir;
  return out;
}

const double* StepThroughputs::Find(const std::string& job_type, int32_t gpus, GpuClass cls) const {
  auto it = steps_per_second.find(std::make_tuple(job_type, gpus, cls));
  return it == steps_per_second.end() ? nullptr : &it->second;
}

bool InterconnectFits(const Job& job, const NodeLinks& links, int32_t gpus_here, bool spans_nodes) {
  if (job.gpus <= 1 && !spans_nodes) return true;
  if (spans_nodes) {
    if (job.interconnect != Interconnect::kNetwork && job.interconnect != Interconnect::kNone) {
      return false;
    }
    if (job.interconnect == Interconnect::kNetwork && links.nic_gbps < job.network_gbps) {
      return false;
    }
  }
  if (gpus_here <= 1) return true;
  switch (job.interconnect) {
    case Interconnect::kNone:
      return true;
    case Interconnect::kPcie:
    case Interconnect::kNetwork:  // GPUs of a node inside a networked gang still talk over PCIe
      return links.nvlink || links.pcie_lanes_per_gpu >= kMinPcieLanesForGang;
    case Interconnect::kNvlink:
      return links.nvlink;
  }
  return false;
}

int32_t SpanGpusPerNode(const Job& job, const NodeLinks& links, int32_t node_gpus) {
  if (InterconnectFits(job, links, node_gpus, /*spans_nodes=*/true)) return node_gpus;
  if (InterconnectFits(job, links, 1, /*spans_nodes=*/true)) return 1;
  return 0;
}

SpeedModel::SpeedModel(SpeedModelOptions options) : options_(std::move(options)) {
  for (const auto& g : catalog::Catalog::Builtin().gpus()) {
    double s = Compute(g).speed;
    by_name_[g.name] = s;
    for (const auto& a : g.aliases) by_name_[a] = s;
  }
  for (const auto& [cls, s] : options_.measured.relative_to_v100) by_name_[GpuClassName(cls)] = s;
  default_reference_speed_ = 1.0;
  default_reference_speed_ = RelativeSpeedOfName(options_.default_reference_gpu);
  if (default_reference_speed_ <= 0) default_reference_speed_ = 1.0;
}

SpeedModel::Entry SpeedModel::Compute(const catalog::GpuModel& gpu) const {
  Entry e;
  e.cls = ClassifyGpu(gpu);
  if (e.cls != GpuClass::kUnmeasured) {
    auto it = options_.measured.relative_to_v100.find(e.cls);
    if (it != options_.measured.relative_to_v100.end()) {
      e.speed = it->second;
      return e;
    }
  }
  double c = std::max(gpu.fp32_tflops, gpu.fp16_tflops);
  if (gpu.bf16_tflops) c = std::max(c, *gpu.bf16_tflops);
  double b = gpu.memory_bandwidth_gbs;
  if (c <= 0 || b <= 0) return e;  // speed 0: no figures to judge by
  double w = options_.roofline_compute_weight;
  e.speed = std::pow(c / kV100Tflops, w) * std::pow(b / kV100BandwidthGbs, 1.0 - w);
  return e;
}

void SpeedModel::Register(const catalog::GpuModel& gpu) { by_model_[&gpu] = Compute(gpu); }

SpeedModel::Entry SpeedModel::Lookup(const catalog::GpuModel& gpu) const {
  auto it = by_model_.find(&gpu);
  return it != by_model_.end() ? it->second : Compute(gpu);
}

double SpeedModel::RelativeSpeed(const catalog::GpuModel& gpu) const { return Lookup(gpu).speed; }

double SpeedModel::RelativeSpeedOfName(std::string_view name) const {
  if (name.empty()) return default_reference_speed_;
  if (auto it = by_name_.find(name); it != by_name_.end() && it->second > 0) return it->second;
  if (const auto* g = catalog::Catalog::Builtin().FindGpu(name)) return RelativeSpeed(*g);
  GpuClass cls = ClassifyGpuName(name);
  auto it = options_.measured.relative_to_v100.find(cls);
  if (it != options_.measured.relative_to_v100.end()) return it->second;
  return default_reference_speed_;
}

double SpeedModel::WorkUnits(const Job& job) {
  return job.total_steps > 0 ? static_cast<double>(job.total_steps) : job.work_gpu_seconds;
}

double SpeedModel::Rate(const Job& job, const catalog::GpuModel& gpu) const {
  if (job.min_memory_gb > 0 && gpu.memory_gb > 0 && job.min_memory_gb > gpu.memory_gb) return 0;
  Entry e = Lookup(gpu);
  if (job.total_steps > 0) {
    const double* sps = options_.steps.Find(job.job_type, job.gpus, e.cls);
    if (sps == nullptr || *sps <= 0) return 0;
    return *sps / static_cast<double>(std::max<int32_t>(1, job.gpus));
  }
  if (e.speed <= 0) return 0;
  double ref =
      job.reference_gpu.empty() ? default_reference_speed_ : RelativeSpeedOfName(job.reference_gpu);
  if (ref <= 0) ref = default_reference_speed_;
  return e.speed / ref;
}

std::string SpeedModel::RateSource(const Job& job, const catalog::GpuModel& gpu) const {
  if (job.min_memory_gb > 0 && gpu.memory_gb > 0 && job.min_memory_gb > gpu.memory_gb) {
    return "does not fit: needs " + std::to_string(static_cast<int>(job.min_memory_gb)) +
           " GB per GPU";
  }
  Entry e = Lookup(gpu);
  if (job.total_steps > 0) {
    return options_.steps.Find(job.job_type, job.gpus, e.cls) ? "measured steps/s"
                                                              : "no throughput";
  }
  if (e.cls != GpuClass::kUnmeasured && options_.measured.relative_to_v100.count(e.cls) > 0) {
    return std::string("measured (") + GpuClassName(e.cls) + ")";
  }
  return "roofline";
}

}  // namespace rigshift::workload
