// vps-enroll: the operator side and the enrollment endpoint. Subcommands live in
// cmd_<name>.cpp and register themselves.
#include <vps/cli/registry.hpp>

int main(int argc, char** argv) {
  vps::cli::Context context;
  context.program = "vps-enroll";
  CLI::App app{"vps-enroll: enrollment endpoint, host approval and secret re-encryption", "vps-enroll"};
  app.set_version_flag("--version", "vps-enroll " VPS_VERSION);
  vps::cli::add_global_options(app, context,
                                "Configuration file of serve (default <root>/etc/vps-enroll/serve.yaml)");
  // Before the subcommands exist: CLI11 copies fallthrough into each subcommand when it is
  // added, and fallthrough is what lets `status --root DIR` reach the global --root.
  app.fallthrough();
  vps::cli::add_registered_commands(app, context);
  app.require_subcommand(0, 1);
  return vps::cli::run(app, context, argc, argv);
}
