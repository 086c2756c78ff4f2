#pragma once
// Operator-signed bundle manifests: what makes a secret bundle installable on a host. The
// enrollment endpoint only stores and forwards bundles; a host installs one only when an
// operator in ITS OWN list signed a manifest naming this host, this host key, this bundle name,
// the bundle's exact SHA-256 and size, and a sequence above the last one it installed under
// that name. So a compromised endpoint can neither plant a secret nobody signed nor roll a host
// back to an older bundle (DESIGN.md, threat model), and the host checks all of this before it
// parses a single byte of the bundle.
//
// Canonical text (signed byte for byte; exactly these lines, each ending in "\n";
// canonical_lines.hpp):
//
//   vps-bundle/v1
//   host: web1
//   host-key: SHA256:...
//   name: app.yaml
//   sha256: 3b6a... (64 lowercase hex digits)
//   size: 1234
//   sequence: 1764224895000
//   key: ssh-ed25519 AAAAC3Nza...
//
// host      protocol/host_name.hpp
// host-key  fingerprint of the host key the bundle is encrypted for (a re-installed instance
//           with the same name refuses bundles meant for the old key)
// name      [A-Za-z0-9][A-Za-z0-9._-]{0,127} (valid_bundle_name)
// sequence  per host and name, chosen and bounded as operator_sequence.hpp says
// key       the signing operator's key, "ssh-ed25519 <base64>" without comment
//
// Transport: `vps-enroll push` sends the manifest (base64 of the text) and its signature in
// the X-Vps-Bundle-Manifest and X-Vps-Bundle-Signature headers of the upload; the endpoint
// returns both with every listing entry.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <vps/base/result.hpp>
#include <vps/crypto/curve25519.hpp>
#include <vps/crypto/signer.hpp>
#include <vps/formats/openssh/authorized_operators.hpp>

namespace vps::protocol {

inline constexpr std::string_view k_bundle_domain = "vps-bundle/v1";
inline constexpr std::size_t k_max_bundle_manifest_bytes = 1024;
inline constexpr std::string_view k_header_bundle_manifest = "X-Vps-Bundle-Manifest";
inline constexpr std::string_view k_header_bundle_signature = "X-Vps-Bundle-Signature";

struct BundleManifest {
  std::string host;
  std::string host_key;  // "SHA256:..."
  std::string name;
  std::string sha256;    // lowercase hex
  std::int64_t size = 0;
  std::int64_t sequence = 0;
  crypto::Ed25519Public key{};
};

struct SignedBundleManifest {
  BundleManifest manifest;
  std::string text;  // canonical text, as signed
  crypto::Ed25519Signature signature{};
};

// [A-Za-z0-9][A-Za-z0-9._-]{0,127}: a bundle name in paths, manifests and on the host.
bool valid_bundle_name(std::string_view name);

// An age file (binary or armored, formats::age::looks_like_age_file) or a sops file: what the
// endpoint accepts as a bundle, and all the agent will ever write to a source path.
bool looks_like_ciphertext(std::string_view content);

// Errc::malformed naming the field out of its grammar.
Result<std::string> canonical_text(const BundleManifest& manifest);

// Strict: the canonical form only, at most k_max_bundle_manifest_bytes.
Result<BundleManifest> parse_bundle_manifest(std::string_view text);

// Signs with the operator's key (manifest.key is set to the signer's).
Result<SignedBundleManifest> sign_bundle_manifest(const BundleManifest& manifest, const crypto::Signer& signer);

// Parses the text and the base64 signature; nothing verified yet.
Result<SignedBundleManifest> parse_signed_bundle_manifest(std::string_view text, std::string_view signature_base64);

// Signed by an operator in `operators` (Errc::unauthorized) with a valid signature
// (Errc::integrity); returns the operator.
Result<formats::openssh::AuthorizedOperator> authorize_bundle(const SignedBundleManifest& signed_manifest,
                                                              std::span<const formats::openssh::AuthorizedOperator> operators);

// What a receiver checks beyond the signature: addressed to this host name and key and to this
// bundle name (Errc::unauthorized), sequence above last_sequence (Errc::refused: "replayed or
// rolled back") and within the clock bound (Errc::refused).
Status check_bundle_applicable(const BundleManifest& manifest, std::string_view host, std::string_view host_key,
                               std::string_view name, std::int64_t last_sequence, std::int64_t now_ms);

// The downloaded bytes are exactly what the manifest names (Errc::integrity otherwise).
Status check_bundle_content(const BundleManifest& manifest, std::string_view content);

}  // namespace vps::protocol
