// The hardware catalogue: GPU and SHA-256 ASIC models with their published specs and mining
// profiles. The data are the project's own CSV files under data/catalog/ (each row cites its
// source); they are embedded into the binary at build time so that `rigshift` needs no data
// directory, and Catalog::FromCsv loads the same format from any text (a user's own catalogue).
//
// Lookups accept the canonical name or any alias, case-insensitively ("RTX 3090", "rtx3090",
// "GeForce RTX 3090"). Thread-safety: immutable after construction; safe to share.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/quantity.h"
#include "core/status.h"

namespace rigshift::catalog {

enum class DeviceKind { kGpu, kAsic };
const char* DeviceKindName(DeviceKind k);  // "gpu", "asic"

// Where a GPU is sold and what it was built for; decides defaults (e.g. NVLink, ECC, drivers).
enum class GpuSegment { kConsumer, kMining, kWorkstation, kDatacenter };
const char* GpuSegmentName(GpuSegment s);

// One way a GPU mines: an algorithm, the hashrate a tuned card reaches and the watts it draws.
struct MiningProfile {
  std::string algorithm;  // "Ethash", "KawPow", "Autolykos2", ...
  Hashrate hashrate;      // in the algorithm's own unit (kH/s)
  Power power;
  std::string source;
};

struct GpuModel {
  std::string name;                  // canonical, e.g. "GeForce RTX 3090"
  std::vector<std::string> aliases;  // e.g. "RTX 3090", "3090"
  std::string vendor;                // "NVIDIA", "AMD"
  GpuSegment segment = GpuSegment::kConsumer;
  int launch_year = 0;
  double memory_gb = 0;
  std::string memory_type;  // "GDDR6X", "HBM3", ...
  double memory_bandwidth_gbs = 0;
  double fp32_tflops = 0;
  double fp16_tflops = 0;             // dense, tensor cores where the part has them (FP32
                                      // accumulate); the FP32 rate when no faster FP16 path
  std::optional<double> bf16_tflops;  // absent when the part has no BF16 support
  std::optional<double> int8_tops;
  Power tdp;
  int pcie_gen = 3;
  int pcie_lanes = 16;    // lanes the card's edge connector has
  double nvlink_gbs = 0;  // per-GPU NVLink/Infinity Fabric bandwidth; 0 when none
  std::vector<MiningProfile> mining;
  std::string source;  // citation for the spec row

  // Best mining profile for an algorithm (highest hashrate, then lower power; the algorithm
  // name compares like model names), or nullptr.
  const MiningProfile* MiningFor(std::string_view algorithm) const;
};

// A documented power mode of an ASIC (eco / normal / turbo ...).
struct AsicPowerMode {
  std::string name;
  Hashrate hashrate;
  Power power;
  std::string source;
};

struct AsicModel {
  std::string name;  // canonical, e.g. "Antminer S19 Pro"
  std::vector<std::string> aliases;
  std::string manufacturer;  // "Bitmain", "MicroBT"
  std::string algorithm = "SHA-256";
  int release_year = 0;
  Hashrate hashrate;                 // nominal (normal mode)
  Power power;                       // nominal (normal mode)
  std::string cooling;               // "air", "hydro", "immersion"
  std::vector<AsicPowerMode> modes;  // includes "normal"; may add eco/turbo/bins; ascending power
  std::string source;

  // Joules per terahash at the nominal mode.
  double EfficiencyJPerTh() const;
  const AsicPowerMode* Mode(std::string_view mode_name) const;
};

class Catalog {
 public:
  // Builds a catalogue from CSV texts in the data/catalog/ formats (see data/catalog/README.md).
  // `*_source` names each text in error messages (file name).
  struct CsvInputs {
    std::string gpus, gpus_source = "gpus.csv";
    std::string gpu_mining, gpu_mining_source = "gpu_mining.csv";
    std::string asics, asics_source = "asics.csv";
    std::string asic_modes, asic_modes_source = "asic_modes.csv";
  };
  static Result<Catalog> FromCsv(const CsvInputs& inputs);
  // Loads the four files from a directory laid out like data/catalog/.
  static Result<Catalog> FromDirectory(const std::string& dir);
  // The catalogue embedded at build time from data/catalog/. Never fails at run time: the
  // embedded data are checked by tests.
  static const Catalog& Builtin();

  const std::vector<GpuModel>& gpus() const { return gpus_; }
  const std::vector<AsicModel>& asics() const { return asics_; }
  const GpuModel* FindGpu(std::string_view name) const;
  const AsicModel* FindAsic(std::string_view name) const;
  // Canonical names and aliases of every model (for "did you mean").
  std::vector<std::string> AllNames() const;

 private:
  std::vector<GpuModel> gpus_;
  std::vector<AsicModel> asics_;
  std::unordered_map<std::string, size_t> gpu_index_;  // normalised name/alias -> index
  std::unordered_map<std::string, size_t> asic_index_;
};

// Normalises a model name for lookup: lower case, spaces, dashes and underscores removed.
std::string NormaliseModelName(std::string_view name);

}  // namespace rigshift::catalog
