// rigshift: turn mining facilities into AI compute. Entry point; subcommands live in cmd_*.cc.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"rigshift: inventory, assess, run and simulate mining sites serving AI compute"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "rigshift 0.1.0");
  rigshift::cli::CommandContext ctx;
  rigshift::cli::RegisterCatalogCommand(app, ctx);
  rigshift::cli::RegisterValidateCommand(app, ctx);
  rigshift::cli::RegisterFleetCommand(app, ctx);
  rigshift::cli::RegisterAssessCommand(app, ctx);
  rigshift::cli::RegisterSimulateCommand(app, ctx);
  rigshift::cli::RegisterServeCommand(app, ctx);
  rigshift::cli::RegisterTokenCommand(app, ctx);
  rigshift::cli::RegisterClientCommands(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const std::exception& e) {
    // Libraries' exceptions are meant to be caught at each command's edge; this is the last net.
    std::cerr << "rigshift: internal error: " << e.what() << "\n";
    return 1;
  }
  // Output printed with printf by any command is still buffered here: a failed write (a full
  // disk, a closed pipe) must not exit 0 with a report that never arrived.
  if (ctx.exit_code == 0 && (std::fflush(stdout) != 0 || std::ferror(stdout))) {
    std::fprintf(stderr, "rigshift: error: cannot write to standard output: %s\n", std::strerror(errno));
    return 1;
  }
  return ctx.exit_code;
}
