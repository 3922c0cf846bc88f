#include "store/fleet_inventory.h"

#include "catalog/catalog.h"

namespace rigshift::store {

std::vector<DeviceInventory> FleetInventory(const fleet::Fleet& fleet,
                                            const fleet::FlatFleet& flat) {
  std::vector<DeviceInventory> out;
  out.reserve(flat.device_count());
  for (size_t d = 0; d < flat.device_count(); ++d) {
    DeviceInventory inv;
    inv.id = fleet::DeviceStableId(flat, d);
    inv.site = fleet.sites[static_cast<size_t>(flat.site[d])].id;
    inv.kind = catalog::DeviceKindName(flat.kind[d]);
    if (flat.gpu[d] != nullptr) {
      inv.model = flat.gpu[d]->name;
    } else if (flat.asic[d] != nullptr) {
      inv.model = flat.asic[d]->name;
    }
    out.push_back(std::move(inv));
  }
  return out;
}

}  // namespace rigshift::store
