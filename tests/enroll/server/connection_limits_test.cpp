// Connection floods against the real `vps-enroll serve` (issue 16, item 5). Silent connections
// from one loopback address (more than the per-address cap) and from several (more than the
// global max_connections the test configures) must not lock out an operator, a publishing host
// or an approved host's parked long poll, and the server must drop every silent connection
// within its first-byte deadline (10 s by default), separate from the long idle and request
// timeouts the test configures (60 s and 30 s). The whole of 127.0.0.0/8 is loopback, so
// binding the client side to 127.0.0.2..7 gives each flood its own source address.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <future>
#include <sstream>

#include "loopback_fakes.hpp"
#include "server_fixture.hpp"

using namespace vps::test;
using namespace vps::test::enroll;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// The limits under test: a global cap small enough to flood, the shipped defaults otherwise.
constexpr int k_max_connections = 64;
constexpr int k_from_one_address = 48;     // more than the default per-address cap (32)
constexpr int k_from_each_other = 12;      // from 127.0.0.3 .. 127.0.0.6
constexpr double k_deadline_bound = 18.0;  // default first-byte/header deadline 10 s, generous
constexpr auto k_wait_for_close = 25s;     // old behaviour (30 s, 60 s) cannot pass inside this

// A client connection from `source` that sends `bytes` once and then stays silent.
struct Held {
  std::string source;
  bool partial = false;  // sent the start of a request (or of a ClientHello)
  int fd = -1;
  Clock::time_point opened;
  std::optional<double> closed_after;  // seconds until the server closed it
};

Held open_from(const std::string& source, std::uint16_t port, const std::string& bytes = "") {
  Held held{source, !bytes.empty(), socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), Clock::now(), std::nullopt};
  REQUIRE(held.fd >= 0);
  timeval timeout{3, 0};  // bounds connect() and the write below
  setsockopt(held.fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  inet_pton(AF_INET, source.c_str(), &local.sin_addr);
  REQUIRE(bind(held.fd, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0);
  sockaddr_in remote{};
  remote.sin_family = AF_INET;
  remote.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
  REQUIRE(connect(held.fd, reinterpret_cast<sockaddr*>(&remote), sizeof remote) == 0);
  if (!bytes.empty()) REQUIRE(write(held.fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  held.opened = Clock::now();
  return held;
}

// Waits (at most `limit`) until the server has closed every held connection, noting when.
void wait_until_closed(std::vector<Held>& held, std::chrono::seconds limit) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    std::vector<pollfd> fds;
    std::vector<Held*> open;
    for (auto& h : held) {
      if (h.closed_after) continue;
      fds.push_back(pollfd{h.fd, POLLIN, 0});
      open.push_back(&h);
    }
    if (fds.empty()) return;
    if (poll(fds.data(), fds.size(), 100) <= 0) continue;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      char buffer[512];
      const ssize_t n = recv(fds[i].fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR))) continue;  // data (an alert): not closed yet
      open[i]->closed_after = seconds(Clock::now() - open[i]->opened);
    }
  }
}

struct CloseTimes {
  std::size_t closed = 0, at_once = 0;  // at once: refused or evicted (< 1 s)
  double max = 0;
};

CloseTimes summarize(const std::vector<Held>& held, bool partial) {
  CloseTimes t;
  for (const auto& h : held) {
    if (h.partial != partial || !h.closed_after) continue;
    ++t.closed;
    if (*h.closed_after < 1.0) ++t.at_once;
    t.max = std::max(t.max, *h.closed_after);
  }
  return t;
}

