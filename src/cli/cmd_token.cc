// `rigshift token create|list --state-dir DIR`: API tokens of the live service, kept in
// DIR/rigshift.db. `create` prints the new secret once, alone on stdout (what it is, on stderr);
// only a SHA-256 of it is stored, so it cannot be shown again. `list` shows every token without
// any secret.
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "core/time.h"
#include "store/store.h"

namespace rigshift::cli {

namespace {

struct TokenArgs {
  std::string state_dir;
  std::string tenant;
  std::string role = "tenant";
  std::string label;
};

std::string DatabasePath(const std::string& state_dir) { return state_dir + "/rigshift.db"; }

int RunCreate(const TokenArgs& args) {
  auto parsed_role = store::ParseTokenRole(args.role);
  if (!parsed_role.ok()) return ReportError(parsed_role.status());
  const store::TokenRole role = *parsed_role;
  if (role == store::TokenRole::kTenant && args.tenant.empty()) {
    std::fprintf(stderr, "rigshift: error: a tenant token needs --tenant NAME\n");
    return kExitUsage;
  }
  std::error_code ec;
  std::filesystem::create_directories(args.state_dir, ec);
  if (ec) {
    return ReportError(Status::IoError("creating state directory " + args.state_dir + ": " +
                                       ec.message()));
  }
  auto opened = store::OpenSqliteStore(DatabasePath(args.state_dir), {});
  if (!opened.ok()) return ReportError(opened.status());
  store::Store& db = **opened;
  const TimePoint now = std::time(nullptr);
  if (!args.tenant.empty()) {
    auto tenant = db.GetTenant(args.tenant);
    if (!tenant.ok() && tenant.status().code() == StatusCode::kNotFound) {
      tenant = db.CreateTenant(args.tenant, now);
      if (tenant.ok()) std::fprintf(stderr, "created tenant '%s'\n", args.tenant.c_str());
    }
    if (!tenant.ok()) return ReportError(tenant.status());
  }
  auto token = db.CreateToken(role, args.tenant, args.label, now);
  if (!token.ok()) return ReportError(token.status());
  std::fprintf(stderr, "token %lld (%s%s%s): keep the secret below, it is not shown again\n",
               static_cast<long long>(token->id), store::TokenRoleName(role),
               args.tenant.empty() ? "" : ", tenant ", args.tenant.c_str());
  std::printf("%s\n", token->secret.c_str());
  return kExitOk;
}

int RunList(const TokenArgs& args) {
  store::OpenOptions options;
  options.read_only = true;
  auto opened = store::OpenSqliteStore(DatabasePath(args.state_dir), options);
  if (!opened.ok()) return ReportError(opened.status());
  auto tokens = (*opened)->ListTokens();
  if (!tokens.ok()) return ReportError(tokens.status());
  std::printf("%-5s %-9s %-16s %-21s %-21s %s\n", "ID", "ROLE", "TENANT", "CREATED", "REVOKED",
              "LABEL");
  for (const store::TokenRecord& t : *tokens) {
    std::printf("%-5lld %-9s %-16s %-21s %-21s %s\n", static_cast<long long>(t.id),
                store::TokenRoleName(t.role), t.tenant.empty() ? "-" : t.tenant.c_str(),
                FormatTimestamp(t.created_at).c_str(),
                t.revoked_at ? FormatTimestamp(*t.revoked_at).c_str() : "-", t.label.c_str());
  }
  std::printf("(%zu %s)\n", tokens->size(), tokens->size() == 1 ? "token" : "tokens");
  return kExitOk;
}

}  // namespace

void RegisterTokenCommand(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<TokenArgs>();
  auto* cmd = app.add_subcommand("token", "API tokens of the live service (create, list)");
  cmd->require_subcommand(1);

  auto* create = cmd->add_subcommand("create", "Create a token and print its secret once");
  create->add_option("--state-dir", args->state_dir, "Directory of rigshift.db (created if absent)")
      ->required();
  create->add_option("--tenant", args->tenant, "Tenant the token acts for (created if absent)");
  create->add_option("--role", args->role, "tenant (default) or operator")
      ->check(CLI::IsMember({"tenant", "operator"}));
  create->add_option("--label", args->label, "A note to recognise the token by");
  create->callback([args, &ctx] { ctx.exit_code = RunCreate(*args); });

  auto* list = cmd->add_subcommand("list", "List tokens (never their secrets)");
  list->add_option("--state-dir", args->state_dir, "Directory of rigshift.db")->required();
  list->callback([args, &ctx] { ctx.exit_code = RunList(*args); });
}

}  // namespace rigshift::cli
