#include <vps/enroll/client/operator_key.hpp>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>

#include <vps/base/log.hpp>
#include <vps/formats/openssh/fingerprint.hpp>
#include <vps/enroll/keys/passphrase.hpp>
#include <vps/enroll/keys/private_key_file.hpp>
#include <vps/net/ssh_agent/agent_signer.hpp>

namespace vps::enroll::client {
namespace {

namespace fs = std::filesystem;
using formats::openssh::AgentIdentity;
using formats::openssh::sha256_fingerprint;
using net::ssh_agent::AgentClient;

constexpr std::string_view k_fingerprint_prefix = "SHA256:";
constexpr std::string_view k_pub_suffix = ".pub";
constexpr std::size_t k_keys_listed = 10;

net::api::SigningKey via_agent(const AgentClient& agent, const crypto::Ed25519Public& key) {
  return net::api::signing_key(std::make_shared<net::ssh_agent::AgentSigner>(agent, key));
}

std::string describe(const AgentIdentity& identity) {
  std::string text = sha256_fingerprint(*identity.ed25519);
  if (!identity.comment.empty()) text += " (" + formats::openssh::printable_comment(identity.comment) + ")";
  return text;
}

// "SHA256:a (alice@laptop), SHA256:b", at most k_keys_listed of them.
std::string list_keys(const std::vector<AgentIdentity>& identities) {
  std::string text;
  std::size_t shown = 0;
  for (const auto& identity : identities) {
    if (!identity.ed25519) continue;
    if (shown == k_keys_listed) return text + ", ...";
    text += (shown++ == 0 ? "" : ", ") + describe(identity);
  }
  return text.empty() ? "none" : text;
}

bool holds(const std::vector<AgentIdentity>& identities, const crypto::Ed25519Public& key) {
  for (const auto& identity : identities)
    if (identity.ed25519 && *identity.ed25519 == key) return true;
  return false;
}

Result<net::api::SigningKey> agent_key_by_fingerprint(const std::string& fingerprint) {
  const auto agent = VPS_TRY(AgentClient::from_environment());
  const auto identities = VPS_TRY(agent.identities());
  for (const auto& identity : identities)
    if (identity.ed25519 && sha256_fingerprint(*identity.ed25519) == fingerprint) return via_agent(agent, *identity.ed25519);
  return fail(Errc::unauthorized, agent.where() + " holds no ed25519 key " + fingerprint + " (it holds: " +
                                      list_keys(identities) + ")");
}

Result<net::api::SigningKey> only_agent_key() {
  const auto agent = VPS_TRY(AgentClient::from_environment());
  const auto identities = VPS_TRY(agent.identities());
  std::optional<crypto::Ed25519Public> found;
  std::size_t count = 0;
  for (const auto& identity : identities) {
    if (!identity.ed25519) continue;
    found = *identity.ed25519;
    ++count;
  }
  if (count == 0) return fail(Errc::unauthorized, agent.where() + " holds no ed25519 key: add yours with 'ssh-add FILE'");
  if (count > 1) {
    return fail(Errc::usage, agent.where() + " holds " + std::to_string(count) + " ed25519 keys (" + list_keys(identities) +
                                 "): choose one with --key FILE.pub or --key SHA256:...");
  }
  return via_agent(agent, *found);
}

bool present(const fs::path& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

Result<fs::path> default_key_path() {
  const char* home = std::getenv("HOME");
  if (!home || !*home) return fail(Errc::usage, "no --key given and $HOME is not set");
  return fs::path(home) / ".ssh" / "id_ed25519";
}

}  // namespace

Result<net::api::SigningKey> load_operator_key(const KeyChoice& choice) {
  if (choice.key.starts_with(k_fingerprint_prefix)) return agent_key_by_fingerprint(choice.key);
  if (choice.key.empty() && choice.agent_only) return only_agent_key();
  const fs::path named = choice.key.empty() ? VPS_TRY(default_key_path()) : fs::path(choice.key);

  // The private key file, and where the public half is read from (no passphrase needed).
  const std::string name = named.string();
  const bool named_pub = name.ends_with(k_pub_suffix);
  const fs::path private_file = named_pub ? fs::path(name.substr(0, name.size() - k_pub_suffix.size())) : named;
  const fs::path public_file = !named_pub && !present(named) && present(name + std::string(k_pub_suffix))
                                   ? fs::path(name + std::string(k_pub_suffix))
                                   : named;
  const auto public_key = VPS_TRY(keys::read_public_half(public_file));
  const std::string fingerprint = sha256_fingerprint(public_key);

  // The agent first, when there is one; `agent_failure` says why it cannot sign.
  auto agent = AgentClient::from_environment();
  std::optional<Error> agent_failure;
  if (agent) {
    auto identities = agent->identities();
    if (identities && holds(*identities, public_key)) return via_agent(*agent, public_key);
    agent_failure = identities ? Error{Errc::unauthorized, agent->where() + " does not hold " + fingerprint + " (from " +
                                                               public_file.string() + ")"}
                               : std::move(identities).error();
  }
  if (choice.agent_only) {
    if (!agent) return fail(std::move(agent).error());
    if (agent_failure->code != Errc::unauthorized) return fail(std::move(*agent_failure));
    return fail(Errc::unauthorized, agent_failure->message + ": add it with 'ssh-add " + private_file.string() + "'");
  }

  // Then the private key file.
  if (!present(private_file)) {
    if (!agent) {
      return fail(Errc::missing, "no private key file " + private_file.string() + " for " + fingerprint +
                                     ", and no ssh-agent (SSH_AUTH_SOCK is not set) to sign with it");
    }
    return fail(agent_failure->code, agent_failure->message + ", and there is no private key file " +
                                          private_file.string() + " (add the key to the agent with 'ssh-add')");
  }
  if (agent_failure && agent_failure->code != Errc::unauthorized)
    log::warning(agent_failure->message + "; signing with " + private_file.string() + " instead");
  else if (agent_failure)
    log::debug(agent_failure->message + "; signing with " + private_file.string());
  // When no passphrase can be asked for, say too why the agent did not sign.
  auto ask = [&](const std::string& prompt) -> Result<SecretBytes> {
    auto passphrase = keys::read_passphrase(prompt);
    if (!passphrase && agent_failure) return fail(std::move(passphrase).error().context(agent_failure->message));
    return passphrase;
  };
  auto key = VPS_TRY(keys::load_private_key_file(private_file, ask));
  if (key.public_key != public_key)
    return fail(Errc::malformed, public_file.string() + " is not the public half of " + private_file.string());
  return net::api::signing_key(std::make_shared<crypto::SeedSigner>(key.seed));
}

}  // namespace vps::enroll::client
