// The devices of a fleet file as the store lists them (Store::SyncDevices): one DeviceInventory
// per device of the flat fleet, named by fleet::DeviceStableId.
//
// Thread-safety: a pure function.
#pragma once

#include <vector>

#include "fleet/model.h"
#include "store/store.h"

namespace rigshift::store {

std::vector<DeviceInventory> FleetInventory(const fleet::Fleet& fleet,
                                            const fleet::FlatFleet& flat);

}  // namespace rigshift::store
