// Placeholder: replaced when the catalog command lands.
#include "cli/commands.h"

namespace rigshift::cli {

void RegisterCatalogCommand(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("catalog", "(not yet available)");
  cmd->callback([&ctx] { ctx.exit_code = 1; });
}

}  // namespace rigshift::cli
