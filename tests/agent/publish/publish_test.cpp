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
  TEST_CASE("503 then 200: retries, succeeds, records the approval") {
    PublishHost host;
    FakeEndpoint endpoint({503, 200});
    host.configure(endpoint.url());
    auto result = host.publish();
    INFO(result.err);
    CHECK(result.exit_code == 0);
    CHECK(endpoint.requests == 2);
    CHECK(contains(result.err, "publish: attempt 1 failed: 503 Service Unavailable: busy; retrying in "));
    CHECK(contains(result.err, "approved by"));
    auto publication = endpoint.last_publication();
    CHECK(publication.publication.instance_id == "98765432");  // from DMI: metadata disabled
    CHECK(publication.publication.hostname == "web-1");
    CHECK(publication.publication.fingerprint == host.fingerprint);
    CHECK(publication.publication.boot_id == "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
    CHECK_FALSE(publication.publication.token);
    auto state = host.state();
    CHECK(state.enrollment.status == "approved");
    CHECK_FALSE(state.enrollment.acknowledged_at.empty());
    CHECK(state.enrollment.last_error.empty());
    CHECK(state.enrollment.extra["attempts"] == 2);
  }
  TEST_CASE("approved: a second run is a no-op unless --force") {
    PublishHost host;
    FakeEndpoint endpoint({200});
    host.configure(endpoint.url());
    REQUIRE(host.publish().exit_code == 0);
    auto again = host.publish();
    CHECK(again.exit_code == 0);
    CHECK(contains(again.err, "already approved"));
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
    auto result = host.publish({"--attempt-timeout", "500ms", "--timeout", "2s"});
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
    CHECK(contains(all, "STATUS=publish: approved by"));
  }
  TEST_CASE("pending: keeps publishing until an operator approves, saying what it waits for") {
    PublishHost host;
    FakeEndpoint endpoint({202, 202, 200});
    endpoint.reply_bodies = {R"({"status":"pending"})", R"({"status":"pending"})", R"({"status":"approved"})"};
    host.configure(endpoint.url());
    auto result = host.publish();
    INFO(result.err);
    CHECK(result.exit_code == 0);
    CHECK(endpoint.requests == 3);
    CHECK(contains(result.err, "attempt 1 pending: waiting for an operator's decision on this host's key " +
                                   host.fingerprint + " for 'web-1' (vps-enroll approve web-1 --fingerprint " +
                                   host.fingerprint));
    CHECK(contains(result.err, "publishing again in "));
    auto state = host.state();
    CHECK(state.enrollment.status == "approved");
    CHECK_FALSE(state.enrollment.extra.contains("waiting_for"));
  }
  TEST_CASE("pending with --no-wait: returns at the acknowledgement, and status says what the host waits for") {
    PublishHost host;
    FakeEndpoint endpoint({202});
    endpoint.reply_body = R"({"status":"pending"})";
    host.configure(endpoint.url());
    auto result = host.publish({"--no-wait"});
    INFO(result.err);
    CHECK(result.exit_code == 0);
    CHECK(endpoint.requests == 1);
    CHECK(host.state().enrollment.status == "pending");
    ProcessOptions options;
    options.timeout_seconds = 30;
    // --offline: what publish recorded (the endpoint's own view is status's other half).
    auto status = run({agent_binary().string(), "--root", host.root().string(), "status", "--offline"}, options);
    CHECK(contains(status.out, "enrollment:  pending\n  waiting for an operator's decision on this host's key " +
                                   host.fingerprint));
    auto json = run({agent_binary().string(), "--root", host.root().string(), "status", "--json", "--offline"}, options);
    CHECK(contains(json.out, "\"waiting_for\": \"an operator's decision"));
    // Not approved yet: the next run publishes again.
    CHECK(host.publish({"--no-wait"}).exit_code == 0);
    CHECK(endpoint.requests == 2);
  }
  TEST_CASE("still pending when the time budget runs out: exit 83 (retried by the unit), not 76") {
    PublishHost host;
    FakeEndpoint endpoint({202});
    endpoint.reply_body = R"({"status":"pending"})";
    host.configure(endpoint.url());
    const auto start = std::chrono::steady_clock::now();
    auto result = host.publish({"--timeout", "1500ms"});
    INFO(result.err);
    CHECK(result.exit_code == exit_code(Errc::timeout));
    CHECK(contains(result.err, "publish: timed out after "));
    CHECK(contains(result.err, "still waiting for an operator's decision"));
    CHECK(endpoint.requests >= 2);
    CHECK(seconds_since(start) < 10);
  }
  TEST_CASE("429 with Retry-After is retried") {
    PublishHost host;
    FakeEndpoint endpoint({429, 200});
    host.configure(endpoint.url());
    auto result = host.publish();
    INFO(result.err);
    CHECK(result.exit_code == 0);
    CHECK(endpoint.requests == 2);
    CHECK(contains(result.err, "attempt 1 failed: 429 Too Many Requests"));
  }
}
