// libFuzzer target for the fleet loader (fleet/loader.h) with the builtin catalogue: any bytes
// must give either a fleet that satisfies the loader's invariants (which Summarize and Flatten
// then agree on) or an error Status whose every line names the file; never a crash, an uncaught
// exception, a hang or an overflow. Seed corpus: tests/fuzz/corpus/fleet_fuzz/.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "catalog/catalog.h"
#include "core/text.h"
#include "fleet/loader.h"
#include "fleet/model.h"
#include "fleet/summary.h"

namespace {

using rigshift::fleet::FlatFleet;
using rigshift::fleet::Fleet;

void CheckFleet(const Fleet& fleet) {
  int64_t devices = 0;
  for (const auto& site : fleet.sites) {
    if (site.id.empty() || site.grid_cap.raw() <= 0) std::abort();
    if (site.pue_milli < 1000 || site.pue_milli > 3000) std::abort();
    for (const auto& hall : site.halls) {
      for (const auto& rack : hall.racks) {
        if (rack.count < 1 || rack.nodes.empty()) std::abort();
        if (!rack.power_limit.IsZero() && rack.NameplatePowerPerRack() > rack.power_limit) {
          std::abort();  // the loader must have rejected a rack over its limit
        }
        for (const auto& node : rack.nodes) {
          if (node.count < 1 || node.devices.empty()) std::abort();
          for (const auto& d : node.devices) {
            if (d.count < 1) std::abort();
            if ((d.gpu == nullptr) == (d.asic == nullptr)) std::abort();
            devices += static_cast<int64_t>(rack.count) * node.count * d.count;
          }
        }
      }
    }
  }
  if (devices > rigshift::fleet::kMaxDevicesPerFleet) std::abort();
  const auto summary = rigshift::fleet::Summarize(fleet);
  if (summary.total.gpus + summary.total.asics != devices) std::abort();
  (void)rigshift::fleet::RenderSummaryText(summary);
  (void)rigshift::fleet::RenderSummaryJson(summary);
  // Flatten allocates per device: keep the fuzzer's memory bounded.
  if (devices <= 100'000) {
    const FlatFleet flat = rigshift::fleet::Flatten(fleet);
    if (static_cast<int64_t>(flat.device_count()) != devices) std::abort();
    if (flat.node_name.size() != flat.node_count()) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (bool strict : {false, true}) {
    rigshift::fleet::LoadOptions options;
    options.strict = strict;
    auto r = rigshift::fleet::LoadFleetText(text, "fuzz.yaml",
                                            rigshift::catalog::Catalog::Builtin(), options);
    if (!r.ok()) {
      const std::string& message = r.status().message();
      if (message.empty()) std::abort();
      for (const std::string& line : rigshift::Split(message, '\n')) {
        if (line.rfind("fuzz.yaml", 0) != 0) std::abort();
      }
      continue;
    }
    if (strict && !r->warnings.empty()) std::abort();
    CheckFleet(r->fleet);
  }
  return 0;
}
