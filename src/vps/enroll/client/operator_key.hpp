#pragma once
// Which key signs an operator's requests, and where its private half lives: in an ssh-agent
// or in a key file (README "Operator keys"). The rules, as ssh users expect them:
//   --key FILE        FILE is a private key file or its public half (FILE.pub). When an
//                     ssh-agent is there ($SSH_AUTH_SOCK) and holds that key, the agent signs
//                     (no passphrase asked). Otherwise the private key file signs -- FILE, or
//                     FILE without ".pub" -- asking for its passphrase when it is encrypted.
//                     The public half is read without a passphrase: from FILE (a private key
//                     file names it in the clear), or from FILE.pub when FILE is gone.
//   --key SHA256:...  the agent's key with that fingerprint; only the agent signs.
//   --agent           only the agent signs, no private key file is read; without --key, the
//                     agent's one ed25519 key (several: say which with --key).
//   no --key          ~/.ssh/id_ed25519, as ssh does.
// An agent that cannot be reached while a key file can sign is a warning, not an error.
//
// Exit codes: 75 the agent cannot be reached (with --agent or --key SHA256:...); 77 the agent
// does not hold the key or refuses to sign, or no passphrase could be asked for; 80 a wrong
// passphrase; 69 a key encryption we do not support; 66 no such key file.

#include <string>

#include <vps/net/api/signed_client.hpp>

namespace vps::enroll::client {

struct KeyChoice {
  std::string key;          // --key: FILE, FILE.pub or SHA256:...; empty: the default
  bool agent_only = false;  // --agent
};

Result<net::api::SigningKey> load_operator_key(const KeyChoice& choice);

}  // namespace vps::enroll::client
