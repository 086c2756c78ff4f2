#pragma once
// The TLS versions and cipher suites this project speaks, client and server alike:
//   TLS 1.3, whose suites all use ephemeral key exchange and AEAD;
//   TLS 1.2 only with ECDHE key exchange and an AEAD cipher (AES-GCM, ChaCha20-Poly1305).
// ECDHE gives forward secrecy: recorded traffic stays secret even if the server's key leaks later,
// which static-RSA key exchange (AES128-SHA, AES256-SHA256, ...) cannot promise. AEAD avoids
// CBC's MAC-then-encrypt padding oracles. DHE is left out: slow, and every client that offers it
// offers ECDHE too. This is Mozilla's "intermediate" profile without DHE.

#include <openssl/ssl.h>

#include <vps/base/result.hpp>

namespace vps::net::http {

// Sets the minimum version and both suite lists through OpenSSL's own configuration calls.
// Errc::internal if this OpenSSL does not know them (it would offer nothing).
Status apply_tls_policy(SSL_CTX* context);

}  // namespace vps::net::http
