// Benchmark: a fleet rollout (vps-enroll rebuild --hosts ... --batch B) to N scratch hosts, each
// a real `vps-agent watch` process long-polling the real `vps-enroll serve` on 127.0.0.1, every
// rebuild command a `sleep` of C seconds. The reference is the command itself: a perfect
// orchestrator needs ceil(N / B) * C. Prints the total, that reference, their ratio, and the
// overhead per host beyond the command. Bounded: the CLI's own timeouts, agents' --max-time.
//
//   enroll_fleet_rollout_bench [--hosts N (50)] [--batch B (10)] [--command-seconds C (1)]
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <signal.h>
#include <sys/wait.h>

#include "bench_support.hpp"

#include <vps/net/api/signed_client.hpp>
#include <vps/net/http/client.hpp>

using namespace vps::bench;

int main(int argc, char** argv) {
  int hosts = 50, batch = 10;
  double command_seconds = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--hosts") hosts = std::clamp(std::atoi(argv[i + 1]), 1, 200);
    else if (flag == "--batch") batch = std::clamp(std::atoi(argv[i + 1]), 1, 200);
    else if (flag == "--command-seconds") command_seconds = std::clamp(std::atof(argv[i + 1]), 0.0, 30.0);
  }
  const fs::path dir = fs::temp_directory_path() / ("fleet-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  auto alice = vps::crypto::ed25519_generate();
  write(dir / "operators", vps::protocol::ssh_public_key_field(alice.public_key) + " alice\n");
  write(dir / "alice.key", private_key_text(alice));
  write(dir / "rebuild.sh", "#!/bin/sh\nsleep " + std::to_string(command_seconds) + "\n", fs::perms::owner_all);

  // Every scratch host is 127.0.0.1 here, where a real fleet has one address per host: lift the
  // per-address limits that would otherwise (rightly) refuse the 33rd agent and the 31st publish.
  write(dir / "serve.yaml", "max_connections_per_address: 1024\npublish_rate_per_minute: 6000\npublish_burst: 1000\n"
                            "max_pending_per_address: 1000\n");
  const Endpoint serving = start_endpoint(dir);
  if (serving.pid == 0) return 1;
  const pid_t server = serving.pid;
  const std::string endpoint = serving.url;
  auto url = vps::net::http::parse_url(endpoint).value();
  vps::net::api::SignedClient op(url, vps::net::api::load_signing_key(dir / "alice.key").value(), {});

  // N hosts: publish, approve, and start each one's agent.
  std::vector<pid_t> agents;
  std::string list;
  for (int i = 0; i < hosts; ++i) {
    const std::string name = "node" + std::to_string(i);
    auto key = vps::crypto::ed25519_generate();
    vps::net::http::Request publish;
    publish.method = "POST";
    publish.target = "/v1/enrollments";
    publish.body = publication_body(key, name, url.origin(), std::to_string(1000 + i));
    (void)vps::net::http::send(url, publish, {});
    if (!op.call_json("POST", "/v1/hosts/" + name + "/approve")) {
      std::fprintf(stderr, "approve %s failed\n", name.c_str());
      return 1;
    }
    const fs::path root = dir / name;
    fs::create_directories(root / "etc/ssh");
    fs::create_directories(root / "etc/vps-agent");
    write(root / "etc/ssh/ssh_host_ed25519_key", private_key_text(key));
    write(root / "etc/hostname", name + "\n");
    write(root / "etc/vps-agent/config.yaml",
          "enrollment:\n  endpoint: " + endpoint + "\nauthorized_operators:\n  - " +
              vps::protocol::ssh_public_key_field(alice.public_key) + " alice\nrebuild:\n  command: [" +
              (dir / "rebuild.sh").string() + "]\n  poll_wait: 25s\n");
    agents.push_back(spawn({VPS_AGENT_BIN, "--root", root.string(), "watch", "--max-requests", "1", "--max-time", "600"}));
    list += (i ? "," : "") + name;
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));  // every agent's first long poll is parked

  const auto t0 = std::chrono::steady_clock::now();
  const pid_t cli = spawn({VPS_ENROLL_BIN, "rebuild", "--hosts", list, "--batch", std::to_string(batch), "--endpoint",
                           endpoint, "--key", (dir / "alice.key").string(), "--pickup-timeout", "60s", "--wait-timeout",
                           "120s"});
  int status = 0;
  waitpid(cli, &status, 0);
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  for (pid_t agent : agents) kill(agent, SIGTERM);
  for (pid_t agent : agents) waitpid(agent, nullptr, 0);
  kill(server, SIGTERM);
  waitpid(server, nullptr, 0);
  fs::remove_all(dir);

  const int batches = (hosts + batch - 1) / batch;
  const double reference = batches * command_seconds;
  std::printf("fleet rollout: %d hosts (agents as processes on loopback), batch %d, command sleep %.2f s\n", hosts,
              batch, command_seconds);
  std::printf("  rollout exit status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  std::printf("  total %.2f s; reference (the commands alone, %d batches) %.2f s; ratio %.2f\n", total, batches,
              reference, reference > 0 ? total / reference : 0.0);
  std::printf("  overhead beyond the command: %.3f s per batch, %.3f s per host\n", (total - reference) / batches,
              (total - reference) / hosts);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
