// Placeholder: replaced when the assess command lands.
#include "cli/commands.h"

namespace rigshift::cli {

void RegisterAssessCommand(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("assess", "(not yet available)");
  cmd->callback([&ctx] { ctx.exit_code = 1; });
}

}  // namespace rigshift::cli
