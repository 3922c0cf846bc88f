// Selecting and presenting catalogue entries: what `rigshift catalog` prints. Kept apart from
// the CLI so that the text table and the JSON form are tested here, and so that other commands
// (fleet, assess) can describe a model the same way.
//
// Selection: a query matches a model when its normalised form (NormaliseModelName) is contained in
// the model's normalised name or one of its aliases, so "3090", "rtx 30" and "S19" select the
// RTX 3090, every RTX 30-series card and the whole S19 family. Models whose name or alias equals
// the query come first, then catalogue order.
//
// Thread-safety: pure functions over an immutable Catalog.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"

namespace rigshift::catalog {

struct CatalogSelection {
  std::vector<const GpuModel*> gpus;
  std::vector<const AsicModel*> asics;
  bool empty() const { return gpus.empty() && asics.empty(); }
  size_t size() const { return gpus.size() + asics.size(); }
};

// Models matching `query` (every model when it is empty), limited to `kind` when given.
CatalogSelection SelectModels(const Catalog& catalog, std::string_view query,
                              std::optional<DeviceKind> kind);

// Parses "gpu" / "asic" (any case); nullopt for anything else.
std::optional<DeviceKind> ParseDeviceKind(std::string_view text);

// The profile a table shows for a GPU: Ethash when the card has one (the algorithm the mining
// generation was bought for), else its first listed profile; nullptr when it has none.
const MiningProfile* HeadlineMiningProfile(const GpuModel& gpu);

// "114 MH/s", "3.11 GH/s", "950 kH/s": a hashrate in the largest unit that keeps it >= 1.
std::string FormatGpuHashrate(Hashrate h);

// A table per kind (GPUs: memory, bandwidth, FP32/FP16/BF16, TDP, PCIe, headline mining profile;
// ASICs: TH/s, W, J/TH, cooling, modes). A selection of exactly one model is shown as a detail
// card with every field, every mining profile or power mode, and the sources.
std::string RenderSelectionText(const CatalogSelection& selection);

// {"gpus": [...], "asics": [...]} with every field of every selected row (nulls for absent
// BF16/INT8), exact hashrates in kH/s beside human units, and each row's source.
std::string RenderSelectionJson(const CatalogSelection& selection);

}  // namespace rigshift::catalog
