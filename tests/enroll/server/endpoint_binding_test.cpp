// Signed requests are bound to the endpoint they were signed for (issue 16, finding 3): a
// staging endpoint that relays an operator's request to production within the clock-skew
// window must get nothing from production. The relay is an in-process HTTP server that
// forwards every request byte for byte (method, target, headers, body) to the real
// `vps-enroll serve`, and the operator runs the real `vps-enroll` against the relay.
#include <mutex>

#include <vps/net/http/server.hpp>

#include "server_fixture.hpp"

using namespace vps::test;
using namespace vps::test::enroll;
using Json = nlohmann::json;

namespace {

// "Staging": forwards whatever it receives to `target` and remembers production's answers.
struct Relay {
  vps::net::http::Url target;
  std::mutex mutex;
  std::vector<vps::net::http::Response> answers;
  std::unique_ptr<vps::net::http::Server> server;

  explicit Relay(const std::string& production) : target(vps::net::http::parse_url(production).value()) {
    auto started = vps::net::http::Server::start({}, [this](const vps::net::http::Request& request) {
      vps::net::http::Request forwarded;
      forwarded.method = request.method;
      forwarded.target = request.target;
      forwarded.body = request.body;
      for (const auto& h : request.headers) {
        if (h.name == "Host" || h.name == "Content-Length" || h.name == "Connection" || h.name == "User-Agent") continue;
        forwarded.headers.push_back(h);
      }
      vps::net::http::ClientOptions options;
      options.total_timeout = std::chrono::seconds(10);
      auto answer = vps::net::http::send(target, forwarded, options);
      if (!answer) return vps::net::http::Response::text(502, answer.error().message + "\n");
      std::lock_guard lock(mutex);
      answers.push_back(*answer);
      return *answer;
    });
    REQUIRE(started);
    server = std::move(*started);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server->local_port()); }
};

}  // namespace

TEST_SUITE("enroll::server::endpoint binding") {
  TEST_CASE("a request relayed from another endpoint is refused and yields no token") {
    ServerFixture production;
    Relay staging(production.server->url());
    const auto before = production.snap();
    std::vector<std::string> argv = {enroll_binary().string(), "token", "create", "web1",
                                     "--endpoint",  staging.url(),    "--key",  (production.dir / "alice.key").string()};
    auto relayed = run(argv);
    INFO(relayed.out << relayed.err);
    CHECK(relayed.exit_code == 77);  // production: 401, the request was not signed for it
    CHECK(relayed.out.empty());      // no token printed
    REQUIRE(staging.answers.size() == 1);
    CHECK(staging.answers[0].status == 401);
    CHECK(staging.answers[0].body.find("signed for endpoint") != std::string::npos);
    CHECK(production.snap() == before);  // no token stored, nothing changed but the refusal
    // The same operator, talking to production directly, still gets a token.
    CHECK(production.cli({"token", "create", "web1"}).exit_code == 0);
  }

  TEST_CASE("a host publication relayed from another endpoint is refused") {
    ServerFixture production;
    Relay staging(production.server->url());
    const auto before = production.snap();
    // The host believes it publishes to staging: the publication names staging as its endpoint.
    auto host = key_pair();
    auto body = publication_body(host, "web1", unix_now(), std::nullopt, staging.url());
    vps::net::http::ClientOptions options;
    auto answer = vps::net::http::send(vps::net::http::parse_url(staging.url()).value(), publish_request(body), options);
    REQUIRE(answer);
    CHECK(answer->status == 401);
    CHECK(production.snap() == before);
  }
}
