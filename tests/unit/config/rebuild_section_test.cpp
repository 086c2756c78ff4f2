#include <vps/config/parse.hpp>
#include <vps/protocol/publication.hpp>

#include "test_support.hpp"

using namespace vps;
using namespace std::chrono_literals;

namespace {

std::string key_line() {
  static const std::string line = protocol::ssh_public_key_field(crypto::ed25519_generate().public_key) + " alice";
  return line;
}

std::string refused(const std::string& text) {
  auto config = config::parse(text, "config.yaml");
  REQUIRE(!config);
  CHECK(config.error().code == Errc::config);
  return config.error().message;
}

}  // namespace

TEST_SUITE("config::rebuild") {
  TEST_CASE("parses operators (top level), argv command, timeouts and state file") {
    auto config = config::parse("authorized_operators:\n  - " + key_line() +
                                    "\nrebuild:\n  command: [/usr/bin/rebuild, \"--rev={revision}\"]\n  timeout: 10m\n"
                                    "  poll_wait: 30s\n  state_file: /var/lib/x/seq\n",
                                "c");
    REQUIRE(config);
    const auto& r = config->rebuild;
    CHECK(config->authorized_operators.lines == std::vector<std::string>{key_line()});
    CHECK(r.command == std::vector<std::string>{"/usr/bin/rebuild", "--rev={revision}"});
    CHECK(r.timeout == 10min);
    CHECK(r.poll_wait == 30s);
    CHECK(r.state_file == "/var/lib/x/seq");
  }

  TEST_CASE("defaults: unconfigured, 1h timeout, 25s poll") {
    auto config = config::parse("", "c").value();
    CHECK(config.rebuild.command.empty());
    CHECK(config.rebuild.timeout == 1h);
    CHECK(config.rebuild.poll_wait == 25s);
  }

  TEST_CASE("operators may be a file path") {
    auto config = config::parse("authorized_operators: /etc/vps-agent/operators\n", "c").value();
    CHECK(config.authorized_operators.file == "/etc/vps-agent/operators");
  }

  TEST_CASE("rebuild.authorized_operators is refused with a pointer to the one list") {
    auto why = refused("rebuild:\n  authorized_operators:\n    - " + key_line() + "\n");
    CHECK(why.find("moved to the top-level 'authorized_operators'") != std::string::npos);
    INFO(why);
    CHECK(why.starts_with("config.yaml:3: rebuild.authorized_operators: "));
  }

  TEST_CASE("refuses a shell string, a relative program, bad keys and odd waits") {
    CHECK(refused("rebuild:\n  command: \"nixos-rebuild switch\"\n").find("never a shell string") != std::string::npos);
    CHECK(refused("rebuild:\n  command: [nixos-rebuild, switch]\n").find("absolute path") != std::string::npos);
    CHECK(refused("rebuild:\n  command: []\n").find("1-64") != std::string::npos);
    CHECK(refused("authorized_operators:\n  - ssh-ed25519 AAAA alice\n").find("authorized_operators") !=
          std::string::npos);
    CHECK(refused("authorized_operators: relative/file\n").find("absolute") != std::string::npos);
    CHECK(refused("rebuild:\n  poll_wait: 0s\n").find("poll_wait") != std::string::npos);
    CHECK(refused("rebuild:\n  poll_wait: 2m\n").find("poll_wait") != std::string::npos);
    CHECK(refused("rebuild:\n  shell: yes\n").find("unknown key") != std::string::npos);
  }
}
