// The power envelope of a site: how much IT load it can carry and what binds it.
//
// A site draws facility power = IT power x PUE from a grid connection of `grid_cap`, so the IT
// load it can carry is grid_cap / PUE; its cooling rejects at most `cooling_capacity` of IT heat
// (zero in the fleet file means "as the grid allows"); and its installed hardware draws at most its
// nameplate. The usable IT envelope is the least of the three, and the one that sets it "binds".
// Pure; thread-safety: plain values.
#pragma once

#include <algorithm>
#include <cstdint>

#include "core/quantity.h"
#include "fleet/model.h"

namespace rigshift::econ {

enum class EnvelopeLimit : uint8_t { kGrid, kCooling, kNameplate };
const char* EnvelopeLimitName(EnvelopeLimit l);  // "grid", "cooling", "nameplate"

struct SiteEnvelope {
  Power grid_cap;  // facility power the connection allows
  int64_t pue_milli = 1000;
  Power it_cap;         // grid_cap / PUE
  Power cooling_limit;  // IT heat the cooling rejects (= it_cap when the file gives none)
  Power nameplate_it;   // devices + hosts at nameplate
  Power usable_it;      // min(it_cap, cooling_limit, nameplate_it)
  EnvelopeLimit binding = EnvelopeLimit::kGrid;

  // IT power the site may draw before the grid or the cooling stop it (ignores the hardware).
  Power FacilityItLimit() const { return std::min(it_cap, cooling_limit); }
  // Facility power of an IT load at this site's PUE.
  Power Facility(Power it) const { return it.Scaled(pue_milli, 1000); }
  // Spare IT power for new hardware: FacilityItLimit - nameplate (negative when over).
  Power Headroom() const { return FacilityItLimit() - nameplate_it; }
  // Nameplate as a share of the facility limit, in permille.
  int64_t NameplateUsePermille() const;
};

// Nameplate IT power of a site, summed over its groups: devices (GPU TDP, ASIC power in its
// configured mode, fleet::DeviceGroup::NameplatePowerEach)
// plus host power, each multiplied by its rack, node and device counts.
Power SiteNameplateIt(const fleet::Site& site);

SiteEnvelope EnvelopeOf(const fleet::Site& site);

}  // namespace rigshift::econ
