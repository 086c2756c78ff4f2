// The client and the server together on 127.0.0.1 with ephemeral ports; every wait bounded.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <boost/asio/write.hpp>

#include <vps/net/http/client.hpp>
#include <vps/net/http/server.hpp>

#include "loopback_fakes.hpp"
#include "test_support.hpp"

using namespace vps;
using namespace vps::net::http;
using namespace std::chrono_literals;

namespace {

Url local_url(const char* scheme, std::uint16_t port, const char* host = "127.0.0.1") {
  auto url = parse_url(std::string(scheme) + "://" + host + ":" + std::to_string(port));
  REQUIRE(url);
  return *url;
}

Response echo(const Request& request) {
  Response response = Response::text(200, request.method + " " + request.target + " " + request.body);
  if (auto h = request.header("x-test")) response.headers.push_back({"X-Echo", std::string(*h)});
  return response;
}

ClientOptions fast_client() {
  ClientOptions options;
  options.connect_timeout = 2000ms;
  options.io_timeout = 2000ms;
  options.total_timeout = 3000ms;
  return options;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_SUITE("net::http::Server") {
  TEST_CASE("serves a request on an ephemeral loopback port") {
    auto server = Server::start({}, echo);
    REQUIRE(server);
    REQUIRE((*server)->local_port() != 0);
    Request request;
    request.method = "POST";
    request.target = "/v1/things";
    request.body = "hello";
    request.headers.push_back({"X-Test", "42"});
    auto response = send(local_url("http", (*server)->local_port()), request, fast_client());
    REQUIRE(response);
    CHECK(response->status == 200);
    CHECK(response->body == "POST /v1/things hello");
    CHECK(response->header("x-echo") == "42");
  }
  TEST_CASE("answers 413 for a body over the limit") {
    ServerOptions options;
    options.max_body_bytes = 10;
    auto server = Server::start(options, echo);
    REQUIRE(server);
    Request request;
    request.method = "POST";
    request.body = std::string(100, 'x');
    auto response = send(local_url("http", (*server)->local_port()), request, fast_client());
    REQUIRE(response);
    CHECK(response->status == 413);
  }
  TEST_CASE("a huge announced Content-Length is refused from the header alone") {
    auto server = Server::start({}, echo);
    REQUIRE(server);
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket socket(ioc);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), (*server)->local_port()});
    timeval timeout{5, 0};
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    const std::string head = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000000\r\n\r\nabc";
    boost::asio::write(socket, boost::asio::buffer(head));
    char buffer[512] = {};
    boost::system::error_code ec;
    const auto n = socket.read_some(boost::asio::buffer(buffer), ec);
    CHECK(std::string(buffer, n).starts_with("HTTP/1.1 413"));
  }
  TEST_CASE("a throwing handler becomes 500") {
    auto server = Server::start({}, [](const Request&) -> Response { throw std::runtime_error("boom"); });
    REQUIRE(server);
    auto response = send(local_url("http", (*server)->local_port()), Request{}, fast_client());
    REQUIRE(response);
    CHECK(response->status == 500);
  }
  TEST_CASE("stop() is graceful and bounded with an idle client attached") {
    auto server = Server::start({}, echo);
    REQUIRE(server);
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket idle(ioc);
    idle.connect({boost::asio::ip::make_address("127.0.0.1"), (*server)->local_port()});
    for (int i = 0; i < 200 && (*server)->connection_count() < 1; ++i) std::this_thread::sleep_for(5ms);
    const auto start = std::chrono::steady_clock::now();
    (*server)->stop();
    CHECK(seconds_since(start) < 2.0);
    CHECK((*server)->connection_count() == 0);
    (*server)->stop();  // idempotent
  }
  TEST_CASE("rejects half-configured TLS and bad files") {
    ServerOptions options;
    options.cert_file = "/nonexistent/cert.pem";
    auto server = Server::start(options, echo);
    REQUIRE_FALSE(server);
    CHECK(server.error().code == Errc::config);
    options.key_file = "/nonexistent/key.pem";
    server = Server::start(options, echo);
    REQUIRE_FALSE(server);
    CHECK(server.error().code == Errc::config);
  }
}

