// AI suitability of device groups: merging identical devices, classifying what they can serve
// (with reasons), which LLMs fit at which precision with a decode roofline, and which training
// jobs are reasonable. Part of assess (see assess.h); pure functions.
//
// Rules (thresholds are the ones operators of inference clouds publish for their hosts):
//   - ASICs and GPUs with < 8 GB are not suitable;
//   - a host is ready for AI customers when every GPU has >= x8 PCIe lanes (an x1 riser rules out
//     tensor parallelism and loads weights at ~0.985 GB/s), RAM >= 1.5 x the GPU memory it holds,
//     >= 2 CPU cores per GPU (>= 4), >= 1 TB of local disk and a >= 10 Gbps NIC;
//   - training-capable = ready, >= 24 GB, BF16, and x16 (or NVLink) for multi-GPU sharding;
//   - the upgrade moves riser GPUs into 8-GPU x16 servers, so `after_upgrade` judges the GPU
//     alone.
// Decode roofline: tokens/s = n x bandwidth x efficiency x (0.85 with TP over PCIe) /
//   (active weight bytes + KV bytes read), batch B multiplies tokens and KV reads (MoE weights
//   read grow with B up to the whole model). KV cache stays bf16; int4 is 4.5 bits per weight
//   (group scales); runtime overhead 1 GB per GPU; a model fits when the need is <= 95 % of memory.
// Prefill (prompt) roofline: tokens/s = n x dense FP16/BF16 TFLOPS x 40 % / (2 x active params).
#pragma once

#include <vector>

#include "assess/assess.h"

namespace rigshift::assess {

// PCIe bandwidth per direction, GB/s: 0.25/0.5/0.985/1.969/3.938 per lane for gen 1..5.
double PcieGbs(int gen, int lanes);

// Identical devices of a site merged (site, model, node configuration): devices and node counts.
std::vector<DeviceGroupAssessment> GroupDevices(const fleet::Fleet& fleet);

// Fills now/after_upgrade, reasons, links, llm fits, training and the GPU-hour price.
void AssessGroup(DeviceGroupAssessment& g, const market::GpuHourPriceTable& prices,
                 const AssessOptions& options);

// One model at one precision on `gpus_per_node` GPUs of memory `memory_gb` and bandwidth `bw_gbs`.
LlmFit FitLlm(const LlmModel& model, Precision p, double memory_gb, double bw_gbs,
              int gpus_per_node, bool tensor_parallel, bool nvlink, double link_gbs,
              const AssessOptions& options, double dense_tflops = 0);

TrainingFit FitTraining(double memory_gb, bool bf16, int gpus_per_node, bool multi_gpu_ok);

double BytesPerParam(Precision p);

}  // namespace rigshift::assess
