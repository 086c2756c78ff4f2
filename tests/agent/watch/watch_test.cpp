// `vps-agent watch` refusing to start on a configuration it cannot run safely (exit 78, 66
// or 65, as the unit's RestartPreventExitStatus expects), before any network traffic; and what
// `vps-agent status` says about the rebuild guard.
#include <nlohmann/json.hpp>

#include <vps/formats/openssh/private_key.hpp>
#include <vps/net/http/server.hpp>
#include <vps/protocol/publication.hpp>

#include "test_support.hpp"

using namespace vps;
using namespace vps::test;

namespace {

struct Host {
  TempDir dir;
  std::filesystem::path root = dir / "root";

  Host() {
    std::filesystem::create_directories(root / "etc/ssh");
    std::filesystem::create_directories(root / "etc/vps-agent");
    write_text(root / "etc/hostname", "web1\n");
    auto key = crypto::ed25519_generate();
    formats::openssh::Ed25519PrivateKey k;
    k.seed = key.seed;
    k.public_key = key.public_key;
    auto text = formats::openssh::format_private_key(k);
    write_text(root / "etc/ssh/ssh_host_ed25519_key", std::string(text.begin(), text.end()));
    std::filesystem::permissions(root / "etc/ssh/ssh_host_ed25519_key", std::filesystem::perms::owner_read);
  }

  ProcessResult watch(const std::string& config) {
    write_text(root / "etc/vps-agent/config.yaml", config);
    ProcessOptions options;
    options.timeout_seconds = 20;
    return run({agent_binary().string(), "--root", root.string(), "watch", "--max-time", "2"}, options);
  }
};

// Runs argv with stderr in `log` and JOURNAL_STREAM naming that file, so the program writes
// journal lines ("<N>message"), as it does under systemd (see base/log.cpp).
ProcessResult run_as_journal_service(std::vector<std::string> argv, const std::filesystem::path& log) {
  std::vector<std::string> wrapped = {"sh", "-c",
                                      "f=$1; shift; : > \"$f\"; JOURNAL_STREAM=$(stat -L -c %d:%i \"$f\") "
                                      "exec \"$@\" 2>>\"$f\"",
                                      "sh", log.string()};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  ProcessOptions options;
  options.timeout_seconds = 30;
  return run(wrapped, options);
}

std::string operator_line() {
  return protocol::ssh_public_key_field(crypto::ed25519_generate().public_key) + " alice";
}

}  // namespace

