// The server's deadlines and connection limits, with raw sockets on 127.0.0.0/8 (a client bound to
// 127.0.0.2 is another source address); every wait is bounded.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include <vps/net/http/client.hpp>
#include <vps/net/http/server.hpp>

#include "test_support.hpp"

using namespace vps;
using namespace vps::net::http;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

Response echo(const Request& request) { return Response::text(200, request.method + " " + request.target); }

// One client connection from `source` to 127.0.0.1:port.
class RawClient {
 public:
  RawClient(std::uint16_t port, const char* source = "127.0.0.1") : m_fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    REQUIRE(m_fd >= 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    inet_pton(AF_INET, source, &local.sin_addr);
    REQUIRE(bind(m_fd, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0);
    sockaddr_in remote{};
    remote.sin_family = AF_INET;
    remote.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
    REQUIRE(connect(m_fd, reinterpret_cast<sockaddr*>(&remote), sizeof remote) == 0);
    m_opened = Clock::now();
  }
  ~RawClient() { close(m_fd); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  void send(const std::string& bytes) {
    REQUIRE(::send(m_fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size()));
  }

  // Reads for at most `limit`, until the server closes the connection or, when `until` is
  // given, until the data read so far contains it.
  struct Read {
    std::string data;
    bool closed = false;
    double seconds = 0;  // since the connection was opened
  };
  Read read(std::chrono::milliseconds limit, const std::string& until = "") {
    Read result;
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      if (!until.empty() && result.data.find(until) != std::string::npos) break;
      pollfd p{m_fd, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0) continue;
      char buffer[1024];
      const ssize_t n = recv(m_fd, buffer, sizeof buffer, 0);
      if (n <= 0) {
        result.closed = true;
        break;
      }
      result.data.append(buffer, static_cast<std::size_t>(n));
    }
    result.seconds = seconds_since(m_opened);
    return result;
  }

 private:
  int m_fd;
  Clock::time_point m_opened;
};

void wait_for_connections(const Server& server, std::size_t count) {
  for (int i = 0; i < 400 && server.connection_count() != count; ++i) std::this_thread::sleep_for(5ms);
  REQUIRE(server.connection_count() == count);
}

ClientOptions fast_client() {
  ClientOptions options;
  options.connect_timeout = 2000ms;
  options.io_timeout = 2000ms;
  options.total_timeout = 3000ms;
  return options;
}

Url local(std::uint16_t port) { return parse_url("http://127.0.0.1:" + std::to_string(port)).value(); }

const std::string k_get = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";

}  // namespace

TEST_SUITE("net::http::Server limits") {
  TEST_CASE("a new connection that sends nothing is closed after first_byte_timeout, not idle_timeout") {
    ServerOptions options;
    options.first_byte_timeout = 200ms;
    options.idle_timeout = 30000ms;
    auto server = Server::start(options, echo).value();
    RawClient silent(server->local_port());
    const auto read = silent.read(5000ms);
    CHECK(read.closed);
    CHECK(read.data.empty());
    CHECK(read.seconds < 3.0);
  }

  TEST_CASE("a kept-alive connection waits idle_timeout for its next request") {
    ServerOptions options;
    options.first_byte_timeout = 200ms;
    options.idle_timeout = 1500ms;
    auto server = Server::start(options, echo).value();
    RawClient client(server->local_port());
    client.send(k_get);
    CHECK(client.read(3000ms, "GET /a").data.starts_with("HTTP/1.1 200"));
    std::this_thread::sleep_for(600ms);  // beyond first_byte_timeout
    client.send(k_get);
    const auto second = client.read(3000ms, "GET /a");
    CHECK(second.data.starts_with("HTTP/1.1 200"));
    const auto idle_from = Clock::now();
    const auto end = client.read(5000ms);
    CHECK(end.closed);
    CHECK(seconds_since(idle_from) > 1.0);
    CHECK(seconds_since(idle_from) < 4.0);
  }

  TEST_CASE("a request header must end within header_timeout: its body has request_timeout") {
    ServerOptions options;
    options.header_timeout = 300ms;
    options.request_timeout = 10000ms;
    auto server = Server::start(options, echo).value();
    RawClient slow_header(server->local_port());
    slow_header.send("GET /a HTTP/1.1\r\nHost: x\r\n");
    const auto cut = slow_header.read(5000ms);
    CHECK(cut.closed);
    CHECK(cut.seconds < 3.0);
    // A complete header, then a body that takes longer than header_timeout: served.
    RawClient slow_body(server->local_port());
    slow_body.send("POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab");
    std::this_thread::sleep_for(800ms);
    slow_body.send("cd");
    CHECK(slow_body.read(3000ms, "POST /b").data.starts_with("HTTP/1.1 200"));
  }

  TEST_CASE("when full, the longest-idle connection makes room for a new client") {
    ServerOptions options;
    options.max_connections = 2;
    auto server = Server::start(options, echo).value();
    RawClient oldest(server->local_port());
    wait_for_connections(*server, 1);
    RawClient newer(server->local_port());
    wait_for_connections(*server, 2);
    auto response = send(local(server->local_port()), Request{}, fast_client());
    REQUIRE(response);
    CHECK(response->status == 200);
    const auto evicted = oldest.read(2000ms);
    CHECK(evicted.closed);
    CHECK(evicted.data.empty());
    CHECK_FALSE(newer.read(300ms).closed);
  }

  TEST_CASE("when full and every connection is busy, a new one is refused") {
    ServerOptions options;
    options.max_connections = 1;
    std::atomic<bool> parked{false};
    // Parks every request (the Responder is dropped, so the request waits until stop()).
    auto server = Server::start_async(options, [&parked](const Request&, Responder) { parked = true; }).value();
    RawClient busy(server->local_port());
    busy.send(k_get);
    for (int i = 0; i < 400 && !parked; ++i) std::this_thread::sleep_for(5ms);
    REQUIRE(parked);
    auto refused = send(local(server->local_port()), Request{}, fast_client());
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == Errc::retry);
    server->stop();
    CHECK(busy.read(2000ms, "\r\n\r\n").data.starts_with("HTTP/1.1 503"));
  }

  TEST_CASE("an address at its cap is refused at once: other addresses are served") {
    ServerOptions options;
    options.max_connections_per_address = 2;
    auto server = Server::start(options, echo).value();
    RawClient first(server->local_port(), "127.0.0.2");
    RawClient second(server->local_port(), "127.0.0.2");
    wait_for_connections(*server, 2);
    RawClient third(server->local_port(), "127.0.0.2");
    const auto refused = third.read(2000ms);
    CHECK(refused.closed);
    CHECK(refused.seconds < 1.0);
    RawClient other(server->local_port(), "127.0.0.3");
    other.send(k_get);
    CHECK(other.read(3000ms, "GET /a").data.starts_with("HTTP/1.1 200"));
    auto response = send(local(server->local_port()), Request{}, fast_client());
    REQUIRE(response);
    CHECK(response->status == 200);
    CHECK_FALSE(first.read(100ms).closed);
  }

  TEST_CASE("limits and timeouts must be positive") {
    ServerOptions per_address;
    per_address.max_connections_per_address = 0;
    auto refused = Server::start(per_address, echo);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == Errc::config);
    ServerOptions header;
    header.header_timeout = 0ms;
    auto no_header = Server::start(header, echo);
    REQUIRE_FALSE(no_header);
    CHECK(no_header.error().code == Errc::config);
  }
}
