// vps-agent: the host side. Subcommands live in cmd_<name>.cpp and register themselves.
#include <vps/cli/registry.hpp>

int main(int argc, char** argv) {
  vps::cli::Context context;
  context.program = "vps-agent";
  CLI::App app{"vps-agent: host identity on first boot, enrollment, and secrets in ramfs", "vps-agent"};
  app.set_version_flag("--version", "vps-agent " VPS_VERSION);
  vps::cli::add_global_options(app, context, "Configuration file (default <root>/etc/vps-agent/config.yaml)");
  // Before the subcommands exist: CLI11 copies fallthrough into each subcommand when it is
  // added, and fallthrough is what lets `status --root DIR` reach the global --root.
  app.fallthrough();
  vps::cli::add_registered_commands(app, context);
  app.require_subcommand(0, 1);
  return vps::cli::run(app, context, argc, argv);
}
