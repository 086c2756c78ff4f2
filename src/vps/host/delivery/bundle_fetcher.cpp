#include <vps/host/delivery/bundle_fetcher.hpp>

#include <algorithm>
#include <cctype>

#include <vps/base/text.hpp>
#include <vps/base/clock.hpp>
#include <vps/base/hex.hpp>
#include <vps/base/log.hpp>
#include <vps/crypto/hash.hpp>
#include <vps/host/delivery/bundle_plan.hpp>
#include <vps/net/api/host_endpoint.hpp>
#include <vps/sys/fs/atomic_file.hpp>
#include <vps/sys/fs/file.hpp>
#include <vps/host/identity/hostname.hpp>
#include <vps/host/state/state_store.hpp>
#include <vps/protocol/operator_sequence.hpp>

namespace vps::host::delivery {

namespace {

using Millis = std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// The longest pause between two fetch rounds while a source is pending.
constexpr Millis k_max_idle_interval = std::chrono::seconds(30);

std::string file_sha256(const std::filesystem::path& path) {
  auto bytes = sys::read_file(path, k_max_bundle_bytes);
  return bytes ? hex::encode(crypto::sha256(*bytes)) : std::string();
}

}  // namespace

std::string configured_endpoint(const config::Config& config) {
  if (!config.enrollment.endpoint.empty()) return config.enrollment.endpoint;
  auto state = state::load_state(config.state_dir);
  if (!state || !*state) return {};
  const auto& extra = (*state)->enrollment.extra;
  auto it = extra.find("endpoint");
  return it != extra.end() && it->is_string() ? it->get<std::string>() : std::string();
}

namespace {

// A non-2xx answer: a refusal of the key means "not approved (yet)", anything else "unavailable".
EndpointState state_of(const net::http::Response& response) {
  return net::api::key_refusal(response) ? EndpointState::not_approved : EndpointState::unavailable;
}

const config::SecretFile* source_config(const config::Secrets& secrets, const std::filesystem::path& source) {
  for (const auto& file : secrets.files)
    if (file.source == source) return &file;
  return nullptr;
}

// Refusal reason, or "" when the bundle is ciphertext this host can open.
std::string verify(std::string_view body, const config::SecretFile& file,
                   const std::vector<const formats::age::Identity*>& identities) {
  if (!protocol::looks_like_ciphertext(body)) return "not age or sops ciphertext";
  const auto format = resolve_format(file.format, file.source, body);
  auto plaintext = decrypt_file(body, format, "", identities);  // wiped when it goes out of scope
  if (plaintext) return "";
  if (plaintext.error().code == Errc::no_identity) return "not encrypted to this host";
  return plaintext.error().message;
}

// The listing's (unverified) manifest names exactly the sequence this host installed last
// under that name: that push is in place, nothing to fetch. Checked before the signature, so
// that a source changed locally after an install (a rebuild deploying a new file) is not
// reported as a refused bundle on every round. A forged sequence here can only make the host
// skip a bundle, which a forging endpoint could do anyway by not listing it. An OLDER sequence
// goes on to be refused as a rollback, loudly.
bool already_installed(const BundleEntry& entry, const BundleSequences& sequences) {
  auto parsed = protocol::parse_signed_bundle_manifest(entry.manifest, entry.signature);
  return parsed && parsed->manifest.sequence == sequences.last(entry.name);
}

// What the endpoint is told about one bundle: the listing's name, hash and (claimed) sequence,
// and the reason cut to what the report's parser takes (one line, 1 KiB).
protocol::BundleReport outcome(const BundleEntry& entry, protocol::BundleOutcome result, const std::string& reason) {
  protocol::BundleReport out;
  out.name = entry.name;
  out.sha256 = entry.sha256;
  auto parsed = protocol::parse_signed_bundle_manifest(entry.manifest, entry.signature);
  out.sequence = parsed ? std::max<std::int64_t>(parsed->manifest.sequence, 0) : 0;
  out.outcome = result;
  out.detail = report_text(reason);
  return out;
}

Status install(const std::filesystem::path& target, std::string_view body) {
  std::error_code ec;
  std::filesystem::create_directories(target.parent_path(), ec);
  if (ec) return fail(Errc::io, "creating " + target.parent_path().string() + ": " + ec.message());
  return sys::write_file_atomic(target, as_bytes(body), 0600);
}

}  // namespace

std::string FetchReport::status() const {
  switch (state) {
    case EndpointState::not_approved: return "endpoint: not approved yet (" + detail + ")";
    case EndpointState::unavailable: return "endpoint unavailable (" + detail + ")";
    case EndpointState::reachable: break;
  }
  if (!refused.empty()) return "endpoint: refused " + refused.front();
  if (!held_back.empty()) return "endpoint: bundle '" + held_back.front() + "' was refused; waiting for a new push";
  if (!installed.empty()) return "endpoint: delivered " + std::to_string(installed.size()) + " file(s)";
  return "endpoint: no new bundle for this host yet";
}

Result<std::optional<BundleFetcher>> BundleFetcher::open(const config::Config& config, const std::filesystem::path& root,
                                                         const std::string& config_path) {
  const std::string text = configured_endpoint(config);
  if (text.empty()) return std::optional<BundleFetcher>();
  auto endpoint = VPS_TRY(net::api::host_endpoint(
      config.enrollment, text, {config.enrollment.retry.attempt_timeout, k_max_bundle_bytes}));
  auto client = VPS_TRY(net::api::host_client(endpoint, config.identity.host_key));
  net::http::BackoffPolicy policy = endpoint.retry;
  // A waiting host should notice the operator's approval and push within seconds, not after
  // publish's long backoff ceiling: an idle round costs one small signed GET.
  policy.max_delay = std::min(policy.max_delay, k_max_idle_interval);
  policy.max_attempts = ~0u;
  // The list is checked per bundle; an unusable one is reported then (bundles refused), but
  // must not stop secrets that are already decryptable.
  trust::TrustedOperators operators(root, config_path, config);
  return std::optional<BundleFetcher>(BundleFetcher(std::move(client), root, endpoint.url.to_string(), policy,
                                                    std::move(operators), config.state_dir / "bundle-sequences.json"));
}

BundleFetcher::BundleFetcher(net::api::SignedClient client, std::filesystem::path root, std::string endpoint,
                             net::http::BackoffPolicy policy, trust::TrustedOperators operators,
                             std::filesystem::path sequences)
    : m_client(std::move(client)),
      m_operators(std::move(operators)),
      m_sequences_file(std::move(sequences)),
      m_root(std::move(root)),
      m_host(text::ascii_lower(identity::host_name(m_root))),
      m_endpoint_text(std::move(endpoint)),
      m_schedule(policy, net::http::PollSchedule::Floor::initial_delay) {}

Millis BundleFetcher::until_due() const {
  const auto now = Clock::now();
  if (now >= m_next_round) return Millis(0);
  return std::chrono::duration_cast<Millis>(m_next_round - now) + Millis(1);
}

void BundleFetcher::schedule_next(bool progressed) {
  // After progress the caller re-collects at once; idle rounds back off (at least the initial
  // delay, so jitter never turns into a busy loop).
  m_next_round = Clock::now() + (progressed ? m_schedule.after_progress() : m_schedule.after_setback());
}

Result<protocol::BundleManifest> BundleFetcher::verify_manifest(const BundleEntry& entry,
                                                                const trust::Operators& operators,
                                                                const BundleSequences& sequences) const {
  if (entry.manifest.empty() || entry.signature.empty()) {
    return fail(Errc::unauthorized, "no operator-signed manifest (uploaded by an older vps-enroll? push it again)");
  }
  auto signed_manifest = VPS_TRY(protocol::parse_signed_bundle_manifest(entry.manifest, entry.signature));
  auto op = VPS_TRY(protocol::authorize_bundle(signed_manifest, operators));
  const auto& manifest = signed_manifest.manifest;
  VPS_CHECK(protocol::check_bundle_applicable(manifest, m_host, m_client.key().fingerprint, entry.name,
                                              sequences.last(entry.name), clock::unix_millis()));
  if (manifest.sha256 != entry.sha256 || manifest.size != entry.size)
    return fail(Errc::integrity, "the listing's sha256/size differ from the signed manifest's");
  log::info("secrets: bundle '" + entry.name + "' sequence " + std::to_string(manifest.sequence) + " signed by operator " +
            op.name + " (" + op.fingerprint + ")");
  return manifest;
}

Result<std::string> BundleFetcher::download(const protocol::BundleManifest& manifest, FetchReport& report) {
  auto response = m_client.send("GET", "/v1/hosts/" + m_host + "/bundles/" + manifest.name);
  if (!response) return fail(std::move(response).error());
  if (response->status != 200) {
    report.state = state_of(*response);
    return fail(net::api::response_error(*response));
  }
  VPS_CHECK(protocol::check_bundle_content(manifest, response->body));
  return std::move(response->body);
}

FetchReport BundleFetcher::fetch(const config::Secrets& secrets, const std::vector<Pending>& pending,
                                 const std::vector<const formats::age::Identity*>& identities) {
  FetchReport report;
  auto finish = [&]() {
    schedule_next(!report.installed.empty());
    return report;
  };
  // vps-secrets starts before the network; an image's instance may get its name from DHCP
  // only later, and publish (after network-online) sends that name. Ask under the current one.
  m_host = text::ascii_lower(identity::host_name(m_root));
  auto listing = m_client.send("GET", "/v1/hosts/" + m_host + "/bundles");
  if (!listing) {
    report.state = EndpointState::unavailable;
    report.detail = listing.error().message;
    return finish();
  }
  if (listing->status != 200) {
    report.state = state_of(*listing);
    report.detail = net::api::response_error(*listing).message;
    return finish();
  }
  auto entries = parse_listing(listing->body);
  if (!entries) {
    report.state = EndpointState::unavailable;
    report.detail = entries.error().message;
    return finish();
  }
  std::vector<std::filesystem::path> all, waiting;
  for (const auto& file : secrets.files) all.push_back(file.source);
  for (const auto& p : pending) waiting.push_back(p.source);
  auto plan = plan_downloads(*entries, all, waiting, file_sha256);
  report.notes = std::move(plan.skipped);
  if (plan.downloads.empty()) return finish();
  // Checked before anything is downloaded: the operators as configured now, and what this host
  // already installed. Either being unusable refuses every bundle this round (fail closed).
  auto operators = m_operators.current();
  auto sequences = BundleSequences::load(m_sequences_file);
  for (const auto& download : plan.downloads) {
    const auto& entry = download.entry;
    const std::string what = "bundle '" + entry.name + "' (sha256 " + entry.sha256.substr(0, 12) + "…)";
    // Every refusal is also an outcome the service reports to the endpoint (vps-enroll show).
    auto refuse = [&](const std::string& reason) {
      report.refused.push_back(what + ": " + reason);
      report.outcomes.push_back(outcome(entry, protocol::BundleOutcome::refused, reason));
    };
    if (!operators || !sequences) {
      refuse((!operators ? operators.error() : sequences.error()).message);
      continue;
    }
    if (already_installed(entry, *sequences)) continue;  // this push or a newer one is in place
    if (m_refused.count(entry.sha256)) {  // already refused this exact content
      report.held_back.push_back(entry.name);
      continue;
    }
    if (entry.size > static_cast<std::int64_t>(k_max_bundle_bytes)) {
      m_refused.insert(entry.sha256);
      refuse("larger than 16 MiB");
      continue;
    }
    auto manifest = verify_manifest(entry, *operators, *sequences);
    if (!manifest) {
      refuse(manifest.error().message);
      continue;
    }
    auto body = this->download(*manifest, report);
    if (!body) {
      if (body.error().code != Errc::integrity) {  // transport or endpoint trouble: try next round
        if (report.state == EndpointState::reachable) report.state = EndpointState::unavailable;
        report.detail = body.error().message;
        break;
      }
      refuse(body.error().message);
      continue;  // a transfer mismatch may heal; not remembered
    }
    const auto* file = source_config(secrets, download.target);
    const std::string reason = file ? verify(*body, *file, identities) : "no source configured";
    if (!reason.empty()) {
      m_refused.insert(entry.sha256);
      refuse(reason);
      continue;
    }
    if (auto written = install(download.target, *body); !written) {
      refuse(written.error().message);
      continue;
    }
    // After the file: a crash in between leaves the file installed with its sequence not yet
    // recorded (the guard then lags by one bundle; it never refuses what is installed).
    if (auto recorded = sequences->record(entry.name, manifest->sequence); !recorded)
      log::warning("secrets: " + recorded.error().message);
    log::notice("secrets: installed " + what + " from " + m_endpoint_text + " as " + download.target.string());
    report.installed.push_back(download.target);
    report.outcomes.push_back(outcome(entry, protocol::BundleOutcome::installed, ""));
  }
  for (const auto& line : report.refused) log::warning("secrets: refused " + line);
  for (const auto& line : report.notes) log::warning("secrets: " + line);
  return finish();
}

Status BundleFetcher::report(const protocol::SecretsReport& report) {
  const std::string body = VPS_TRY(protocol::serialize_secrets_report(report));
  auto response = VPS_TRY(m_client.send("POST", "/v1/hosts/" + m_host + "/secrets/report", body));
  if (response.status != 200) return fail(net::api::response_error(response));
  return {};
}

std::string report_text(std::string_view text) {
  std::string clean;
  for (char c : text::utf8_prefix(text, protocol::k_max_secrets_report_string - 8))
    clean += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
  return clean;
}

}  // namespace vps::host::delivery
