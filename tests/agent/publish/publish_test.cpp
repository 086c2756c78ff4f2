// vps-agent publish against real servers on 127.0.0.1 (ephemeral ports): retries, resets,
// stalls, TLS failures and refusals, each bounded in attempts and time.
#include <doctest/doctest.h>

#include <chrono>

#include "loopback_fakes.hpp"
#include "publish_fixture.hpp"

using namespace vps;
using namespace vps::test;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_SUITE("agent::publish") {
  TEST_CASE("503 then 200: retries, succeeds, records the acknowledgement") {
    PublishHost host;
    FakeEndpoint endpoint({503, 200});
    host.configure(endpoint.url());
    auto result = host.publish();
    INFO(result.err);
    CHECK(result.exit_code == 0);
    CHECK(endpoint.requests == 2);
    CHECK(contains(result.err, "publish: attempt 1 failed: 503 Service Unavailable: busy; retrying in "));
    CHECK(contains(result.err, "acknowledged by"));
    auto publication = endpoint.last_publication();
    CHECK(publication.publication.instance_id == "98765432");  // from DMI: metadata disabled
    CHECK(publication.publication.hostname == "web-1");
    CHECK(publication.publication.fingerprint == host.fingerprint);
    CHECK(publication.publication.boot_id == "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
    CHECK_FALSE(publication.publication.token);
    auto state = host.state();
    CHECK(state.enrollment.status == "pending");
    CHECK_FALSE(state.enrollment.acknowledged_at.empty());
    CHECK(state.enrollment.last_error.empty());
    CHECK(state.enrollment.extra["attempts"] == 2);
  }
  TEST_CASE("acknowledged: a second run is a no-op unless --force") {
    PublishHost host;
    FakeEndpoint endpoint({200});
    host.configure(endpoint.url());
    REQUIRE(host.publish().exit_code == 0);
    auto again = host.publish();
    CHECK(again.exit_code == 0);
    CHECK(contains(again.err, "already acknowledged"));
    CHECK(endpoint.requests == 1);
    auto forced = host.publish({"--force"});
    CHECK(forced.exit_code == 0);
    CHECK(endpoint.requests == 2);
  }
  TEST_CASE("permanent 4xx stops at once with Errc::refused") {
    PublishHost host;
    FakeEndpoint endpoint({403});
    host.configure(endpoint.url());
    const auto start = std::chrono::steady_clock::now();
    auto result = host.publish();
    CHECK(result.exit_code == exit_code(Errc::refused));
    CHECK(endpoint.requests == 1);
    CHECK(contains(result.err, "endpoint refused the publication: 403 Forbidden: token unknown"));
    CHECK_FALSE(contains(result.err, "retrying"));
    CHECK(seconds_since(start) < 10);
    auto state = host.state();
    CHECK(state.enrollment.acknowledged_at.empty());
    CHECK(contains(state.enrollment.last_error, "403"));
    CHECK(state.enrollment.extra["attempts"] == 1);
  }
  TEST_CASE("connection reset: retried, then gives up after --max-attempts") {
    PublishHost host;
    RawTcpServer fake(RawTcpServer::Mode::reset);
    host.configure("http://127.0.0.1:" + std::to_string(fake.port()));
    const auto start = std::chrono::steady_clock::now();
    auto result = host.publish({"--max-attempts", "3"});
    INFO(result.err);
    CHECK(result.exit_code == exit_code(Errc::retry));
    CHECK(fake.connections() == 3);
    CHECK(contains(result.err, "attempt 2 failed: "));
    CHECK(contains(result.err, "giving up after 3 attempt(s)"));
    CHECK(seconds_since(start) < 15);
    CHECK_FALSE(host.state().enrollment.last_error.empty());
  }
  TEST_CASE("stalled endpoint: the per-attempt timeout fires, then the overall budget") {
    PublishHost host;
    RawTcpServer fake(RawTcpServer::Mode::stall);
    host.configure("http://127.0.0.1:" + std::to_string(fake.port()));
    const auto start = std::chrono::steady_clock::now();
    auto result = host.publish({"--attempt-timeout", "0.5", "--timeout", "2"});
    INFO(result.err);
    CHECK(result.exit_code == exit_code(Errc::timeout));
    CHECK(contains(result.err, "attempt 1 failed: timed out after 500 ms waiting for the response from 127.0.0.1:"));
    CHECK(contains(result.err, "publish: timed out after "));
    CHECK(fake.connections() >= 2);
    CHECK(seconds_since(start) < 8);
  }
  TEST_CASE("untrusted certificate: reported clearly, not retried") {
    TempDir certs_dir;
    auto trusted = make_test_certs(certs_dir.path(), "trusted");
    auto other = make_test_certs(certs_dir.path(), "other");
    if (!trusted || !other) VPS_SKIP("openssl CLI unavailable");
    net::http::ServerOptions tls;
    tls.cert_file = other->server_cert;
    tls.key_file = other->server_key;
    FakeEndpoint endpoint({200}, tls);
    PublishHost host;
    host.configure(endpoint.url("https"), host.install_ca(trusted->ca_cert));
    auto result = host.publish();
    INFO(result.err);
    CHECK(result.exit_code == exit_code(Errc::integrity));
    CHECK(contains(result.err, "TLS certificate of 127.0.0.1:"));
    CHECK(contains(result.err, "not trusted"));
    CHECK(endpoint.requests == 0);
    CHECK_FALSE(contains(result.err, "retrying"));
  }
  TEST_CASE("https happy path with a CA file") {
    TempDir certs_dir;
    auto certs = make_test_certs(certs_dir.path(), "good");
    if (!certs) VPS_SKIP("openssl CLI unavailable");
    net::http::ServerOptions tls;
    tls.cert_file = certs->server_cert;
    tls.key_file = certs->server_key;
    FakeEndpoint endpoint({201}, tls);
    endpoint.reply_body = R"({"status":"approved"})";
    PublishHost host;
    host.configure(endpoint.url("https"), host.install_ca(certs->ca_cert));
    auto result = host.publish();
    INFO(result.err);
    CHECK(result.exit_code == 0);
    CHECK(endpoint.requests == 1);
    CHECK(host.state().enrollment.status == "approved");
  }
  TEST_CASE("no state yet: run firstboot first") {
    PublishHost host;
    FakeEndpoint endpoint({200});
    host.configure(endpoint.url());
    std::filesystem::remove(host.state_dir() / "state.json");
    auto result = host.publish();
    CHECK(result.exit_code == exit_code(Errc::no_key));
    CHECK(contains(result.err, "firstboot"));
    CHECK(endpoint.requests == 0);
  }
  TEST_CASE("reports progress through sd_notify STATUS=") {
    PublishHost host;
    FakeEndpoint endpoint({503, 200});
    host.configure(endpoint.url());
    NotifyListener notify;
    auto result = host.publish({}, {"NOTIFY_SOCKET=" + notify.path});
    REQUIRE(result.exit_code == 0);
    std::string all;
    for (const auto& message : notify.drain()) all += message + "\n";
    CHECK(contains(all, "STATUS=publish: attempt 1 failed: 503 Service Unavailable"));
    CHECK(contains(all, "STATUS=publish: acknowledged by"));
  }
}
