#pragma once
// What the benchmarks share: clocks, scratch files, the real binaries as child processes, and a
// host's signed publication. Header-only: each *_bench.cpp is its own executable.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <vps/crypto/signer.hpp>
#include <vps/formats/openssh/fingerprint.hpp>
#include <vps/formats/openssh/private_key.hpp>
#include <vps/protocol/signed_publication.hpp>

namespace vps::bench {

namespace fs = std::filesystem;

inline std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

inline std::int64_t unix_nanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

inline void write(const fs::path& path, const std::string& text,
                  fs::perms perms = fs::perms::owner_read | fs::perms::owner_write) {
  std::ofstream(path) << text;
  fs::permissions(path, perms);
}

inline std::string private_key_text(const crypto::Ed25519KeyPair& key) {
  formats::openssh::Ed25519PrivateKey k;
  k.seed = key.seed;
  k.public_key = key.public_key;
  auto text = formats::openssh::format_private_key(k);
  return std::string(text.begin(), text.end());
}

// Spawns argv with stdout to a pipe (*out, when given, else /dev/null) and stderr to /dev/null.
inline pid_t spawn(std::vector<std::string> args, int* out = nullptr) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) std::abort();
  const pid_t pid = fork();
  if (pid == 0) {
    const int null = open("/dev/null", O_WRONLY);
    dup2(out ? p[1] : null, 1);
    dup2(null, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(p[1]);
  if (out) *out = p[0];
  else close(p[0]);
  return pid;
}

// The port `vps-enroll serve --port 0` prints ("listening on http://127.0.0.1:PORT"); 0 when it
// did not say so within 20 s.
inline std::uint16_t read_port(int fd) {
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buffer[256];
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    line.append(buffer, static_cast<std::size_t>(n));
  }
  if (!line.starts_with("listening on http://127.0.0.1:")) return 0;
  return static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
}

// `vps-enroll serve` on 127.0.0.1 (any free port) with dir/enroll.db and dir/operators, and
// dir/serve.yaml when it exists. pid 0 when it did not start.
struct Endpoint {
  pid_t pid = 0;
  std::string url;  // http://127.0.0.1:PORT
};

inline Endpoint start_endpoint(const fs::path& dir) {
  std::vector<std::string> args{VPS_ENROLL_BIN};
  if (fs::exists(dir / "serve.yaml")) args.insert(args.end(), {"--config", (dir / "serve.yaml").string()});
  args.insert(args.end(), {"serve", "--listen", "127.0.0.1", "--port", "0", "--database", (dir / "enroll.db").string(),
                           "--operators", (dir / "operators").string()});
  int out = -1;
  Endpoint endpoint;
  endpoint.pid = spawn(args, &out);
  const std::uint16_t port = read_port(out);
  if (port == 0) {
    std::fprintf(stderr, "the endpoint did not start\n");
    endpoint.pid = 0;
    return endpoint;
  }
  endpoint.url = "http://127.0.0.1:" + std::to_string(port);
  return endpoint;
}

inline double percentile(std::vector<double> sorted, double q) {
  if (sorted.empty()) return 0;
  return sorted[static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1))];
}

// The signed publication a host's first boot sends (POST /v1/enrollments).
inline std::string publication_body(const crypto::Ed25519KeyPair& key, const std::string& hostname,
                                    const std::string& origin, const std::string& instance_id) {
  protocol::Publication p;
  p.endpoint = origin;
  p.hostname = hostname;
  p.instance_id = instance_id;
  p.ssh_public_key = protocol::ssh_public_key_field(key.public_key);
  p.age_recipient = protocol::age_recipient_for(key.public_key).value();
  p.fingerprint = formats::openssh::sha256_fingerprint(key.public_key);
  p.boot_id = "0f0e0d0c-0b0a-4908-8706-050403020100";
  p.timestamp = unix_now();
  p.nonce = protocol::new_nonce();
  return protocol::serialize(protocol::sign(p, crypto::SeedSigner(key.seed)).value());
}

}  // namespace vps::bench
