#include "econ/envelope.h"

#include <algorithm>

namespace rigshift::econ {

const char* EnvelopeLimitName(EnvelopeLimit l) {
  switch (l) {
    case EnvelopeLimit::kGrid:
      return "grid";
    case EnvelopeLimit::kCooling:
      return "cooling";
    case EnvelopeLimit::kNameplate:
      return "nameplate";
  }
  return "?";
}

int64_t SiteEnvelope::NameplateUsePermille() const {
  Power limit = FacilityItLimit();
  if (limit.raw() <= 0) return 0;
  return MulDiv(nameplate_it.raw(), 1000, limit.raw());
}

Power SiteNameplateIt(const fleet::Site& site) {
  Power total;
  for (const auto& hall : site.halls) {
    for (const auto& rack : hall.racks) {
      Power per_rack;
      for (const auto& node : rack.nodes) {
        Power per_node = node.host_power;
        for (const auto& dev : node.devices) per_node += dev.NameplatePowerEach() * dev.count;
        per_rack += per_node * node.count;
      }
      total += per_rack * rack.count;
    }
  }
  return total;
}

SiteEnvelope EnvelopeOf(const fleet::Site& site) {
  SiteEnvelope e;
  e.grid_cap = site.grid_cap;
  e.pue_milli = site.pue_milli > 0 ? site.pue_milli : 1000;
  e.it_cap = Power::FromRaw(MulDiv(site.grid_cap.raw(), 1000, e.pue_milli));
  e.cooling_limit = site.cooling_capacity.IsZero() ? e.it_cap : site.cooling_capacity;
  e.nameplate_it = SiteNameplateIt(site);
  e.usable_it = e.it_cap;
  e.binding = EnvelopeLimit::kGrid;
  if (e.cooling_limit < e.usable_it) {
    e.usable_it = e.cooling_limit;
    e.binding = EnvelopeLimit::kCooling;
  }
  if (e.nameplate_it < e.usable_it) {
    e.usable_it = e.nameplate_it;
    e.binding = EnvelopeLimit::kNameplate;
  }
  return e;
}

}  // namespace rigshift::econ
