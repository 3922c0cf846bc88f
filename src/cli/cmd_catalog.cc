// `rigshift catalog [NAME] [--kind gpu|asic] [--json] [--catalog-dir DIR]`: lists the hardware
// catalogue (the embedded data/catalog/ by default), filtered by kind and by a name, alias or
// part of one ("3090", "rtx 30", "S19"). One match prints a detail card with sources; an unknown
// name is an error (exit 3) that suggests the closest model names.
#include <cstdio>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/catalog_view.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "core/text.h"

namespace rigshift::cli {

namespace {

struct CatalogArgs {
  std::string name;
  std::string kind;
  std::string catalog_dir;
  bool json = false;
};

// Up to three canonical model names close to `name` (aliases map back to their model).
std::vector<std::string> Suggestions(const catalog::Catalog& c, const std::string& name,
                                     std::optional<catalog::DeviceKind> kind) {
  std::vector<std::string> candidates;
  for (const std::string& n : c.AllNames()) {
    bool is_gpu = c.FindGpu(n) != nullptr;
    if (!kind || (*kind == catalog::DeviceKind::kGpu) == is_gpu) candidates.push_back(n);
  }
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const std::string& n : ClosestNames(name, candidates, 12)) {
    std::string canonical = n;
    if (const catalog::GpuModel* g = c.FindGpu(n)) canonical = g->name;
    if (const catalog::AsicModel* a = c.FindAsic(n)) canonical = a->name;
    if (seen.insert(canonical).second) out.push_back(canonical);
    if (out.size() == 3) break;
  }
  return out;
}

int RunCatalog(const CatalogArgs& args) {
  std::optional<catalog::DeviceKind> kind;
  if (!args.kind.empty()) {
    kind = catalog::ParseDeviceKind(args.kind);
    if (!kind) {
      ReportError(Status::InvalidArgument("--kind: unknown kind '" + args.kind +
                                          "' (expected gpu or asic)"));
      return kExitUsage;
    }
  }
  std::optional<catalog::Catalog> loaded;
  if (!args.catalog_dir.empty()) {
    Result<catalog::Catalog> c = catalog::Catalog::FromDirectory(args.catalog_dir);
    if (!c.ok()) return ReportError(c.status());
    loaded.emplace(std::move(c).value());
  }
  const catalog::Catalog& cat = loaded ? *loaded : catalog::Catalog::Builtin();
  catalog::CatalogSelection selection = catalog::SelectModels(cat, args.name, kind);
  if (selection.empty()) {
    std::string what = kind ? std::string(catalog::DeviceKindName(*kind)) + " model" : "model";
    std::string message = "unknown " + what + " '" + args.name + "' in the catalogue";
    std::vector<std::string> close = Suggestions(cat, args.name, kind);
    catalog::CatalogSelection any_kind = catalog::SelectModels(cat, args.name, std::nullopt);
    if (kind && !any_kind.empty()) {
      // The name exists, only as the other kind of device.
      const char* other = *kind == catalog::DeviceKind::kGpu ? "asic" : "gpu";
      message += "; it names " + std::to_string(any_kind.size()) + " " + other +
                 " model(s), shown without --kind or with --kind " + other;
    } else if (!close.empty()) {
      message += "; did you mean ";
      for (size_t i = 0; i < close.size(); ++i) {
        message += (i == 0 ? "" : i + 1 == close.size() ? " or " : ", ") + ("'" + close[i] + "'");
      }
      message += "?";
    }
    message += " (`rigshift catalog";
    if (kind) message += std::string(" --kind ") + catalog::DeviceKindName(*kind);
    message += "` lists every model)";
    return ReportError(Status::NotFound(message));
  }
  const std::string text =
      args.json ? catalog::RenderSelectionJson(selection) : catalog::RenderSelectionText(selection);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return kExitOk;
}

}  // namespace

void RegisterCatalogCommand(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<CatalogArgs>();
  auto* cmd = app.add_subcommand(
      "catalog",
      "List the hardware catalogue: GPUs (memory, bandwidth, TFLOPS, TDP, mining) and "
      "SHA-256 ASICs (TH/s, W, J/TH, modes)");
  cmd->add_option("NAME", args->name,
                  "A model name, alias or part of one (e.g. 3090, 'rtx 30', S19); case and "
                  "spaces do not matter");
  cmd->add_option("--kind", args->kind, "Only this kind of device: gpu or asic");
  cmd->add_flag("--json", args->json, "Print the full rows, with sources, as JSON");
  cmd->add_option("--catalog-dir", args->catalog_dir,
                  "Load the catalogue from a directory laid out like data/catalog/ instead of "
                  "the embedded one");
  cmd->callback([args, &ctx] { ctx.exit_code = RunCatalog(*args); });
}

}  // namespace rigshift::cli
