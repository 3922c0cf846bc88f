#include "sim/gavel_cluster.h"

#include <set>

#include "core/text.h"

namespace rigshift::sim {

int64_t PlainClusterSpec::total() const {
  int64_t n = 0;
  for (const auto& [type, count] : counts) n += count;
  return n;
}

Result<PlainClusterSpec> ParsePlainCluster(std::string_view text) {
  const std::string_view t = Trim(text);
  if (t.empty()) {
    return Status::InvalidArgument(
        "--cluster: empty; expected GPU counts like 'v100=36,p100=36,k80=36' or '36:36:36'");
  }
  PlainClusterSpec spec;
  auto count_of = [](std::string_view s, const std::string& where) -> Result<int32_t> {
    auto v = ParseInt64(s);
    if (!v.ok() || *v < 1 || *v > kMaxPlainClusterGpus) {
      return Status::InvalidArgument(where + ": expected a GPU count from 1 to " +
                                     std::to_string(kMaxPlainClusterGpus));
    }
    return static_cast<int32_t>(*v);
  };
  if (t.find('=') == std::string_view::npos && t.find(':') != std::string_view::npos) {
    // Gavel's V100:P100:K80 form; zero counts are allowed there and leave the type out.
    auto parts = Split(t, ':');
    if (parts.size() != 3) {
      return Status::InvalidArgument("--cluster '" + std::string(t) +
                                     "': Gavel's form has three counts, V100:P100:K80");
    }
    const char* types[3] = {"v100", "p100", "k80"};
    for (size_t i = 0; i < 3; ++i) {
      auto v = ParseInt64(parts[i]);
      if (!v.ok() || *v < 0 || *v > kMaxPlainClusterGpus) {
        return Status::InvalidArgument("--cluster '" + std::string(t) + "': count " +
                                       std::to_string(i + 1) + " '" + parts[i] +
                                       "': expected a GPU count >= 0");
      }
      if (*v > 0) spec.counts.emplace_back(types[i], static_cast<int32_t>(*v));
    }
  } else {
    std::set<std::string> seen;
    auto entries = Split(t, ',');
    for (size_t i = 0; i < entries.size(); ++i) {
      const std::string where =
          "--cluster: entry " + std::to_string(i + 1) + " '" + std::string(Trim(entries[i])) + "'";
      const size_t eq = entries[i].find('=');
      if (eq == std::string::npos) {
        return Status::InvalidArgument(where + ": expected TYPE=COUNT, e.g. v100=8");
      }
      std::string type(Trim(std::string_view(entries[i]).substr(0, eq)));
      if (type.empty()) return Status::InvalidArgument(where + ": empty GPU type");
      ASSIGN_OR_RETURN(int32_t count, count_of(std::string_view(entries[i]).substr(eq + 1), where));
      if (!seen.insert(catalog::NormaliseModelName(type)).second) {
        return Status::InvalidArgument(where + ": GPU type '" + type + "' given twice");
      }
      spec.counts.emplace_back(std::move(type), count);
    }
  }
  if (spec.counts.empty()) return Status::InvalidArgument("--cluster: no GPUs");
  if (spec.total() > kMaxPlainClusterGpus) {
    return Status::OutOfRange("--cluster: " + std::to_string(spec.total()) +
                              " GPUs; the limit is " + std::to_string(kMaxPlainClusterGpus));
  }
  return spec;
}

Result<fleet::Fleet> BuildPlainCluster(const PlainClusterSpec& spec,
                                       const catalog::Catalog& catalog,
                                       const PlainClusterOptions& options) {
  if (options.gpus_per_node < 1) {
    return Status::InvalidArgument("plain cluster: gpus_per_node must be >= 1");
  }
  fleet::Fleet fleet;
  fleet.name = options.name;
  fleet.source_file = "--cluster";
  fleet::Site site;
  site.id = options.site_id;
  site.name = options.name;
  site.pue_milli = 1000;
  site.tariff.market = "fixed";
  fleet::Hall hall;
  hall.id = "hall";
  std::set<const catalog::GpuModel*> models;
  for (size_t i = 0; i < spec.counts.size(); ++i) {
    const auto& [type, count] = spec.counts[i];
    const catalog::GpuModel* gpu = catalog.FindGpu(type);
    if (gpu == nullptr) {
      std::vector<std::string> names;
      for (const auto& g : catalog.gpus()) {
        names.push_back(g.name);
        names.insert(names.end(), g.aliases.begin(), g.aliases.end());
      }
      auto close = ClosestNames(type, names);
      std::string hint;
      for (size_t k = 0; k < close.size(); ++k)
        hint += (k ? ", '" : "; did you mean '") + close[k] + "'";
      if (!close.empty()) hint += "?";
      return Status::NotFound("--cluster: unknown GPU type '" + type + "'" + hint);
    }
    if (!models.insert(gpu).second) {
      return Status::InvalidArgument("--cluster: '" + type + "' names " + gpu->name +
                                     ", which another entry already gave");
    }
    fleet::RackGroup rack;
    rack.id = catalog::NormaliseModelName(type);
    const int32_t full = count / options.gpus_per_node;
    const int32_t rest = count % options.gpus_per_node;
    // A named copy: clang 14 cannot capture a structured binding in a lambda.
    const std::string& model_name = type;
    auto add_nodes = [&](int32_t nodes, int32_t per_node, const std::string& id) {
      fleet::NodeGroup node;
      node.id = id;
      node.count = nodes;
      node.cpu_cores = 32;
      node.ram_gb = 256;
      node.disk_gb = 2000;
      node.nic_gbps = 100;
      node.pcie_lanes_per_gpu = 16;
      node.host_power = options.host_power;
      fleet::DeviceGroup dev;
      dev.model = model_name;
      dev.count = per_node;
      dev.kind = catalog::DeviceKind::kGpu;
      dev.gpu = gpu;
      node.devices.push_back(std::move(dev));
      rack.nodes.push_back(std::move(node));
    };
    if (full > 0) add_nodes(full, options.gpus_per_node, "node");
    if (rest > 0) add_nodes(1, rest, "node-rest");
    hall.racks.push_back(std::move(rack));
  }
  site.halls.push_back(std::move(hall));
  site.grid_cap = site.NameplateFacilityPower();
  fleet.sites.push_back(std::move(site));
  return fleet;
}

}  // namespace rigshift::sim
