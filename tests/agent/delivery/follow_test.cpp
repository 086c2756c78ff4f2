// `vps-agent secrets --follow`, the service a host runs for its whole life, against a real
// `vps-enroll serve` on loopback (or none): a host approved long after it started waiting still
// gets its secrets and its units are started; a push after activation becomes one new
// generation that restarts each affected unit once; unchanged secrets restart nothing; a broken
// source holds back only the units that use it, and a secret whose source breaks later keeps
// its value; an owner/mode-only change is applied; --wait-complete and --gate report what the
// units wait for. Under --root the agent only logs the unit actions ("would restart X"), which
// the tests count. Every wait is bounded.
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <thread>

#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "background.hpp"
#include "delivery_fixture.hpp"

using namespace vps;
using namespace vps::test;
using namespace vps::test::delivery;
namespace sops = vps::formats::sops;
using namespace std::chrono_literals;

namespace {

// The agent following in the background, its log in the host's scratch dir.
struct Follower {
  NotifySocket notify;
  Background agent;
  Follower(const ScratchHost& host)
      : notify(host.dir.path() / "notify.sock"),
        agent({agent_binary().string(), "--root", host.root.string(), "secrets", "--follow"},
              (host.dir.path() / "notify.sock").string(), host.dir.path() / "agent.log") {}
};

nlohmann::json status_of(const ScratchHost& host) {
  return nlohmann::json::parse(read_text(host.root / "run/vps-secrets.d/status.json"));
}

int gate(const ScratchHost& host, const std::string& unit) { return host.agent({"secrets", "--gate", unit}).exit_code; }

std::string generation_of(const ScratchHost& host) { return fs::read_symlink(host.link()).filename().string(); }

// A file no parser accepts, old enough not to count as "still being written".
void write_broken(const fs::path& path) {
  write_text(path, "this: [is not sops\n");
  fs::last_write_time(path, fs::file_time_type::clock::now() - std::chrono::hours(1));
}

}  // namespace

