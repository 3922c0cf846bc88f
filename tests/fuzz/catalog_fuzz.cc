// libFuzzer target for the catalogue loader (catalog/catalog.h, Catalog::FromCsv), which reads a
// user's own catalogue through `rigshift catalog --catalog-dir`: any bytes must give either a
// catalogue or an error naming the file, never a crash, an abort or a lookup that loses a model.
// The input is up to four CSV texts separated by form feeds (gpus, gpu_mining, asics,
// asic_modes); a missing part is an empty file with just the header.
// Seeds: tests/fuzz/corpus/catalog_fuzz/ (small hand-written files, not the shared data).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "catalog/catalog.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using rigshift::catalog::Catalog;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string parts[4] = {
      "name,aliases,vendor,segment,launch_year,memory_gb,memory_type,memory_bandwidth_gbs,"
      "fp32_tflops,fp16_tflops,bf16_tflops,int8_tops,tdp_w,pcie_gen,pcie_lanes,nvlink_gbs,source\n",
      "gpu,algorithm,hashrate,unit,power_w,source\n",
      "name,aliases,manufacturer,release_year,hashrate_ths,power_w,cooling,source\n",
      "asic,mode,hashrate_ths,power_w,source\n"};
  for (int i = 0; i < 4 && !text.empty(); ++i) {
    size_t cut = text.find('\f');
    parts[i] = std::string(text.substr(0, cut));
    text = cut == std::string_view::npos ? std::string_view() : text.substr(cut + 1);
  }
  Catalog::CsvInputs in;
  in.gpus = parts[0];
  in.gpu_mining = parts[1];
  in.asics = parts[2];
  in.asic_modes = parts[3];
  auto r = Catalog::FromCsv(in);
  if (!r.ok()) {
    const std::string& m = r.status().message();
    bool named = false;
    for (const std::string& src :
         {in.gpus_source, in.gpu_mining_source, in.asics_source, in.asic_modes_source}) {
      named = named || m.rfind(src, 0) == 0;
    }
    if (!named) __builtin_trap();  // every error names its file
    return 0;
  }
  const Catalog& c = *r;
  for (const auto& g : c.gpus()) {
    if (c.FindGpu(g.name) != &g) __builtin_trap();
    for (const auto& a : g.aliases) {
      if (c.FindGpu(a) != &g) __builtin_trap();
    }
    if (!(g.fp32_tflops > 0) || !(g.memory_gb > 0) || g.tdp.raw() <= 0) __builtin_trap();
    for (const auto& p : g.mining) {
      if (p.hashrate.raw() <= 0 || g.MiningFor(p.algorithm) == nullptr) __builtin_trap();
    }
  }
  for (const auto& a : c.asics()) {
    if (c.FindAsic(a.name) != &a) __builtin_trap();
    if (a.Mode("normal") == nullptr || !std::isfinite(a.EfficiencyJPerTh())) __builtin_trap();
    for (size_t i = 1; i < a.modes.size(); ++i) {
      if (a.modes[i].power < a.modes[i - 1].power) __builtin_trap();
    }
  }
  (void)c.AllNames();
  return 0;
}
