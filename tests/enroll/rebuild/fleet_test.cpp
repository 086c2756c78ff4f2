// Fleet rollouts end to end on loopback (vps-enroll rebuild --hosts): the real endpoint, the real
// operator CLI and one real `vps-agent watch` process per scratch host, each with its own root,
// host key and rebuild script. A host whose script fails stops the rollout after its batch; a
// host whose agent is not running is skipped (and its request expires, so it never runs later).
#include <map>

#include "rebuild_fixture.hpp"

using namespace vps::test;
using namespace vps::test::enroll;
using Json = nlohmann::json;

namespace {

constexpr const char* k_good = "printf '%s\\n' \"$1\" >> \"$2\"\necho \"rebuilt $1\"\n";
constexpr const char* k_bad = "printf '%s\\n' \"$1\" >> \"$2\"\necho 'unit web.service failed' >&2\nexit 4\n";

struct FleetHost {
  std::string name;
  vps::crypto::Ed25519KeyPair key = key_pair();
  std::filesystem::path root;
  std::filesystem::path applied;
};

struct Fleet {
  ServerFixture server;
  std::map<std::string, FleetHost> hosts;

  // Every host publishes and is approved; `bad` ones get a failing rebuild script.
  Fleet(const std::vector<std::string>& names, const std::vector<std::string>& bad) {
    for (const auto& name : names) {
      FleetHost h;
      h.name = name;
      h.root = server.dir / ("root-" + name);
      h.applied = server.dir / ("applied-" + name);
      REQUIRE(server.publish(h.key, name).status == 202);
      REQUIRE(server.cli({"approve", name}).exit_code == 0);
      const auto script = server.dir / ("rebuild-" + name + ".sh");
      const bool fails = std::find(bad.begin(), bad.end(), name) != bad.end();
      write_text(script, std::string("#!/bin/sh\n") + (fails ? k_bad : k_good));
      std::filesystem::permissions(script, std::filesystem::perms::owner_all);
      std::filesystem::create_directories(h.root / "etc/ssh");
      std::filesystem::create_directories(h.root / "etc/vps-agent");
      write_text(h.root / "etc/hostname", name + "\n");
      write_text(h.root / "etc/ssh/ssh_host_ed25519_key", private_key_text(h.key));
      std::filesystem::permissions(h.root / "etc/ssh/ssh_host_ed25519_key", std::filesystem::perms::owner_read);
      write_text(h.root / "etc/vps-agent/config.yaml",
                 "enrollment:\n  endpoint: " + server.server->url() +
                     "\n  retry:\n    initial_delay: 200ms\n    max_delay: 1s\n"
                     "authorized_operators:\n  - " + public_line(server.alice, "alice") + "\n"
                     "rebuild:\n  command: [" + script.string() + ", \"{revision}\", " + h.applied.string() + "]\n"
                     "  poll_wait: 2s\n  timeout: 20s\n");
      hosts.emplace(name, std::move(h));
    }
  }

  // The host's agent, until it handled one request or max_seconds passed.
  ProcessResult watch(const std::string& name, double max_seconds) {
    ProcessOptions options;
    options.timeout_seconds = max_seconds + 20;
    return run({agent_binary().string(), "--root", hosts.at(name).root.string(), "watch", "--max-requests", "1",
                "--max-time", std::to_string(max_seconds)},
               options);
  }

  std::string applied(const std::string& name) {
    const auto& path = hosts.at(name).applied;
    return std::filesystem::exists(path) ? read_text(path) : std::string();
  }

