// vps-agent pubkey: print the host's public identity in the form a script needs.
#include <memory>

#include <nlohmann/json.hpp>

#include <vps/cli/registry.hpp>
#include <vps/config/load.hpp>
#include <vps/formats/openssh/fingerprint.hpp>
#include <vps/host/identity/age_recipient.hpp>
#include <vps/host/identity/host_key.hpp>

namespace {

using namespace vps;

struct Options {
  std::string format = "ssh";
};

Result<int> run_pubkey(const cli::Context& ctx, const Options& options) {
  auto config = VPS_TRY(config::load(ctx.root, ctx.config_path));
  auto key = VPS_TRY(host::identity::load_host_public_key(config.identity.host_key));
  std::string out;
  if (options.format == "ssh") {
    out = formats::openssh::format_public_key_line(key);
  } else if (options.format == "age") {
    out = VPS_TRY(host::identity::age_recipient(key.key));
  } else if (options.format == "fingerprint") {
    out = formats::openssh::sha256_fingerprint(key.key);
  } else {
    nlohmann::json json = {{"ssh", formats::openssh::format_public_key_line(key)},
                           {"fingerprint", formats::openssh::sha256_fingerprint(key.key)},
                           {"age", VPS_TRY(host::identity::age_recipient(key.key))}};
    out = json.dump(2);
  }
  std::fputs((out + "\n").c_str(), stdout);
  return 0;
}

const bool registered = cli::register_command(20, [](CLI::App& app, cli::Context& ctx) {
  auto options = std::make_shared<Options>();
  auto* sub = cli::add_command(app, ctx, "pubkey", "Print the host's public key (exit 79 when there is none yet)",
                               [&ctx, options] { return run_pubkey(ctx, *options); });
  sub->add_option("--format", options->format, "ssh (public key line), age (age1... recipient), "
                                               "fingerprint (SHA256:...), or json (all three)")
      ->check(CLI::IsMember({"ssh", "age", "fingerprint", "json"}))
      ->capture_default_str();
});

}  // namespace
