#pragma once
// Shared by the enroll unit and server tests: keys, signed publications and signed requests
// built the way the agent and the operator CLI build them.

#include <string>

#include <vps/enroll/routes/api.hpp>
#include <vps/base/base64.hpp>
#include <vps/base/hex.hpp>
#include <vps/crypto/hash.hpp>
#include <vps/protocol/bundle_manifest.hpp>
#include <vps/crypto/curve25519.hpp>
#include <vps/formats/openssh/fingerprint.hpp>
#include <vps/formats/openssh/private_key.hpp>
#include <vps/net/http/message.hpp>
#include <vps/protocol/signed_publication.hpp>
#include <vps/protocol/signed_request.hpp>

namespace vps::test::enroll {

// The endpoint origin in-process tests sign for (routes_fixture's Api accepts it); tests of a
// real server sign for that server's own origin (ServerFixture::origin()).
inline const std::string k_test_endpoint = "http://127.0.0.1:8443";

inline crypto::Ed25519KeyPair key_pair() { return crypto::ed25519_generate(); }

inline std::string public_line(const crypto::Ed25519KeyPair& key, const std::string& comment) {
  return protocol::ssh_public_key_field(key.public_key) + (comment.empty() ? "" : " " + comment);
}

inline std::string fingerprint(const crypto::Ed25519KeyPair& key) {
  return formats::openssh::sha256_fingerprint(key.public_key);
}

// OpenSSH private key text for the CLI's --key.
inline std::string private_key_text(const crypto::Ed25519KeyPair& key) {
  formats::openssh::Ed25519PrivateKey k;
  k.seed = key.seed;
  k.public_key = key.public_key;
  k.comment = "test";
  auto text = formats::openssh::format_private_key(k);
  return std::string(text.begin(), text.end());
}

inline protocol::Publication publication(const crypto::Ed25519KeyPair& key, const std::string& hostname,
                                         std::int64_t timestamp, std::optional<std::string> token = std::nullopt,
                                         const std::string& endpoint = k_test_endpoint) {
  protocol::Publication p;
  p.endpoint = endpoint;
  p.hostname = hostname;
  p.instance_id = "12345678";
  p.ssh_public_key = protocol::ssh_public_key_field(key.public_key);
  p.age_recipient = protocol::age_recipient_for(key.public_key).value();
  p.fingerprint = formats::openssh::sha256_fingerprint(key.public_key);
  p.boot_id = "0f0e0d0c-0b0a-4908-8706-050403020100";
  p.timestamp = timestamp;
  p.nonce = protocol::new_nonce();
  p.token = std::move(token);
  return p;
}

inline std::string publication_body(const crypto::Ed25519KeyPair& key, const std::string& hostname,
                                    std::int64_t timestamp, std::optional<std::string> token = std::nullopt,
                                    const std::string& endpoint = k_test_endpoint) {
  return protocol::serialize(
      protocol::sign(publication(key, hostname, timestamp, std::move(token), endpoint), crypto::SeedSigner(key.seed))
          .value());
}

inline net::http::Request publish_request(std::string body) {
  net::http::Request r;
  r.method = "POST";
  r.target = "/v1/enrollments";
  r.body = std::move(body);
  r.remote_address = "127.0.0.1";
  return r;
}

inline net::http::Request signed_request(const crypto::Ed25519KeyPair& key, const std::string& method,
                                         const std::string& target, const std::string& body, std::int64_t timestamp,
                                         const std::string& endpoint = k_test_endpoint) {
  net::http::Request r;
  r.method = method;
  r.target = target;
  r.body = body;
  r.remote_address = "127.0.0.1";
  auto h = protocol::sign_request(endpoint, method, target, body, crypto::SeedSigner(key.seed), timestamp).value();
  r.headers = {{"X-Vps-Endpoint", h.endpoint}, {"X-Vps-Key", h.key}, {"X-Vps-Timestamp", h.timestamp},
               {"X-Vps-Nonce", h.nonce}, {"X-Vps-Signature", h.signature}};
  return r;
}

// The two headers of an upload: a manifest for exactly `content`, signed by `op`.
inline std::vector<net::http::Header> manifest_headers(const crypto::Ed25519KeyPair& op, const std::string& host,
                                                       const std::string& host_key, const std::string& name,
                                                       std::string_view content, std::int64_t sequence) {
  protocol::BundleManifest m;
  m.host = host;
  m.host_key = host_key;
  m.name = name;
  m.sha256 = hex::encode(crypto::sha256(as_bytes(content)));
  m.size = static_cast<std::int64_t>(content.size());
  m.sequence = sequence;
  auto signed_manifest = protocol::sign_bundle_manifest(m, crypto::SeedSigner(op.seed)).value();
  return {{std::string(protocol::k_header_bundle_manifest), base64::encode(as_bytes(signed_manifest.text))},
          {std::string(protocol::k_header_bundle_signature), base64::encode(signed_manifest.signature)}};
}

// PUT /v1/hosts/<host>/bundles/<name> signed by `op`, with its manifest.
inline net::http::Request signed_upload(const crypto::Ed25519KeyPair& op, const std::string& host,
                                        const std::string& host_key, const std::string& name, const std::string& content,
                                        std::int64_t sequence, std::int64_t timestamp,
                                        const std::string& endpoint = k_test_endpoint) {
  auto r = signed_request(op, "PUT", "/v1/hosts/" + host + "/bundles/" + name, content, timestamp, endpoint);
  for (auto& h : manifest_headers(op, host, host_key, name, content, sequence)) r.headers.push_back(std::move(h));
  return r;
}

inline vps::enroll::routes::Policy test_policy() {
  vps::enroll::routes::Policy policy;
  policy.auth.endpoints = std::make_shared<vps::enroll::auth::EndpointOrigins>(std::vector<std::string>{k_test_endpoint});
  return policy;
}

inline const char* k_age_ciphertext = "age-encryption.org/v1\n-> X25519 abc\nxyz\n--- mac\n\x01\x02ciphertext";

}  // namespace vps::test::enroll
