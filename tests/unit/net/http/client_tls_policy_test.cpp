// The client's TLS policy, against a one-shot OpenSSL server on 127.0.0.1 that offers exactly
// the TLS 1.2 suites a test gives it: suites without forward secrecy (static RSA) or without
// AEAD (CBC) are refused, ECDHE with AES-GCM or ChaCha20-Poly1305 is used.
#include <doctest/doctest.h>

#include <chrono>

#include <vps/net/http/client.hpp>

#include "loopback_fakes.hpp"
#include "test_support.hpp"
#include "tls_probe.hpp"

using namespace vps;
using namespace vps::net::http;
using namespace std::chrono_literals;

namespace {

ClientOptions client_trusting(const std::filesystem::path& ca) {
  ClientOptions options;
  options.ca_file = ca;
  options.connect_timeout = 3000ms;
  options.io_timeout = 3000ms;
  options.total_timeout = 5000ms;
  return options;
}

Url local(std::uint16_t port) { return parse_url("https://127.0.0.1:" + std::to_string(port)).value(); }

}  // namespace

TEST_SUITE("net::http::send TLS policy") {
  TEST_CASE("refuses a server offering only static-RSA or CBC suites") {
    test::TempDir dir;
    auto certs = test::make_test_certs(dir.path(), "rsa", test::CertKey::rsa_2048);
    if (!certs) VPS_SKIP("openssl CLI unavailable");
    for (const std::string suite : {"AES128-SHA", "AES256-SHA256", "AES128-GCM-SHA256", "ECDHE-RSA-AES128-SHA"}) {
      test::OneShotTlsServer server(certs->server_cert, certs->server_key, suite);
      REQUIRE(server.ready());
      auto response = send(local(server.port()), Request{}, client_trusting(certs->ca_cert));
      CHECK_MESSAGE(!response, suite << " was accepted");
      if (!response) CHECK(response.error().code == Errc::retry);  // a handshake failure, not a trust failure
    }
  }

  TEST_CASE("negotiates ECDHE-RSA with AES-GCM or ChaCha20-Poly1305") {
    test::TempDir dir;
    auto certs = test::make_test_certs(dir.path(), "rsa", test::CertKey::rsa_2048);
    if (!certs) VPS_SKIP("openssl CLI unavailable");
    for (const std::string suite : {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305"}) {
      test::OneShotTlsServer server(certs->server_cert, certs->server_key, suite);
      REQUIRE(server.ready());
      auto response = send(local(server.port()), Request{}, client_trusting(certs->ca_cert));
      CHECK_MESSAGE(response, suite << ": " << (response ? "" : response.error().message));
      if (response) CHECK(response->status == 200);
    }
  }
}
