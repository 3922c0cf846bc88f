#include "assess/suitability.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <tuple>

namespace rigshift::assess {
namespace {

constexpr double kMinGpuMemoryGb = 8;
constexpr double kRuntimeOverheadGb = 1.0;
constexpr double kUsableMemoryShare = 0.95;
constexpr double kTpEfficiencyPcie = 0.85;
constexpr double kTpEfficiencyNvlink = 0.95;
constexpr int kServerGpus = 8;  // GPUs per upgraded host

std::string Fmt(const char* fmt, double a) {
  char buf[160];
  std::snprintf(buf, sizeof buf, fmt, a);
  return buf;
}
std::string Fmt2(const char* fmt, double a, double b) {
  char buf[200];
  std::snprintf(buf, sizeof buf, fmt, a, b);
  return buf;
}

}  // namespace

double PcieGbs(int gen, int lanes) {
  static constexpr double kPerLane[] = {0.25, 0.25, 0.5, 0.985, 1.969, 3.938, 7.877};
  int g = std::clamp(gen, 1, 6);
  return kPerLane[g] * std::max(lanes, 1);
}

double BytesPerParam(Precision p) {
  switch (p) {
    case Precision::kBf16:
      return 2.0;
    case Precision::kInt8:
      return 1.0;
    case Precision::kInt4:
      return 0.5625;  // 4 bits + one 16-bit scale per 32 weights (GPTQ/AWQ/Q4 class)
  }
  return 2.0;
}

std::vector<DeviceGroupAssessment> GroupDevices(const fleet::Fleet& fleet) {
  std::vector<DeviceGroupAssessment> groups;
  // key: site, model pointer, node shape
  using Key = std::tuple<int, const void*, std::string, int, bool, int, double, double, double,
                         int64_t, int>;
  std::map<Key, size_t> index;
  for (size_t s = 0; s < fleet.sites.size(); ++s) {
    const fleet::Site& site = fleet.sites[s];
    for (const auto& hall : site.halls) {
      for (const auto& rack : hall.racks) {
        for (const auto& node : rack.nodes) {
          int per_node = 0;
          for (const auto& d : node.devices) per_node += d.count;
          const int64_t nodes = static_cast<int64_t>(rack.count) * node.count;
          for (const auto& d : node.devices) {
            const void* model = d.kind == catalog::DeviceKind::kGpu
                                    ? static_cast<const void*>(d.gpu)
                                    : static_cast<const void*>(d.asic);
            if (model == nullptr || d.count <= 0 || nodes <= 0) continue;
            const std::string mode = d.kind == catalog::DeviceKind::kAsic ? d.mode : std::string();
            Key key{static_cast<int>(s),
                    model,
                    mode,
                    node.pcie_lanes_per_gpu,
                    node.nvlink,
                    node.cpu_cores,
                    node.ram_gb,
                    node.disk_gb,
                    node.nic_gbps,
                    node.host_power.raw(),
                    per_node};
            auto [it, inserted] = index.emplace(key, groups.size());
            if (inserted) {
              DeviceGroupAssessment g;
              g.site = static_cast<int>(s);
              g.kind = d.kind;
              g.gpu = d.gpu;
              g.asic = d.asic;
              g.model = d.kind == catalog::DeviceKind::kGpu ? d.gpu->name : d.asic->name;
              g.devices_per_node = per_node;
              g.pcie_lanes = node.pcie_lanes_per_gpu;
              g.nvlink = node.nvlink;
              g.host_cpu_cores = node.cpu_cores;
              g.host_ram_gb = node.ram_gb;
              g.host_disk_gb = node.disk_gb;
              g.host_nic_gbps = node.nic_gbps;
              g.host_power = node.host_power;
              g.nameplate_each = d.NameplatePowerEach();
              g.mode = mode;
              if (d.kind == catalog::DeviceKind::kAsic) {
                const catalog::AsicPowerMode* m = mode.empty() ? nullptr : d.asic->Mode(mode);
                g.hashrate_each = m != nullptr ? m->hashrate : d.asic->hashrate;
              }
              groups.push_back(std::move(g));
            }
            DeviceGroupAssessment& g = groups[it->second];
            g.devices += nodes * d.count;
            g.nodes += nodes;  // a node holding two models counts in both groups (its share)
          }
        }
      }
    }
  }
  return groups;
}

LlmFit FitLlm(const LlmModel& model, Precision p, double memory_gb, double bw_gbs,
              int gpus_per_node, bool tensor_parallel, bool nvlink, double link_gbs,
              const AssessOptions& options, double dense_tflops) {
  LlmFit f;
  f.model = model.name;
  f.precision = p;
  const double bpp = BytesPerParam(p);
  f.weights_gb = static_cast<double>(model.params) * bpp / 1e9;
  const double kv_seq_gb =
      static_cast<double>(model.kv_bytes_per_token_bf16) * options.context_tokens / 1e9;
  f.need_gb = f.weights_gb + kv_seq_gb + kRuntimeOverheadGb;
  const double usable = memory_gb * kUsableMemoryShare;
  int n = 0;
  for (int candidate : {1, 2, 4, 8}) {
    if (candidate > 1 && (!tensor_parallel || candidate > gpus_per_node)) break;
    if (candidate > 1 && model.heads % candidate != 0) continue;
    double per_gpu = (f.weights_gb + kv_seq_gb) / candidate + kRuntimeOverheadGb;
    if (per_gpu <= usable) {
      n = candidate;
      break;
    }
  }
  f.gpus = n;
  if (n == 0) return f;
  const double eff = static_cast<double>(options.bandwidth_efficiency_permille) / 1000.0 *
                     (n > 1 ? (nvlink ? kTpEfficiencyNvlink : kTpEfficiencyPcie) : 1.0);
  const double bw = bw_gbs * n * eff;  // GB/s
  const double active_gb = static_cast<double>(model.active_params) * bpp / 1e9;
  const double kv_read_gb = kv_seq_gb / 2;  // mean context during generation: half the window
  f.tokens_per_s_batch1 = bw / (active_gb + kv_read_gb);
  // Batch that fits beside the weights.
  const double free_gb = n * (usable - kRuntimeOverheadGb) - f.weights_gb;
  int batch = kv_seq_gb > 0 ? static_cast<int>(free_gb / kv_seq_gb) : options.decode_batch;
  batch = std::clamp(batch, 1, std::max(1, options.decode_batch));
  f.batch = batch;
  const double weights_read = std::min(f.weights_gb, active_gb * batch);
  f.tokens_per_s_batched = batch * bw / (weights_read + batch * kv_read_gb);
  f.load_seconds = f.weights_gb / n / std::max(link_gbs, 1e-3);
  if (dense_tflops > 0 && model.active_params > 0) {
    f.prefill_tokens_per_s =
        n * dense_tflops * 1e12 * 0.4 / (2.0 * static_cast<double>(model.active_params));
  }
  return f;
}

TrainingFit FitTraining(double memory_gb, bool bf16, int gpus_per_node, bool multi_gpu_ok) {
  TrainingFit t;
  // QLoRA: 4-bit base (0.5625 B/param) + adapters, optimizer and activations at small batch:
  // ~0.7 GB per billion parameters (Dettmers et al. 2023: 65B on one 48 GB GPU, 33B on 24 GB).
  t.qlora_max_params_b = std::max(0.0, (memory_gb - 2.0) / 0.7);
  // LoRA on a bf16 base: 2 B/param + ~0.3 for adapters and activations.
  t.lora_max_params_b = std::max(0.0, (memory_gb - 2.0) / 2.3);
  // Full fine-tune, mixed-precision Adam: 16 B/param (+ ~2 for activations), ZeRO-3 sharded.
  if (multi_gpu_ok && bf16 && memory_gb >= 16) {
    t.full_ft_gpus = gpus_per_node;
    t.full_ft_max_params_b = gpus_per_node * memory_gb * 0.9 / 18.0;
  } else if (bf16 && memory_gb >= 16) {
    t.full_ft_gpus = 1;
    t.full_ft_max_params_b = memory_gb * 0.9 / 18.0;
  }
  static constexpr double kSizes[] = {1, 3, 7, 8, 14, 32, 70, 405};
  auto largest = [](double max_b) {
    double best = 0;
    for (double s : kSizes) {
      if (s <= max_b) best = s;
    }
    return best;
  };
  double q = largest(t.qlora_max_params_b), l = largest(t.lora_max_params_b),
         f = largest(t.full_ft_max_params_b);
  if (q > 0) t.jobs.push_back(Fmt("QLoRA fine-tune of a %.0fB model on one GPU", q));
  if (l > 0) t.jobs.push_back(Fmt("LoRA fine-tune of an %.0fB-class model on one GPU", l));
  if (f > 0) {
    t.jobs.push_back(Fmt2("full fine-tune of a %.0fB model across %.0f GPU(s)", f, t.full_ft_gpus));
  }
  if (t.jobs.empty()) t.jobs.push_back("none worth selling (memory too small)");
  return t;
}

void AssessGroup(DeviceGroupAssessment& g, const market::GpuHourPriceTable& prices,
                 const AssessOptions& options) {
  g.reasons.clear();
  g.llm.clear();
  if (g.kind == catalog::DeviceKind::kAsic || g.gpu == nullptr) {
    g.now = g.after_upgrade = AiClass::kNotSuitable;
    g.reasons.push_back(
        "SHA-256 ASIC: fixed-function, cannot run AI work; its power, cooling and floor space can "
        "be re-fitted with GPU servers");
    return;
  }
  const catalog::GpuModel& gpu = *g.gpu;
  g.gpu_hour_price = econ::DefaultGpuHourPrice(gpu, prices);  // scenario scaling: strategies.cc
  const int card_lanes = std::max(1, gpu.pcie_lanes);
  g.link_gbs = PcieGbs(g.pcie_lanes < 8 ? std::min(gpu.pcie_gen, 3) : gpu.pcie_gen,
                       std::min(g.pcie_lanes, card_lanes));
  g.link_gbs_upgraded = PcieGbs(gpu.pcie_gen, card_lanes);
  if (gpu.memory_gb < kMinGpuMemoryGb) {
    g.now = g.after_upgrade = AiClass::kNotSuitable;
    g.reasons.push_back(
        Fmt("%.0f GB of GPU memory: below the 8 GB that the smallest useful "
            "quantized models need with a KV cache; keep mining or sell",
            gpu.memory_gb));
    return;
  }
  // Host checks.
  bool host_ok = true;
  const double node_gpu_mem = gpu.memory_gb * g.devices_per_node;
  if (g.pcie_lanes < 8 && !g.nvlink) {
    host_ok = false;
    g.reasons.push_back(Fmt2("PCIe x%.0f riser: no tensor parallelism; loading 16 GB of weights "
                             "takes %.0f s",
                             g.pcie_lanes, 16.0 / g.link_gbs) +
                        Fmt(" (%.1f s at x16)", 16.0 / g.link_gbs_upgraded));
  }
  if (g.host_ram_gb < 1.5 * node_gpu_mem) {
    host_ok = false;
    g.reasons.push_back(Fmt2("host RAM %.0f GB < 1.5 x the %.0f GB of GPU memory it holds",
                             g.host_ram_gb, node_gpu_mem));
  }
  if (g.host_cpu_cores < std::max(4, 2 * g.devices_per_node)) {
    host_ok = false;
    g.reasons.push_back(Fmt2("%.0f CPU cores for %.0f GPUs (needs >= 2 per GPU, >= 4)",
                             g.host_cpu_cores, g.devices_per_node));
  }
  if (g.host_disk_gb < 1000) {
    host_ok = false;
    g.reasons.push_back(
        Fmt("%.0f GB local disk (needs >= 1 TB NVMe for weights and datasets)", g.host_disk_gb));
  }
  if (g.host_nic_gbps < 10) {
    host_ok = false;
    g.reasons.push_back(Fmt("%.0f Gbps NIC (needs >= 10 Gbps)", g.host_nic_gbps));
  }
  const bool bf16 = gpu.bf16_tflops.has_value() && *gpu.bf16_tflops > 0;
  const double dense_tflops =
      std::max(bf16 ? *gpu.bf16_tflops : 0.0, std::max(gpu.fp16_tflops, gpu.fp32_tflops));
  if (dense_tflops < 20) {
    g.reasons.push_back(
        Fmt("%.0f dense FP16 TFLOPS: prompts prefill slowly", dense_tflops) +
        Fmt(" (~%.0f tokens/s for an 8B model)", dense_tflops * 1e12 * 0.4 / (2 * 8.03e9)));
  }
  auto gpu_class = [&](bool multi_gpu) {
    if (gpu.memory_gb >= 24 && bf16 && multi_gpu) return AiClass::kTrainingCapable;
    return AiClass::kInferenceReady;
  };
  const bool multi_gpu_now = g.nvlink || g.pcie_lanes >= 16;
  g.now = host_ok ? gpu_class(multi_gpu_now) : AiClass::kInferenceAfterUpgrade;
  g.after_upgrade = gpu_class(true);
  if (!bf16) g.reasons.push_back("no BF16 support: fp16/int8 inference only, no modern training");
  if (gpu.memory_gb < 24) {
    g.reasons.push_back(
        Fmt("%.0f GB per GPU: small-model inference and QLoRA only", gpu.memory_gb));
  }
  if (gpu.vendor == "AMD" && gpu.segment != catalog::GpuSegment::kDatacenter) {
    g.reasons.push_back("consumer AMD card: ROCm support is partial; llama.cpp/Vulkan serving");
  }
  if (g.now == AiClass::kTrainingCapable)
    g.reasons.push_back("ready for inference and training now");
  if (g.now == AiClass::kInferenceReady && g.reasons.empty())
    g.reasons.push_back("ready for inference now");

  // LLM fits after the upgrade (what customers would run), with today's load times beside them.
  const int gpus_after =
      (g.pcie_lanes < 8 && !g.nvlink) ? kServerGpus : std::max(1, g.devices_per_node);
  for (const LlmModel& m : options.models) {
    for (Precision p : kPrecisions) {
      LlmFit f = FitLlm(m, p, gpu.memory_gb, gpu.memory_bandwidth_gbs, gpus_after, true, g.nvlink,
                        g.link_gbs_upgraded, options, dense_tflops);
      LlmFit now = FitLlm(m, p, gpu.memory_gb, gpu.memory_bandwidth_gbs, g.devices_per_node,
                          g.pcie_lanes >= 8 || g.nvlink, g.nvlink, g.link_gbs, options);
      f.gpus_now = now.gpus;
      f.load_seconds_now = now.gpus > 0 ? now.load_seconds : 0;
      g.llm.push_back(f);
    }
  }
  g.training = FitTraining(gpu.memory_gb, bf16, gpus_after, true);
}

}  // namespace rigshift::assess
