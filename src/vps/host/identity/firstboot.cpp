#include <vps/host/identity/firstboot.hpp>

#include <vps/formats/openssh/fingerprint.hpp>
#include <vps/host/identity/age_recipient.hpp>
#include <vps/host/identity/host_key.hpp>
#include <vps/host/identity/instance_id.hpp>
#include <vps/host/identity/quarantine.hpp>
#include <vps/base/clock.hpp>
#include <vps/host/state/lock.hpp>
#include <vps/host/state/state_store.hpp>

namespace vps::host::identity {
namespace {

using state::State;

struct Run {
  const config::Config& config;
  std::string comment;
  FirstbootOutcome outcome;
  std::optional<State> state;
};

// The state file itself may be damaged; it holds nothing we cannot rebuild, so set it aside.
Result<std::optional<State>> load_state_or_quarantine(Run& run) {
  auto loaded = state::load_state(run.config.state_dir);
  if (loaded || loaded.error().code != Errc::malformed) return loaded;
  auto path = state::state_file(run.config.state_dir);
  auto aside = path;
  aside += "." + corrupt_suffix();
  std::error_code ec;
  std::filesystem::rename(path, aside, ec);
  if (ec) return fail(Errc::io, "cannot move corrupt '" + path.string() + "' aside: " + ec.message());
  run.outcome.notices.push_back("state file was corrupt (" + loaded.error().message + "); moved to '" +
                                aside.string() + "'");
  return std::optional<State>();
}

Ed25519PrivateKey generate_key(const std::string& comment) {
  auto pair = crypto::ed25519_generate();
  Ed25519PrivateKey key;
  key.seed = pair.seed;
  key.public_key = pair.public_key;
  key.comment = comment;
  return key;
}

// Writes .pub and state for key (already on disk) and fills the outcome.
Status record(Run& run, const Ed25519PrivateKey& key, bool new_identity) {
  auto& out = run.outcome;
  out.public_key = Ed25519PublicKey{key.public_key, key.comment};
  out.fingerprint = formats::openssh::sha256_fingerprint(key.public_key);
  out.age_recipient = VPS_TRY(age_recipient(key.public_key));
  if (VPS_TRY(write_public_key(run.config.identity.host_key, key)) && !new_identity)
    out.notices.push_back("rewrote '" + public_key_path(run.config.identity.host_key).string() + "' from the key");

  State next = run.state && !new_identity ? *run.state : State{};
  if (new_identity || !run.state || run.state->fingerprint != out.fingerprint) {
    next = State{};
    if (run.state) next.extra = run.state->extra;
    next.created = clock::utc_rfc3339();
  }
  next.fingerprint = out.fingerprint;
  next.age_recipient = out.age_recipient;
  // Never forget a recorded id just because DMI is unreadable on this boot.
  if (!out.instance_id.empty()) next.instance_id = out.instance_id;
  if (run.state && state::format_state(*run.state) == state::format_state(next)) return {};  // idempotent
  // Only the key must be durable: if state.json is lost to a power cut, the next run finds a
  // valid key without (matching) state and adopts it, which is the same identity.
  return state::save_state(run.config.state_dir, next, sys::Durability::unsynced);
}

Status create_new(Run& run, FirstbootAction action) {
  auto key = generate_key(run.comment);
  VPS_CHECK(write_host_key(run.config.identity.host_key, key));
  run.outcome.action = action;
  return record(run, key, /*new_identity=*/true);
}

bool may_regenerate(const Run& run) {
  switch (run.config.identity.on_corrupt_key) {
    case config::OnCorruptKey::fail: return false;
    case config::OnCorruptKey::regenerate: return true;
    case config::OnCorruptKey::automatic:
      // Before the first publication nobody knows this identity yet; after it, a new key must
      // be a deliberate operator decision.
      return !run.state || run.state->enrollment.status == "none";
  }
  return false;
}

Status handle_corrupt(Run& run, const Error& problem) {
  const auto& key_path = run.config.identity.host_key;
  auto moved = VPS_TRY(quarantine_key(key_path, corrupt_suffix()));
  run.outcome.quarantined.push_back(moved);
  run.outcome.notices.push_back(problem.message + "; moved to '" + moved.string() + "'");
  if (!may_regenerate(run))
    return fail(Errc::corrupt_key,
                problem.message + "; quarantined as '" + moved.string() + "'; identity.on_corrupt_key=" +
                    std::string(config::to_string(run.config.identity.on_corrupt_key)) +
                    (run.state ? " and enrollment is '" + run.state->enrollment.status + "'" : std::string()) +
                    ": not generating a new key; restore a key or run firstboot with on_corrupt_key: regenerate");
  return create_new(run, FirstbootAction::regenerated_corrupt);
}

Status decide(Run& run) {
  const auto& key_path = run.config.identity.host_key;
  auto loaded = load_host_key(key_path);
  if (!loaded) {
    if (loaded.error().code != Errc::corrupt_key) return fail(std::move(loaded).error());
    return handle_corrupt(run, loaded.error());
  }
  if (!*loaded) return create_new(run, FirstbootAction::created);
  const auto& key = **loaded;
  auto fingerprint = formats::openssh::sha256_fingerprint(key.public_key);
  const auto& current = run.outcome.instance_id;
  bool recorded_here = run.state && run.state->fingerprint == fingerprint;
  if (recorded_here && !current.empty() && !run.state->instance_id.empty() && run.state->instance_id != current) {
    auto moved = VPS_TRY(quarantine_key(key_path, inherited_suffix(run.state->instance_id)));
    run.outcome.quarantined.push_back(moved);
    run.outcome.notices.push_back("host key " + fingerprint + " belongs to instance '" + run.state->instance_id +
                                  "', this is '" + current + "': inherited key moved to '" + moved.string() + "'");
    return create_new(run, FirstbootAction::rotated_inherited);
  }
  run.outcome.action = recorded_here ? FirstbootAction::kept : FirstbootAction::adopted;
  if (!recorded_here)
    run.outcome.notices.push_back(run.state ? "host key " + fingerprint + " differs from the recorded " +
                                                  run.state->fingerprint + "; adopting it"
                                            : "adopting existing host key " + fingerprint + " (no agent state yet)");
  return record(run, key, /*new_identity=*/false);
}

}  // namespace

std::string_view to_string(FirstbootAction action) {
  switch (action) {
    case FirstbootAction::created: return "created";
    case FirstbootAction::kept: return "kept";
    case FirstbootAction::adopted: return "adopted";
    case FirstbootAction::rotated_inherited: return "rotated-inherited";
    case FirstbootAction::regenerated_corrupt: return "regenerated-corrupt";
  }
  return "?";
}

Result<FirstbootOutcome> run_firstboot(const config::Config& config, const std::string& comment) {
  auto lock = VPS_TRY(state::StateLock::acquire(config.state_dir));
  Run run{config, comment, {}, {}};
  int removed = VPS_TRY(remove_stale_temps(config.identity.host_key));
  removed += VPS_TRY(remove_stale_temps(state::state_file(config.state_dir)));
  if (removed > 0)
    run.outcome.notices.push_back("removed " + std::to_string(removed) + " temp file(s) of an interrupted run");
  run.outcome.instance_id = VPS_TRY(read_instance_id(config.instance));
  run.state = VPS_TRY(load_state_or_quarantine(run));
  VPS_CHECK(decide(run));
  return std::move(run.outcome);
}

}  // namespace vps::host::identity
