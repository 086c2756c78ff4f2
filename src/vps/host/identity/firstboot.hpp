#pragma once
// The first-boot decision: make sure this instance has exactly one ed25519 host key of its own.
//
//   no key                                  -> generate (key, .pub, state)
//   key valid, recorded for this instance   -> keep, byte for byte (repair .pub/state if needed)
//   key valid, no state or other fingerprint-> adopt it (a key written before state, e.g. a
//                                              crash between the two, or an existing host)
//   key valid, state records the SAME key
//     for ANOTHER instance                  -> inherited (cloned image/disk): quarantine
//                                              "<key>.inherited-<old id>", generate
//   key unusable                            -> quarantine "<key>.corrupt-<UTC>", then policy:
//     fail: Errc::corrupt_key; regenerate: generate; auto: generate unless enrollment started
//
// Crash safety: the key is committed with a no-replace rename, then .pub, then state.json; every
// prefix of that sequence is a state the rules above resolve without ever replacing a complete
// key of this instance. Only the key is fsynced (file and directory): .pub and state.json are
// replaced atomically but left to writeback, since losing them leads to "adopt", which keeps
// the same key. Everything runs under the StateLock.

#include <filesystem>
#include <string>
#include <vector>

#include <vps/base/result.hpp>
#include <vps/config/config.hpp>
#include <vps/formats/openssh/public_key.hpp>

namespace vps::host::identity {

enum class FirstbootAction { created, kept, adopted, rotated_inherited, regenerated_corrupt };
std::string_view to_string(FirstbootAction action);

struct FirstbootOutcome {
  FirstbootAction action = FirstbootAction::kept;
  formats::openssh::Ed25519PublicKey public_key;
  std::string fingerprint;
  std::string age_recipient;
  std::string instance_id;                         // "" when unknown
  std::vector<std::filesystem::path> quarantined;  // by this run
  std::vector<std::string> notices;                // what happened, for the journal
};

// config must already be relocated under --root. comment goes into a new key ("root@host").
Result<FirstbootOutcome> run_firstboot(const config::Config& config, const std::string& comment);

}  // namespace vps::host::identity