TEST_SUITE("agent::follow") {
  TEST_CASE("a host approved long after it started waiting gets its secrets and its unit is started") {
    VPS_REQUIRE_MOUNT_NAMESPACE();
    test::enroll::ServerFixture server;
    ScratchHost host("web1");
    host.config(server,
                "  files:\n"
                "    - name: db\n      source: /srv/secrets/db.age\n      restart_units: [app.service]\n"
                "    - name: local\n      source: /srv/secrets/local.age\n      restart_units: [other.service]\n");
    write_text(host.src("local.age"), secrets::age_encrypt("local-secret", host.recipient));
    REQUIRE(server.publish(host.key, host.name).status == 202);  // published, not approved

    Follower f(host);
    const auto deadline = deadline_in(60s);
    std::string seen = f.notify.wait_for("READY=1", deadline);
    REQUIRE_MESSAGE(seen.find("READY=1") != std::string::npos, f.agent.log());
    // Boot goes on: the secret that is there is active, the one that is not holds only its unit.
    CHECK(read_text(host.link() / "local") == "local-secret");
    CHECK_FALSE(fs::exists(host.link() / "db"));
    CHECK(seen.find("waiting for enrollment since") != std::string::npos);
    CHECK(gate(host, "app.service") == 1);
    CHECK(gate(host, "other.service") == 0);
    auto status = status_of(host);
    CHECK(status["complete"] == false);
    CHECK(status["blocked_units"] == nlohmann::json::array({"app.service"}));
    CHECK(host.agent({"secrets", "--wait-complete", "--timeout", "1s"}).exit_code == 83);

    // Still waiting (no timeout by default), then the operator approves and pushes.
    std::this_thread::sleep_for(1500ms);
    CHECK(f.agent.wait(deadline_in(0s)) == -1);
    auto r = server.cli({"approve", host.name, "--fingerprint", test::enroll::fingerprint(host.key)});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    push(server, host.name, "db.age", secrets::age_encrypt("db-secret", host.recipient));

    CHECK_MESSAGE(eventually([&] { return fs::exists(host.link() / "db"); }, deadline), f.agent.log());
    CHECK(read_text(host.link() / "db") == "db-secret");
    CHECK_MESSAGE(eventually([&] { return f.agent.count("would start app.service") == 1; }, deadline), f.agent.log());
    CHECK(gate(host, "app.service") == 0);
    CHECK(status_of(host)["complete"] == true);
    CHECK(host.agent({"secrets", "--wait-complete", "--timeout", "5s"}).exit_code == 0);
    CHECK(f.agent.count("would restart") == 0);
  }

  TEST_CASE("a push after activation is one new generation: each unit restarted once, unchanged secrets restart nothing") {
    VPS_REQUIRE_MOUNT_NAMESPACE();
    test::enroll::ServerFixture server;
    ScratchHost host("web1");
    host.config(server,
                "  files:\n"
                "    - name: app/token\n      source: /srv/secrets/app.yaml\n      key: token\n"
                "      restart_units: [app.service]\n"
                "    - name: app/password\n      source: /srv/secrets/app.yaml\n      key: password\n"
                "      restart_units: [app.service]\n"
                "    - name: db\n      source: /srv/secrets/db.age\n      restart_units: [app.service, worker.service]\n"
                "    - name: quiet\n      source: /srv/secrets/quiet.age\n      restart_units: [quiet.service]\n");
    write_text(host.src("quiet.age"), secrets::age_encrypt("same", host.recipient));
    publish_and_approve(server, host);
    push(server, host.name, "app.yaml",
         secrets::sops_encrypt("token: t1\npassword: p1\n", sops::Format::yaml, host.recipient));
    push(server, host.name, "db.age", secrets::age_encrypt("d1", host.recipient));

    Follower f(host);
    const auto deadline = deadline_in(90s);
    REQUIRE_MESSAGE(eventually([&] { return fs::exists(host.link() / "db") && fs::exists(host.link() / "app/token"); },
                               deadline),
                    f.agent.log());
    CHECK(f.notify.wait_for("READY=1", deadline).find("READY=1") != std::string::npos);
    const std::string first = generation_of(host);

    // A batch: both values of app.yaml and db.age change, pushed back to back.
    push(server, host.name, "app.yaml",
         secrets::sops_encrypt("token: t2\npassword: p2\n", sops::Format::yaml, host.recipient));
    push(server, host.name, "db.age", secrets::age_encrypt("d2", host.recipient));
    REQUIRE_MESSAGE(eventually([&] { return read_text(host.link() / "db") == "d2" &&
                                            read_text(host.link() / "app/password") == "p2"; },
                               deadline),
                    f.agent.log());
    std::this_thread::sleep_for(3s);  // past the batch window: nothing else may follow
    CHECK(read_text(host.link() / "app/token") == "t2");
    CHECK(std::stoi(generation_of(host)) == std::stoi(first) + 1);
    CHECK_MESSAGE(f.agent.count("would restart app.service") == 1, f.agent.log());
    CHECK(f.agent.count("would restart worker.service") == 1);
    CHECK(f.agent.count("would restart quiet.service") == 0);

    // The same value again (new ciphertext, same plaintext): installed, but no new generation.
    const std::size_t installs = f.agent.count("installed bundle 'db.age'");
    push(server, host.name, "db.age", secrets::age_encrypt("d2", host.recipient));
    CHECK_MESSAGE(eventually([&] { return f.agent.count("installed bundle 'db.age'") == installs + 1; }, deadline),
                  f.agent.log());
    std::this_thread::sleep_for(3s);
    CHECK(std::stoi(generation_of(host)) == std::stoi(first) + 1);
    CHECK(f.agent.count("would restart app.service") == 1);
    CHECK(f.agent.count("would restart worker.service") == 1);
  }

  TEST_CASE("a broken source holds back only its units, and a source that breaks later keeps its value") {
    VPS_REQUIRE_MOUNT_NAMESPACE();
    ScratchHost host("web1");
    host.config("",
                "  files:\n"
                "    - name: good\n      source: /srv/secrets/good.age\n      restart_units: [good.service]\n"
                "    - name: bad\n      source: /srv/secrets/bad.yaml\n      key: x\n      restart_units: [bad.service]\n");
    write_text(host.src("good.age"), secrets::age_encrypt("good-1", host.recipient));
    write_broken(host.src("bad.yaml"));

    Follower f(host);
    const auto deadline = deadline_in(30s);
    std::string seen = f.notify.wait_for("READY=1", deadline);
    REQUIRE_MESSAGE(seen.find("READY=1") != std::string::npos, f.agent.log());
    CHECK(read_text(host.link() / "good") == "good-1");
    CHECK(gate(host, "good.service") == 0);
    CHECK(gate(host, "bad.service") == 1);
    auto status = status_of(host);
    REQUIRE(status["unavailable"].size() == 1);
    CHECK(status["unavailable"][0]["name"] == "bad");
    CHECK(status["unavailable"][0]["waiting"] == false);
    CHECK(status["unavailable"][0]["reason"].get<std::string>().find("bad.yaml") != std::string::npos);
    // The status command shows it too.
    auto st = host.agent({"status"});
    CHECK_MESSAGE(st.out.find("bad") != std::string::npos, st.out);

    // good.age breaks: its last value stays active, its unit is neither held nor restarted.
    const std::string generation = generation_of(host);
    write_broken(host.src("good.age"));
    CHECK(eventually([&] { return status_of(host)["unavailable"].size() == 2; }, deadline));
    CHECK(read_text(host.link() / "good") == "good-1");
    CHECK(gate(host, "good.service") == 0);
    CHECK(generation_of(host) == generation);

    // The broken source is fixed: bad.service is started by the service (its gate was closed).
    write_text(host.src("bad.yaml"), secrets::sops_encrypt("x: fixed\n", sops::Format::yaml, host.recipient));
    CHECK_MESSAGE(eventually([&] { return fs::exists(host.link() / "bad"); }, deadline), f.agent.log());
    CHECK(read_text(host.link() / "bad") == "fixed");
    CHECK(eventually([&] { return f.agent.count("would start bad.service") == 1; }, deadline));
    CHECK(f.agent.count("would restart") == 0);
  }

  TEST_CASE("an owner or mode change alone is applied as a new generation and restarts nothing") {
    VPS_REQUIRE_MOUNT_NAMESPACE();
    ScratchHost host("web1");
    const std::string entry = "  files:\n    - name: key\n      source: /srv/secrets/key.age\n"
                              "      restart_units: [app.service]\n      mode: \"";
    host.config("", entry + "0400\"\n");
    write_text(host.src("key.age"), secrets::age_encrypt("k", host.recipient));
    Follower f(host);
    const auto deadline = deadline_in(30s);
    REQUIRE(f.notify.wait_for("READY=1", deadline).find("READY=1") != std::string::npos);
    const std::string generation = generation_of(host);
    host.config("", entry + "0440\"\n");
    f.agent.signal(SIGHUP);  // what `systemctl reload vps-secrets` sends
    CHECK_MESSAGE(eventually([&] { return generation_of(host) != generation; }, deadline), f.agent.log());
    struct stat st {};
    REQUIRE(::stat((host.link() / "key").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0440);
    CHECK(f.agent.count("would restart") == 0);
  }

  TEST_CASE("with nothing decryptable yet the first round still activates, signals READY and holds the units") {
    VPS_REQUIRE_MOUNT_NAMESPACE();
    ScratchHost host("web1");
    host.config("", "  files:\n    - name: a\n      source: /srv/secrets/a.age\n      restart_units: [app.service]\n");
    Follower f(host);
    const auto deadline = deadline_in(30s);
    std::string seen = f.notify.wait_for("READY=1", deadline);
    REQUIRE_MESSAGE(seen.find("READY=1") != std::string::npos, f.agent.log());
    CHECK(seen.find("waiting for enrollment since") != std::string::npos);
    CHECK(fs::is_symlink(host.link()));
    CHECK(gate(host, "app.service") == 1);
    CHECK(status_of(host)["blocked_units"] == nlohmann::json::array({"app.service"}));
    write_text(host.src("a.age"), secrets::age_encrypt("late", host.recipient));
    CHECK_MESSAGE(eventually([&] { return f.agent.count("would start app.service") == 1; }, deadline), f.agent.log());
    CHECK(read_text(host.link() / "a") == "late");
  }

  TEST_CASE("the gate refuses what is not a unit name, and waits before the service's first round") {
    ScratchHost host("web1");
    host.config("", "  files:\n    - name: a\n      source: /srv/secrets/a.age\n      restart_units: [app.service]\n");
    CHECK(host.agent({"secrets", "--gate", "../etc"}).exit_code == 64);
    auto r = host.agent({"secrets", "--gate", "app.service"});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("no status yet") != std::string::npos);
    CHECK(host.agent({"secrets", "--follow", "--once"}).exit_code == 64);
  }
}

