// Placeholder: replaced when the fleet command lands.
#include "cli/commands.h"

namespace rigshift::cli {

void RegisterFleetCommand(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("fleet", "(not yet available)");
  cmd->callback([&ctx] { ctx.exit_code = 1; });
}

}  // namespace rigshift::cli
