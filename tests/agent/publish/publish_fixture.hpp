#pragma once
// A relocated host for `vps-agent --root R publish`: host key, state.json, boot id, DMI serial
// and a config pointing at a loopback endpoint. Endpoints are servers started by the test.

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include <vps/crypto/curve25519.hpp>
#include <vps/formats/openssh/fingerprint.hpp>
#include <vps/host/identity/host_key.hpp>
#include <vps/host/state/state_store.hpp>
#include <vps/net/http/server.hpp>
#include <vps/protocol/signed_publication.hpp>

#include "test_support.hpp"

namespace vps::test {

struct PublishHost {
  TempDir dir;
  crypto::Ed25519Public public_key{};
  std::string fingerprint;

  std::filesystem::path root() const { return dir.path(); }
  std::filesystem::path state_dir() const { return dir / "var/lib/vps-agent"; }

  PublishHost() {
    auto keys = crypto::ed25519_generate();
    public_key = keys.public_key;
    fingerprint = formats::openssh::sha256_fingerprint(public_key);
    std::filesystem::create_directories(dir / "etc/ssh");
    formats::openssh::Ed25519PrivateKey key{keys.seed, keys.public_key, "root@test"};
    REQUIRE(host::identity::write_host_key(dir / "etc/ssh/ssh_host_ed25519_key", key));
    std::filesystem::create_directories(state_dir());
    host::state::State state;
    state.instance_id = "98765432";
    state.fingerprint = fingerprint;
    state.age_recipient = *protocol::age_recipient_for(public_key);
    state.created = "2026-11-27T00:00:00Z";
    REQUIRE(host::state::save_state(state_dir(), state));
    std::filesystem::create_directories(dir / "proc/sys/kernel/random");
    write_text(dir / "proc/sys/kernel/random/boot_id", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\n");
    std::filesystem::create_directories(dir / "sys/class/dmi/id");
    write_text(dir / "sys/class/dmi/id/product_serial", "98765432\n");
    std::filesystem::create_directories(dir / "etc/vps-agent");
    write_text(dir / "etc/hostname", "web-1\n");
  }

  // Fast retries so bounded tests stay short. `extra` is appended under enrollment:; an empty
  // endpoint leaves it unset (user-data may supply one).
  void configure(const std::string& endpoint, const std::string& enrollment_extra = "",
                 const std::string& metadata = "metadata:\n  enabled: false\n") {
    write_text(dir / "etc/vps-agent/config.yaml",
               "enrollment:\n" + (endpoint.empty() ? std::string() : "  endpoint: " + endpoint + "\n") +
                   enrollment_extra +
                   "  retry:\n    initial_delay: 100ms\n    max_delay: 300ms\n    attempt_timeout: 2s\n"
                   "    overall_timeout: 20s\n" +
                   metadata);
  }

  // Config paths are interpreted inside --root, so the CA goes there too.
  std::string install_ca(const std::filesystem::path& ca_file) {
    std::filesystem::copy_file(ca_file, dir / "etc/vps-agent/ca.pem");
    return "  ca_file: /etc/vps-agent/ca.pem\n";
  }

  ProcessResult publish(std::vector<std::string> extra = {}, std::vector<std::string> env = {}) const {
    std::vector<std::string> argv = {agent_binary().string(), "--root", root().string(), "publish"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    ProcessOptions options;
    options.env = std::move(env);
    options.timeout_seconds = 60;
    return run(argv, options);
  }

  host::state::State state() const {
    auto loaded = host::state::load_state(state_dir());
    REQUIRE(loaded);
    REQUIRE(*loaded);
    return **loaded;
  }
};

// Enrollment endpoint fake: answers each POST from a scripted list of statuses (the last one
// repeats), with `reply_body` or, when set, the scripted `reply_bodies` (the last one repeats)
// for 2xx, and keeps the bodies it received. A 429 carries Retry-After: 1.
struct FakeEndpoint {
  std::vector<unsigned> statuses;
  std::string reply_body = R"({"status":"approved"})";
  std::vector<std::string> reply_bodies;
  std::string refusal_body = "token unknown\n";
  std::atomic<int> requests{0};
  std::mutex mutex;
  std::vector<net::http::Request> received;
  std::unique_ptr<net::http::Server> server;

  explicit FakeEndpoint(std::vector<unsigned> scripted, net::http::ServerOptions options = {})
      : statuses(std::move(scripted)) {
    auto started = net::http::Server::start(options, [this](const net::http::Request& r) { return handle(r); });
    REQUIRE(started);
    server = std::move(*started);
  }

  std::string url(const char* scheme = "http") const {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(server->local_port());
  }

  net::http::Response handle(const net::http::Request& r) {
    std::lock_guard lock(mutex);
    const int n = requests++;
    received.push_back(r);
    if (r.method != "POST" || r.target != protocol::k_enrollments_path) return net::http::Response::text(404, "no\n");
    const unsigned status = statuses[std::min<std::size_t>(static_cast<std::size_t>(n), statuses.size() - 1)];
    if (status / 100 == 2) {
      if (reply_bodies.empty()) return net::http::Response::json(status, reply_body);
      return net::http::Response::json(status, reply_bodies[std::min<std::size_t>(static_cast<std::size_t>(n),
                                                                                   reply_bodies.size() - 1)]);
    }
    auto response = net::http::Response::text(status, status / 100 == 4 ? refusal_body : "busy\n");
    if (status == 429) response.headers.push_back({"Retry-After", "1"});
    return response;
  }

  protocol::SignedPublication last_publication() {
    std::lock_guard lock(mutex);
    REQUIRE(!received.empty());
    auto parsed = protocol::parse_signed_publication(received.back().body);
    REQUIRE(parsed);
    REQUIRE(protocol::verify(*parsed));
    return *parsed;
  }
};

// Receives sd_notify datagrams on a socket in a temp dir (NOTIFY_SOCKET=<path>).
struct NotifyListener {
  TempDir dir;
  int fd = -1;
  std::string path;

  NotifyListener() {
    path = (dir / "notify").string();
    fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    REQUIRE(path.size() < sizeof address.sun_path);
    std::copy(path.begin(), path.end(), address.sun_path);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  }
  ~NotifyListener() { ::close(fd); }

  std::vector<std::string> drain() const {
    std::vector<std::string> messages;
    char buffer[4096];
    for (int i = 0; i < 1000; ++i) {
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n <= 0) break;
      messages.emplace_back(buffer, static_cast<std::size_t>(n));
    }
    return messages;
  }
};

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace vps::test
