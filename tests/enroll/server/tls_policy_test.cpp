// TLS of the real `vps-enroll serve` (issue 16, item 9): TLS 1.2 is accepted only with ECDHE key
// exchange and an AEAD cipher (AES-GCM, ChaCha20-Poly1305), and TLS 1.3 works. A client
// offering only static-RSA suites (no forward secrecy: AES128-SHA, AES256-SHA256, as the review
// negotiated) or CBC suites is refused. The probes use OpenSSL directly, offering exactly one
// suite at a time at security level 0, so only the server's policy decides.
#include "loopback_fakes.hpp"
#include "server_fixture.hpp"
#include "tls_probe.hpp"

using namespace vps::test;
using namespace vps::test::enroll;

namespace {

// Each suite alone over TLS 1.2 must be refused.
void check_refused(std::uint16_t port, const std::vector<std::string>& suites) {
  for (const auto& suite : suites) {
    const auto probe = tls_handshake(port, TLS1_2_VERSION, suite);
    CHECK_MESSAGE(!probe.connected, suite << " was negotiated (" << probe.version << " " << probe.cipher << ")");
  }
}

// Each suite alone over TLS 1.2 must be negotiated as itself.
void check_accepted(std::uint16_t port, const std::vector<std::string>& suites) {
  for (const auto& suite : suites) {
    const auto probe = tls_handshake(port, TLS1_2_VERSION, suite);
    CHECK_MESSAGE(probe.connected, suite << " refused: " << probe.error);
    CHECK(probe.version == "TLSv1.2");
    CHECK(probe.cipher == suite);
  }
}

void check_tls13(std::uint16_t port) {
  const auto probe = tls_handshake(port, TLS1_3_VERSION);
  CHECK_MESSAGE(probe.connected, "TLS 1.3 refused: " << probe.error);
  CHECK(probe.version == "TLSv1.3");
}

}  // namespace

TEST_SUITE("enroll::server::tls policy") {
  TEST_CASE("RSA certificate: static-RSA and CBC suites refused, ECDHE-RSA AEAD and TLS 1.3 work") {
    TempDir setup;
    auto certs = make_test_certs(setup.path(), "rsa", CertKey::rsa_2048);
    if (!certs) VPS_SKIP("openssl CLI unavailable");
    ServerFixture f({"--tls-cert", certs->server_cert.string(), "--tls-key", certs->server_key.string()}, certs->ca_cert);
    REQUIRE(f.server->url().starts_with("https://"));
    const auto port = f.server->port();
    check_refused(port, {"AES128-SHA", "AES256-SHA256", "AES128-GCM-SHA256", "AES256-GCM-SHA384",
                         "ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES256-SHA384"});
    check_accepted(port, {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305"});
    check_tls13(port);
    // The product's own client talks to it.
    CHECK(f.cli({"list"}).exit_code == 0);
  }

  TEST_CASE("ECDSA certificate: CBC suites refused, ECDHE-ECDSA AEAD and TLS 1.3 work") {
    TempDir setup;
    auto certs = make_test_certs(setup.path(), "ec", CertKey::ec_p256);
    if (!certs) VPS_SKIP("openssl CLI unavailable");
    ServerFixture f({"--tls-cert", certs->server_cert.string(), "--tls-key", certs->server_key.string()}, certs->ca_cert);
    REQUIRE(f.server->url().starts_with("https://"));
    const auto port = f.server->port();
    check_refused(port, {"ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA", "ECDHE-ECDSA-AES128-SHA256"});
    check_accepted(port, {"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
                          "ECDHE-ECDSA-CHACHA20-POLY1305"});
    check_tls13(port);
    CHECK(f.cli({"list"}).exit_code == 0);
  }
}