TEST_SUITE("agent::watch") {
  TEST_CASE("no rebuild command configured: exit 78") {
    Host h;
    auto r = h.watch("enrollment:\n  endpoint: http://127.0.0.1:9\n");
    CHECK(r.exit_code == 78);
    CHECK(r.err.find("no command configured") != std::string::npos);
  }

  TEST_CASE("a shell string as command: exit 78") {
    Host h;
    auto r = h.watch("enrollment:\n  endpoint: http://127.0.0.1:9\nrebuild:\n  command: \"/bin/sh -c 'x'\"\n");
    CHECK(r.exit_code == 78);
    CHECK(r.err.find("never a shell string") != std::string::npos);
  }

  TEST_CASE("no authorized operators: exit 78") {
    Host h;
    auto r = h.watch("enrollment:\n  endpoint: http://127.0.0.1:9\nrebuild:\n  command: [/bin/true]\n");
    CHECK(r.exit_code == 78);
    CHECK(r.err.find("no authorized operators") != std::string::npos);
  }

  TEST_CASE("a corrupt replay guard stops it: exit 65") {
    Host h;
    std::filesystem::create_directories(h.root / "var/lib/vps-agent");
    write_text(h.root / "var/lib/vps-agent/rebuild-sequence", "garbage\n");
    auto r = h.watch("enrollment:\n  endpoint: http://127.0.0.1:9\nrebuild:\n  command: [/bin/true]\n"
                     "authorized_operators:\n  - " + operator_line() + "\n");
    CHECK(r.exit_code == 65);
    CHECK(r.err.find("corrupt") != std::string::npos);
  }

  TEST_CASE("status shows the rebuild guard: none yet, the last applied sequence, or blocked") {
    Host h;
    auto status = [&] {
      auto r = run({agent_binary().string(), "--root", h.root.string(), "status"});
      auto j = run({agent_binary().string(), "--root", h.root.string(), "status", "--json"});
      REQUIRE(r.exit_code == 0);
      REQUIRE(j.exit_code == 0);
      return std::make_pair(r.out, nlohmann::json::parse(j.out)["rebuilds"]);
    };
    write_text(h.root / "etc/vps-agent/config.yaml", "secrets:\n  files: []\n");
    auto [text, json] = status();
    CHECK(text.find("rebuilds:    not configured") != std::string::npos);
    CHECK(json["configured"] == false);

    write_text(h.root / "etc/vps-agent/config.yaml", "rebuild:\n  command: [/usr/local/sbin/rebuild, \"{revision}\"]\n");
    std::tie(text, json) = status();
    CHECK(text.find("rebuilds:    none applied yet\n  command:   /usr/local/sbin/rebuild {revision}") != std::string::npos);
    CHECK(json["last_sequence"] == 0);
    CHECK(json["state_file"] == (h.root / "var/lib/vps-agent/rebuild-sequence").string());

    std::filesystem::create_directories(h.root / "var/lib/vps-agent");
    write_text(h.root / "var/lib/vps-agent/rebuild-sequence", "1764224895000\n");
    std::tie(text, json) = status();
    CHECK(text.find("rebuilds:    last applied sequence 1764224895000") != std::string::npos);
    CHECK(json["last_sequence"] == 1764224895000);

    write_text(h.root / "var/lib/vps-agent/rebuild-sequence", "garbage\n");
    std::tie(text, json) = status();
    CHECK(text.find("rebuilds:    BLOCKED (vps-agent watch will not start): ") != std::string::npos);
    CHECK(json.contains("error"));
  }

  TEST_CASE("an unreachable endpoint is a wait with backoff, not a failure") {
    Host h;
    auto r = h.watch("enrollment:\n  endpoint: http://127.0.0.1:9\n  retry:\n    initial_delay: 100ms\n    max_delay: 200ms\n"
                     "rebuild:\n  command: [/bin/true]\nauthorized_operators:\n  - " + operator_line() + "\n");
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("waiting for the endpoint") != std::string::npos);
  }

  TEST_CASE("an endpoint's error text cannot forge a journal line or its priority") {
    // A hostile endpoint: its error carries a newline followed by an emergency-priority prefix.
    auto server = net::http::Server::start({}, [](const net::http::Request&) {
      return net::http::Response::json(403, R"({"error":"no\n<0>FORGED emergency\u001b[2J"})");
    });
    REQUIRE(server);
    Host h;
    write_text(h.root / "etc/vps-agent/config.yaml",
               "enrollment:\n  endpoint: http://127.0.0.1:" + std::to_string((*server)->local_port()) +
                   "\n  retry:\n    initial_delay: 100ms\n    max_delay: 200ms\n"
                   "rebuild:\n  command: [/bin/true]\nauthorized_operators:\n  - " + operator_line() + "\n");
    const auto log = h.dir / "journal.txt";
    auto r = run_as_journal_service({agent_binary().string(), "--root", h.root.string(), "watch", "--max-time", "1"}, log);
    const std::string journal = read_text(log);
    INFO("journal stream:\n" << journal);
    CHECK(r.exit_code == 0);
    CHECK(journal.find("FORGED") != std::string::npos);  // the endpoint's text was logged
    std::size_t lines = 0;
    for (std::size_t start = 0; start < journal.size();) {
      const auto end = std::min(journal.find('\n', start), journal.size());
      const std::string line = journal.substr(start, end - start);
      ++lines;
      // Every line is one whole record with the agent's own priority prefix; none is <0>-<2>.
      CHECK_MESSAGE((line.size() >= 3 && line[0] == '<' && line[1] >= '3' && line[1] <= '7' && line[2] == '>'), line);
      for (unsigned char c : line) CHECK_MESSAGE((c >= 0x20 && c != 0x7f), line);
      start = end + 1;
    }
    CHECK(lines > 0);
    CHECK(journal.find("no\\n<0>FORGED emergency\\x1b[2J") != std::string::npos);
  }
}
