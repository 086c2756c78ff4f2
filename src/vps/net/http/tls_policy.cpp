#include <vps/net/http/tls_policy.hpp>

namespace vps::net::http {

namespace {

// TLS 1.2 (SSL_CTX_set_cipher_list): named one by one rather than by a selector such as
// "ECDHE+AESGCM", so a reader sees exactly what is offered and a new OpenSSL cannot widen it.
constexpr const char* k_tls12_suites =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// TLS 1.3 (SSL_CTX_set_ciphersuites): OpenSSL's default set, stated so it cannot drift.
constexpr const char* k_tls13_suites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

}  // namespace

Status apply_tls_policy(SSL_CTX* context) {
  if (SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(context, k_tls12_suites) != 1 || SSL_CTX_set_ciphersuites(context, k_tls13_suites) != 1) {
    return fail(Errc::internal, "OpenSSL refused the TLS policy (TLS 1.2 ECDHE+AEAD, TLS 1.3)");
  }
  return {};
}

}  // namespace vps::net::http