  std::size_t rebuild_count(const std::string& name) {
    auto r = server.cli({"rebuilds", name, "--json"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return Json::parse(r.out)["rebuilds"].size();
  }
};

// "web1" -> its entry in the rollout's --json.
Json entry(const Json& rollout, const std::string& host) {
  for (const auto& h : rollout["hosts"])
    if (h["host"] == host) return h;
  FAIL("no entry for " << host);
  return {};
}

}  // namespace

TEST_SUITE("enroll::rebuild fleet") {
  TEST_CASE("batches of 2: an offline host is skipped, a failing host stops the rollout after its batch") {
    Fleet f({"web1", "web2", "web3", "web4", "web5"}, {"web3"});
    // web2's agent is not running (offline); web5's batch never comes.
    const std::vector<std::string> online{"web1", "web3", "web4"};
    std::vector<ProcessResult> agents(online.size());  // one slot per thread: no shared container changes
    std::vector<std::thread> running;
    for (std::size_t i = 0; i < online.size(); ++i)
      running.emplace_back([&f, &agents, &online, i] { agents[i] = f.watch(online[i], 30); });
    auto r = f.server.cli({"rebuild", "--hosts", "web1,web2,web3,web4,web5", "--revision", "v7", "--batch", "2",
                           "--pickup-timeout", "4s", "--wait-timeout", "25s", "--json"});
    for (auto& t : running) t.join();
    for (const auto& agent : agents) CHECK_MESSAGE(agent.exit_code == 0, agent.err);
    CHECK_MESSAGE(r.exit_code == 85, r.out << r.err);
    auto j = Json::parse(r.out);
    CHECK(j["batches"] == 2);
    CHECK(j["stopped"] == true);
    CHECK(j["stop_reason"].get<std::string>().find("web3 failed") != std::string::npos);
    CHECK(entry(j, "web1")["state"] == "succeeded");
    CHECK(entry(j, "web2")["state"] == "skipped");
    CHECK(entry(j, "web2")["reason"].get<std::string>().find("not picked up") != std::string::npos);
    CHECK(entry(j, "web3")["state"] == "failed");
    CHECK(entry(j, "web3")["reason"].get<std::string>().find("exit status 4") != std::string::npos);
    CHECK(entry(j, "web4")["state"] == "succeeded");  // same batch as web3: already running
    CHECK(entry(j, "web5")["state"] == "not-started");
    CHECK(entry(j, "web5")["batch"] == 0);
    CHECK(f.applied("web1") == "v7\n");
    CHECK(f.applied("web3") == "v7\n");
    CHECK(f.applied("web4") == "v7\n");
    CHECK(f.applied("web5").empty());
    CHECK(f.rebuild_count("web5") == 0);  // nothing was ever queued for it
    // One signed request per host queued, each verified by its host.
    CHECK(f.rebuild_count("web1") == 1);
    CHECK(f.rebuild_count("web2") == 1);
    // Progress went to stderr with --json.
    CHECK(r.err.find("batch 1: web1, web2") != std::string::npos);
    CHECK(r.err.find("stopping:") != std::string::npos);

    // The skipped host's request expired with its pick-up window: when web2 comes back it
    // refuses it (expired), and its command never runs behind the operator's back.
    CHECK(f.watch("web2", 6).exit_code == 0);
    CHECK(f.applied("web2").empty());
  }

  TEST_CASE("a failing canary stops everything, --keep-going carries on, the summary table lists each host") {
    Fleet f({"db1", "db2", "db3"}, {"db1"});
    {
      ProcessResult agent;
      std::thread t([&] { agent = f.watch("db1", 20); });
      auto r = f.server.cli({"rebuild", "--hosts", "db1,db2,db3", "--canary", "1", "--batch", "2", "--pickup-timeout",
                             "10s", "--wait-timeout", "15s"});
      t.join();
      CHECK_MESSAGE(r.exit_code == 85, r.out << r.err);
      CHECK(r.out.find("batch 1 (canary): db1") != std::string::npos);
      CHECK(r.out.find("HOST") != std::string::npos);
      CHECK(r.out.find("REASON") != std::string::npos);
      CHECK(r.out.find("db2  latest") != std::string::npos);
      CHECK(r.out.find("not-started") != std::string::npos);
      CHECK(f.rebuild_count("db2") == 0);
      CHECK(f.rebuild_count("db3") == 0);
    }
    {
      const std::vector<std::string> names{"db1", "db2", "db3"};
      std::vector<ProcessResult> agents(names.size());
      std::vector<std::thread> running;
      for (std::size_t i = 0; i < names.size(); ++i)
        running.emplace_back([&f, &agents, &names, i] { agents[i] = f.watch(names[i], 25); });
      auto r = f.server.cli({"rebuild", "--hosts", "db1,db2,db3", "--revision", "v2", "--canary", "1",
                             "--keep-going", "--pickup-timeout", "10s", "--wait-timeout", "15s", "--json"});
      for (auto& t : running) t.join();
      CHECK_MESSAGE(r.exit_code == 85, r.out << r.err);
      auto j = Json::parse(r.out);
      CHECK(j["stopped"] == false);
      CHECK(entry(j, "db1")["state"] == "failed");
      CHECK(entry(j, "db2")["state"] == "succeeded");
      CHECK(entry(j, "db3")["state"] == "succeeded");
      CHECK(entry(j, "db3")["batch"] == 3);  // canary, then batches of 1
    }
  }

  TEST_CASE("usage errors come before anything is queued, with exit 64") {
    Fleet f({"app1"}, {});
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"rebuild", "--hosts", "app1,,app2"},
             {"rebuild", "--hosts", "app1,app1"},
             {"rebuild", "--hosts", "app1,Bad_Name"},
             {"rebuild", "--hosts", "app1", "--batch", "0"},
             {"rebuild", "--hosts", "app1", "--expires", "1h"},
             {"rebuild", "app1", "--batch", "2"},
             {"rebuild", "app1", "--hosts", "app1"},
             {"rebuild"}}) {
      auto r = f.server.cli(args);
      CHECK_MESSAGE(r.exit_code == 64, args[1] << " " << (args.size() > 2 ? args[2] : "") << ": " << r.err);
    }
    CHECK(f.rebuild_count("app1") == 0);
  }
}
