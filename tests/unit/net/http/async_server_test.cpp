// Server::start_async: a handler that answers later (long polling), from a timer on the
// Responder's executor; a parked request is answered 503 at once when the server stops.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include <vps/net/http/client.hpp>
#include <vps/net/http/server.hpp>

#include "test_support.hpp"

using namespace vps;
using namespace vps::net::http;
using namespace std::chrono_literals;

namespace {

Url local(std::uint16_t port) { return parse_url("http://127.0.0.1:" + std::to_string(port)).value(); }

Request get(const std::string& target) {
  Request r;
  r.method = "GET";
  r.target = target;
  return r;
}

// Parked until the server stops.
std::vector<Responder> g_never;

// "/now" answers at once; "/later" after 300 ms from a timer; "/never" parks forever.
void handler(const Request& request, Responder respond) {
  if (request.target == "/now") return respond(Response::text(200, "now"));
  if (request.target == "/never") return g_never.push_back(std::move(respond));  // answered by stop()
  auto timer = std::make_shared<boost::asio::steady_timer>(respond.executor(), 300ms);
  timer->async_wait([timer, respond](const boost::system::error_code&) {
    respond(Response::text(200, "later"));
    respond(Response::text(500, "second answer is ignored"));
  });
}

}  // namespace

TEST_SUITE("net::http::Server::start_async") {
  TEST_CASE("answers at once or later: later answers are dropped") {
    auto server = Server::start_async({}, handler).value();
    ClientOptions options;
    options.total_timeout = 5000ms;
    auto now = send(local(server->local_port()), get("/now"), options);
    REQUIRE(now);
    CHECK(now->body == "now");
    const auto start = std::chrono::steady_clock::now();
    auto later = send(local(server->local_port()), get("/later"), options);
    REQUIRE(later);
    CHECK(later->status == 200);
    CHECK(later->body == "later");
    CHECK(std::chrono::steady_clock::now() - start >= 250ms);
  }

  TEST_CASE("stop() answers a parked request 503 without waiting for the grace period") {
    ServerOptions server_options;
    server_options.stop_grace = 10000ms;
    auto server = Server::start_async(server_options, handler).value();
    Result<Response> parked = fail(Errc::internal, "not sent");
    std::thread client([&] {
      ClientOptions options;
      options.total_timeout = 8000ms;
      parked = send(local(server->local_port()), get("/never"), options);
    });
    std::this_thread::sleep_for(300ms);
    const auto start = std::chrono::steady_clock::now();
    server->stop();
    CHECK(std::chrono::steady_clock::now() - start < 3000ms);
    client.join();
    REQUIRE(parked);
    CHECK(parked->status == 503);
    g_never.clear();
  }
}
