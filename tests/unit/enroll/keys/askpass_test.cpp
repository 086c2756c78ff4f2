// host::keys askpass programs and the SSH_ASKPASS_REQUIRE rules that do not depend on whether
// the test has a terminal (those are covered through vps-enroll in a session of its own, in
// tests/enroll/keys).
#include <doctest/doctest.h>

#include <cstdlib>

#include <vps/enroll/keys/askpass.hpp>
#include <vps/enroll/keys/passphrase.hpp>

#include "test_support.hpp"

using namespace vps;
using namespace vps::enroll::keys;
namespace fs = std::filesystem;

namespace {

fs::path script(const test::TempDir& dir, const std::string& name, const std::string& body) {
  const fs::path path = dir / name;
  test::write_text(path, "#!/bin/sh\n" + body);
  fs::permissions(path, fs::perms::owner_all);
  return path;
}

std::string text(const SecretBytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

// Sets an environment variable for the scope of one test.
struct ScopedEnv {
  std::string name;
  std::optional<std::string> old;
  ScopedEnv(std::string n, const std::string& value) : name(std::move(n)) {
    if (const char* v = std::getenv(name.c_str())) old = v;
    ::setenv(name.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old) ::setenv(name.c_str(), old->c_str(), 1);
    else ::unsetenv(name.c_str());
  }
};

}  // namespace

TEST_SUITE("host::keys::askpass") {
  TEST_CASE("the answer is the first line of the program's output, the prompt is its argument") {
    test::TempDir dir;
    auto program = script(dir, "ask", "printf '%s' \"$1\" > '" + (dir / "prompt").string() + "'\nprintf 'pass word\\r\\nmore\\n'\n");
    auto answer = run_askpass(program.string(), "Enter passphrase for key 'k': ");
    REQUIRE_MESSAGE(answer, answer.error().message);
    CHECK(text(*answer) == "pass word");
    CHECK(test::read_text(dir / "prompt") == "Enter passphrase for key 'k': ");
    auto empty = run_askpass(script(dir, "empty", "exit 0\n").string(), "p");
    REQUIRE(empty);
    CHECK(empty->empty());
  }

  TEST_CASE("a non-zero exit is a cancelled prompt, a missing program says so") {
    test::TempDir dir;
    auto cancelled = run_askpass(script(dir, "cancel", "echo typed\nexit 1\n").string(), "p");
    CHECK(cancelled.error().code == Errc::unauthorized);
    CHECK(cancelled.error().message.find("cancelled") != std::string::npos);
    CHECK(cancelled.error().message.find("typed") == std::string::npos);
    auto missing = run_askpass((dir / "no-such-askpass").string(), "p");
    CHECK(missing.error().code == Errc::unauthorized);
    CHECK(missing.error().message.find("no-such-askpass") != std::string::npos);
  }

  TEST_CASE("answers are bounded and may not hold a NUL byte") {
    test::TempDir dir;
    auto long_answer = run_askpass(script(dir, "long", "yes x | head -c 5000\n").string(), "p");
    CHECK(long_answer.error().code == Errc::malformed);
    auto nul = run_askpass(script(dir, "nul", "printf 'a\\000b\\n'\n").string(), "p");
    CHECK(nul.error().code == Errc::usage);
  }

  TEST_CASE("SSH_ASKPASS_REQUIRE=force and prefer with a display use the askpass program") {
    test::TempDir dir;
    auto program = script(dir, "ask", "echo from-askpass\n");
    ScopedEnv askpass("SSH_ASKPASS", program.string());
    {
      ScopedEnv require("SSH_ASKPASS_REQUIRE", "force");
      ScopedEnv display("DISPLAY", "");
      auto answer = read_passphrase("p");
      REQUIRE_MESSAGE(answer, answer.error().message);
      CHECK(text(*answer) == "from-askpass");
    }
    {
      ScopedEnv require("SSH_ASKPASS_REQUIRE", "PREFER");
      ScopedEnv display("DISPLAY", ":0");
      auto answer = read_passphrase("p");
      REQUIRE_MESSAGE(answer, answer.error().message);
      CHECK(text(*answer) == "from-askpass");
    }
  }
}
