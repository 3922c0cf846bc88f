// The rigshift subcommands. Each lives in its own cmd_*.cc and registers itself on the app;
// main.cc calls every Register function. A command's callback sets the process exit code
// through CommandContext (0 ok, 1 failed, 2 usage, 3 invalid input).
#pragma once

#include <CLI/CLI.hpp>

namespace rigshift::cli {

struct CommandContext {
  int exit_code = 0;
};

void RegisterCatalogCommand(CLI::App& app, CommandContext& ctx);
void RegisterValidateCommand(CLI::App& app, CommandContext& ctx);
void RegisterFleetCommand(CLI::App& app, CommandContext& ctx);
void RegisterAssessCommand(CLI::App& app, CommandContext& ctx);
void RegisterSimulateCommand(CLI::App& app, CommandContext& ctx);
void RegisterServeCommand(CLI::App& app, CommandContext& ctx);
void RegisterTokenCommand(CLI::App& app, CommandContext& ctx);
// submit, jobs, cancel, decisions, status: clients of `rigshift serve` (cmd_client.cc).
void RegisterClientCommands(CLI::App& app, CommandContext& ctx);

}  // namespace rigshift::cli