// The flood, run against a plain-HTTP or an HTTPS endpoint (`f`, started with
// max_connections 64 and its server log in `log`); `held` already holds partial requests
// (cut by the short deadlines too), the flood is added to it.
void flood_keeps_endpoint_usable(ServerFixture& f, const std::filesystem::path& log, std::vector<Held> held) {
  const auto web = key_pair();
  REQUIRE(f.publish(web, "web1").status == 202);
  REQUIRE(f.signed_as(f.alice, "POST", "/v1/hosts/web1/approve").status == 200);
  // An approved host parks a long poll first; it must ride out the flood (204 after its wait).
  auto parked = std::async(std::launch::async, [&f, &web] {
    const auto start = Clock::now();
    auto response = f.try_send(f.sign(web, "GET", "/v1/hosts/web1/rebuilds/next?wait=8"));
    return std::make_pair(response ? response->status : -1, seconds(Clock::now() - start));
  });
  std::this_thread::sleep_for(500ms);

  const auto port = f.server->port();
  const std::size_t partial_count = held.size();
  for (int i = 0; i < k_from_one_address; ++i) held.push_back(open_from("127.0.0.2", port));
  for (int a = 3; a <= 6; ++a) {
    for (int i = 0; i < k_from_each_other; ++i) held.push_back(open_from("127.0.0." + std::to_string(a), port));
  }
  const std::size_t flood_count = held.size() - partial_count;
  std::this_thread::sleep_for(300ms);  // the server accepts them all

  // While the flood is held: the operator, a host reading its status, a host enrolling.
  const auto list_start = Clock::now();
  auto list = f.cli({"list"});
  const double list_seconds = seconds(Clock::now() - list_start);
  CHECK_MESSAGE(list.exit_code == 0, "vps-enroll list under the flood: " << list.err);
  auto status = f.try_send(f.sign(web, "GET", "/v1/hosts/web1/status"));
  CHECK_MESSAGE((status && status->status == 200), (status ? std::to_string(status->status) : status.error().message));
  auto enrolled = f.try_send(publish_request(publication_body(key_pair(), "new1", unix_now(), {}, f.origin())));
  CHECK_MESSAGE((enrolled && enrolled->status == 202),
                (enrolled ? std::to_string(enrolled->status) : enrolled.error().message));

  wait_until_closed(held, k_wait_for_close);
  const auto silent = summarize(held, false);
  const auto partial = summarize(held, true);
  MESSAGE("flood of " << flood_count << " silent connections (max_connections " << k_max_connections
                      << "): vps-enroll list took " << list_seconds << " s; " << silent.closed << " closed ("
                      << silent.at_once << " at once: refused or evicted), the last after " << silent.max
                      << " s; partial requests: " << partial.closed << "/" << partial_count
                      << " closed, the last after " << partial.max << " s");
  CHECK(silent.closed == flood_count);
  CHECK(silent.max < k_deadline_bound);
  CHECK(partial.closed == partial_count);
  CHECK(partial.max < k_deadline_bound);
  // One address over its cap is refused at once: at least the connections beyond 32.
  CHECK(silent.at_once >= static_cast<std::size_t>(k_from_one_address - 32));

  const auto [poll_status, poll_seconds] = parked.get();
  CHECK(poll_status == 204);
  CHECK(poll_seconds > 7.0);
  CHECK(f.cli({"list"}).exit_code == 0);

  // The limits are logged with the address, rate-limited: a handful of lines, not one per
  // refused connection.
  f.server->stop();
  const std::string text = read_text(log);
  std::istringstream lines(text);
  std::string line;
  int limit_lines = 0;
  bool names_flooder = false;
  while (std::getline(lines, line)) {
    if (line.find("http server:") == std::string::npos || line.find("max_connections") == std::string::npos) continue;
    ++limit_lines;
    names_flooder = names_flooder || line.find("127.0.0.2") != std::string::npos;
    MESSAGE("server log: " << line);
  }
  MESSAGE(limit_lines << " connection-limit log lines");
  CHECK(names_flooder);
  CHECK(limit_lines >= 1);
  CHECK(limit_lines <= 8);

  for (auto& h : held) close(h.fd);
}

// serve.yaml with a global cap small enough to flood; the server's log kept for the checks.
ServerProcess::Files flood_files(const TempDir& dir) {
  write_text(dir / "serve.yaml", "max_connections: " + std::to_string(k_max_connections) + "\n");
  return {dir / "serve.yaml", dir / "server.log"};
}

// Long idle and request timeouts, so only the short first-byte and header deadlines can explain
// a quick close.
std::vector<std::string> flood_args() { return {"--request-timeout", "30", "--idle-timeout", "60"}; }

}  // namespace

TEST_SUITE("enroll::server::connection limits") {
  TEST_CASE("HTTPS: a flood of connections that never send a ClientHello locks nobody out") {
    TempDir setup;
    auto certs = make_test_certs(setup.path(), "flood");
    if (!certs) VPS_SKIP("openssl CLI unavailable");
    auto args = flood_args();
    args.insert(args.end(), {"--tls-cert", certs->server_cert.string(), "--tls-key", certs->server_key.string()});
    ServerFixture f(args, certs->ca_cert, flood_files(setup));
    REQUIRE(f.server->url().starts_with("https://"));
    // A ClientHello that starts (record header, handshake type) and never finishes.
    std::vector<Held> partial;
    partial.push_back(open_from("127.0.0.7", f.server->port(), std::string("\x16\x03\x01\x00\xc8\x01", 6)));
    flood_keeps_endpoint_usable(f, setup / "server.log", std::move(partial));
  }

  TEST_CASE("HTTP: a flood of connections that never send a byte locks nobody out") {
    TempDir setup;
    ServerFixture f(flood_args(), std::nullopt, flood_files(setup));
    // A request whose headers never end.
    std::vector<Held> partial;
    partial.push_back(open_from("127.0.0.7", f.server->port(), "GET /v1/hosts HTTP/1.1\r\nHost: x\r\n"));
    flood_keeps_endpoint_usable(f, setup / "server.log", std::move(partial));
  }
}
