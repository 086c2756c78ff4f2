#pragma once
// `vps-agent secrets`: from the configured sources to a ramfs generation and the units that use
// it. Two ways to run:
//
//  * activate_when_complete (the command without --follow; ExecReload of older units, scripts):
//    wait until every source decrypts (fetching bundles while one is pending), activate once,
//    READY=1, return. A source that fails for another reason than waiting is an error at once;
//    an optional overall timeout fails with Errc::timeout (exit 83).
//
//  * follow (vps-secrets.service, `--follow`): the host's whole life. Each round collects what it
//    can (delivery/sources.hpp): every secret that decrypts is activated, each one that does not
//    blocks only the units that use it (the gate), and a secret that was active keeps its last
//    value while its source is unusable ("stale": a bad deployment takes nothing away). The first
//    round activates whatever there is and signals READY=1, so boot goes on; later rounds run
//    when a source directory changes, the endpoint's bundles change (bundle_poller.hpp, verified
//    and installed by bundle_fetcher.hpp), a settling source is due, or on SIGHUP (ExecReload).
//    A round activates a new generation only when something would differ in it; the units whose
//    secrets changed are restarted (reloaded) once per generation, however many of their secrets
//    changed; units a gate kept from starting are started once their secrets are all there. It
//    never gives up: an operator may approve the host hours later. STATUS= and
//    <mount>/status.json (host/secrets/status.hpp) say what is waited for, since when and why.
//    After a batch of bundles it waits k_batch_window for more (an operator pushing several
//    files), so one batch is one generation.
//
//  * gate (each consumer unit's ExecCondition=): exit 0 when the unit's secrets are active,
//    k_gate_closed (the unit is skipped, not failed) otherwise.
//  * wait_complete (vps-secrets-wait.service, which vps-secrets.target requires): returns when
//    every secret is active; with a timeout, Errc::timeout after it.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include <vps/base/result.hpp>
#include <vps/config/config.hpp>

namespace vps::host::delivery {

constexpr std::chrono::milliseconds k_batch_window = std::chrono::seconds(2);
constexpr std::chrono::milliseconds k_batch_limit = std::chrono::seconds(10);
constexpr int k_gate_closed = 1;  // ExecCondition: 1..254 skip the unit

struct SecretsRun {
  std::filesystem::path root = "/";
  std::string config_path;
  bool once = false;        // activate_when_complete: do not wait
  bool no_restart = false;  // never restart, reload or start units
  std::optional<config::Duration> timeout;  // overrides secrets.timeout (zero: no limit)
};

Result<int> activate_when_complete(const SecretsRun& run);
Result<int> follow(const SecretsRun& run);
Result<int> gate(const SecretsRun& run, const std::string& unit);
Result<int> wait_complete(const SecretsRun& run);

}  // namespace vps::host::delivery