TEST_SUITE("agent::follow endpoint") {
  TEST_CASE("a bad push changes nothing and the operator sees why, a revoked host keeps its generation") {
    VPS_REQUIRE_MOUNT_NAMESPACE();
    test::enroll::ServerFixture server;
    ScratchHost host("web1");
    host.config(server, "  files:\n    - name: db\n      source: /srv/secrets/db.age\n      restart_units: [app.service]\n");
    publish_and_approve(server, host);
    push(server, host.name, "db.age", secrets::age_encrypt("d1", host.recipient));
    Follower f(host);
    const auto deadline = deadline_in(60s);
    REQUIRE_MESSAGE(eventually([&] { return fs::exists(host.link() / "db"); }, deadline), f.agent.log());
    const std::string generation = generation_of(host);

    // Encrypted to another key: refused before it is installed, reported to the endpoint.
    push(server, host.name, "db.age", secrets::age_encrypt("not for you", secrets::another_recipient()));
    auto shown = [&] {
      auto r = server.cli({"show", host.name});
      return r.out.find("not encrypted to this host") != std::string::npos;
    };
    CHECK_MESSAGE(eventually(shown, deadline), f.agent.log() << server.cli({"show", host.name}).out);
    CHECK(read_text(host.link() / "db") == "d1");
    CHECK(generation_of(host) == generation);
    CHECK(f.agent.count("would restart") == 0);

    // Revoked: the next fetch is refused and said so; the active generation stays.
    auto r = server.cli({"revoke", host.name, "--reason", "test"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK_MESSAGE(eventually([&] { return status_of(host)["endpoint"].get<std::string>().find("revoked") != std::string::npos; },
                             deadline),
                  f.agent.log());
    CHECK(read_text(host.link() / "db") == "d1");
    CHECK(generation_of(host) == generation);
    // vps-agent status shows the endpoint's view, not what publish last recorded.
    auto st = host.agent({"status", "--json"});
    REQUIRE_MESSAGE(st.exit_code == 0, st.err);
    CHECK(nlohmann::json::parse(st.out)["enrollment"]["endpoint_view"]["status"] == "revoked");
  }
}