TEST_SUITE("net::http::Client") {
  TEST_CASE("refuses plain http to a non-loopback host before sending anything") {
    // 192.0.2.1 is TEST-NET-1: never routed. The check must fail without a connection
    // attempt, so it returns at once with Errc::config rather than timing out.
    auto url = parse_url("http://192.0.2.1:8080");
    REQUIRE(url);
    const auto start = std::chrono::steady_clock::now();
    auto response = send(*url, Request{}, fast_client());
    REQUIRE_FALSE(response);
    CHECK(response.error().code == Errc::config);
    CHECK(response.error().message.find("refusing plain http://") != std::string::npos);
    CHECK(seconds_since(start) < 0.5);
    CHECK(check_destination(*url, fast_client()).error().code == Errc::config);
    ClientOptions insecure = fast_client();
    insecure.allow_insecure = true;
    CHECK(check_destination(*url, insecure));
    auto metadata = parse_url("http://169.254.169.254");
    ClientOptions link_local = fast_client();
    CHECK_FALSE(check_destination(*metadata, link_local));
    link_local.allow_link_local_http = true;
    CHECK(check_destination(*metadata, link_local));
  }
  TEST_CASE("connection refused is retryable") {
    std::uint16_t port = 0;
    {
      auto server = Server::start({}, echo);
      REQUIRE(server);
      port = (*server)->local_port();
    }  // closed again: nothing listens there now
    auto response = send(local_url("http", port), Request{}, fast_client());
    REQUIRE_FALSE(response);
    CHECK(response.error().code == Errc::retry);
  }
  TEST_CASE("a reset connection is retryable") {
    test::RawTcpServer fake(test::RawTcpServer::Mode::reset);
    auto response = send(local_url("http", fake.port()), Request{}, fast_client());
    REQUIRE_FALSE(response);
    CHECK(response.error().code == Errc::retry);
  }
  TEST_CASE("a stalled server hits the read deadline") {
    test::RawTcpServer fake(test::RawTcpServer::Mode::stall);
    ClientOptions options = fast_client();
    options.io_timeout = 300ms;
    const auto start = std::chrono::steady_clock::now();
    auto response = send(local_url("http", fake.port()), Request{}, options);
    REQUIRE_FALSE(response);
    CHECK(response.error().code == Errc::timeout);
    CHECK(response.error().message.find("waiting for the response") != std::string::npos);
    CHECK(seconds_since(start) < 2.0);
  }
  TEST_CASE("response bodies over the cap are rejected") {
    auto server = Server::start({}, [](const Request&) { return Response::text(200, std::string(5000, 'x')); });
    REQUIRE(server);
    ClientOptions options = fast_client();
    options.max_body_bytes = 1000;
    auto response = send(local_url("http", (*server)->local_port()), Request{}, options);
    if (response) MESSAGE("status " << response->status << " body " << response->body.size());
    REQUIRE_FALSE(response);
    CHECK(response.error().code == Errc::malformed);
  }
  TEST_CASE("https with a CA file, by IP and by name") {
    test::TempDir dir;
    auto certs = test::make_test_certs(dir.path(), "good");
    if (!certs) VPS_SKIP("openssl CLI unavailable");
    ServerOptions options;
    options.cert_file = certs->server_cert;
    options.key_file = certs->server_key;
    auto server = Server::start(options, echo);
    REQUIRE(server);
    CHECK((*server)->tls());
    ClientOptions client = fast_client();
    client.ca_file = certs->ca_cert;
    auto by_ip = send(local_url("https", (*server)->local_port()), Request{}, client);
    REQUIRE(by_ip);
    CHECK(by_ip->status == 200);
    auto by_name = send(local_url("https", (*server)->local_port(), "localhost"), Request{}, client);
    REQUIRE(by_name);
    CHECK(by_name->status == 200);
  }
  TEST_CASE("https with an untrusted certificate fails verification clearly") {
    test::TempDir dir;
    auto trusted = test::make_test_certs(dir.path(), "trusted");
    auto other = test::make_test_certs(dir.path(), "other");
    if (!trusted || !other) VPS_SKIP("openssl CLI unavailable");
    ServerOptions options;
    options.cert_file = other->server_cert;
    options.key_file = other->server_key;
    auto server = Server::start(options, echo);
    REQUIRE(server);
    ClientOptions client = fast_client();
    client.ca_file = trusted->ca_cert;
    auto response = send(local_url("https", (*server)->local_port()), Request{}, client);
    REQUIRE_FALSE(response);
    CHECK(response.error().code == Errc::integrity);
    CHECK(response.error().message.find("not trusted") != std::string::npos);
  }
  TEST_CASE("https to a name the certificate does not cover fails verification") {
    test::TempDir dir;
    auto certs = test::make_test_certs(dir.path(), "good");
    if (!certs) VPS_SKIP("openssl CLI unavailable");
    ServerOptions options;
    options.address = "127.0.0.2";
    options.cert_file = certs->server_cert;
    options.key_file = certs->server_key;
    auto server = Server::start(options, echo);
    REQUIRE(server);
    ClientOptions client = fast_client();
    client.ca_file = certs->ca_cert;
    // 127.0.0.2 is loopback but not in the certificate's SANs.
    auto response = send(local_url("https", (*server)->local_port(), "127.0.0.2"), Request{}, client);
    REQUIRE_FALSE(response);
    CHECK(response.error().code == Errc::integrity);
  }
  TEST_CASE("a missing CA file is a configuration error") {
    auto server = Server::start({}, echo);
    REQUIRE(server);
    ClientOptions client = fast_client();
    client.ca_file = "/nonexistent/ca.pem";
    auto response = send(local_url("https", (*server)->local_port()), Request{}, client);
    REQUIRE_FALSE(response);
    CHECK(response.error().code == Errc::config);
  }
}
