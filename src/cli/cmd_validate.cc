// Placeholder: replaced when the validate command lands.
#include "cli/commands.h"

namespace rigshift::cli {

void RegisterValidateCommand(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("validate", "(not yet available)");
  cmd->callback([&ctx] { ctx.exit_code = 1; });
}

}  // namespace rigshift::cli
