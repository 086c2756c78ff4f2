#include <vps/host/rebuild/command_runner.hpp>
#include <vps/host/rebuild/sequence_file.hpp>

#include <vps/base/text.hpp>

#include "test_support.hpp"

using namespace vps;
using namespace std::chrono_literals;
using host::rebuild::run_command;

TEST_SUITE("host::rebuild::CommandRunner") {
  TEST_CASE("substitutes {revision} inside arguments only") {
    auto argv = host::rebuild::substitute_revision({"/bin/x", "--rev={revision}", "{revision}{revision}", "plain"}, "a/b");
    CHECK(argv == std::vector<std::string>{"/bin/x", "--rev=a/b", "a/ba/b", "plain"});
  }

  TEST_CASE("captures output, exit status and the revision as data") {
    auto r = run_command({"/bin/sh", "-c", "echo out; echo err >&2; printf '%s' \"$VPS_REBUILD_REVISION\"; exit 3"},
                         {"VPS_REBUILD_REVISION=x;y"}, 10s, 1024);
    REQUIRE(r);
    CHECK(r->exit_status == 3);
    CHECK_FALSE(r->succeeded());
    CHECK(r->describe() == "exit status 3");
    CHECK(r->output_tail == "out\nerr\nx;y");
  }

  TEST_CASE("keeps only the tail and sanitizes bytes") {
    auto r = run_command({"/bin/sh", "-c", "head -c 5000 /dev/zero | tr '\\0' a; printf '\\001\\377end'"}, {}, 10s, 100);
    REQUIRE(r);
    CHECK(r->succeeded());
    CHECK(r->output_tail.size() == 100);
    CHECK(r->output_tail.ends_with("\\x01\\xffend"));
  }

  TEST_CASE("non-ASCII output stays readable, escape sequences do not") {
    auto r = run_command({"/bin/sh", "-c", "printf 'building \342\200\230web\342\200\231\342\200\246\n\033[31mred\n'"},
                         {}, 10s, 1024);
    REQUIRE(r);
    CHECK(r->output_tail == "building \u2018web\u2019\u2026\n\\x1b[31mred\n");
    // The cut never splits a character: 3-byte characters, a 7-byte tail keeps two of them.
    auto cut = run_command({"/bin/sh", "-c", "printf '\342\200\246\342\200\246\342\200\246'"}, {}, 10s, 7);
    REQUIRE(cut);
    CHECK(cut->output_tail == "\u2026\u2026");
  }

  TEST_CASE("sanitize_output keeps the end and cuts between whole characters and whole escapes") {
    using host::rebuild::sanitize_output;
    CHECK(sanitize_output("abc\x1b[31mdef\n", 1000) == "abc\\x1b[31mdef\n");
    CHECK(sanitize_output("abcdef", 3) == "def");
    CHECK(sanitize_output("a\x1b", 4) == "\\x1b");      // the escape is 4 bytes: 'a' does not fit
    CHECK(sanitize_output("a\x1b", 3) == "");           // nor half of the escape
    CHECK(sanitize_output("x\xc3\xa9", 2) == "\xc3\xa9");  // é whole, never half
    CHECK(sanitize_output("x\xc3\xa9", 1) == "");
    // Invalid and truncated sequences: every byte escaped, the result valid and within bounds.
    const std::string junk = "ok\xe2\x82\xff\x80\xc2\x85\xf0\x9f\x98\x80" "end";
    const std::string all = sanitize_output(junk, 1000);
    CHECK(all == text::escape_control(junk, text::Newlines::keep));
    for (std::size_t limit = 0; limit <= all.size(); ++limit) {
      const std::string cut = sanitize_output(junk, limit);
      CHECK(cut.size() <= limit);
      CHECK(all.ends_with(cut));
    }
  }

  TEST_CASE("a command past its timeout is killed and reported") {
    auto r = run_command({"/bin/sleep", "30"}, {}, 300ms, 100);
    REQUIRE(r);
    CHECK(r->timed_out);
    CHECK(r->duration < 5s);
    CHECK(r->describe().starts_with("timed out"));
  }

  TEST_CASE("a program that cannot be executed exits 127") {
    auto r = run_command({"/nonexistent/rebuild"}, {}, 10s, 1024);
    REQUIRE(r);
    CHECK(r->exit_status == 127);
    CHECK(r->output_tail.find("cannot execute") != std::string::npos);
  }
}

TEST_SUITE("host::rebuild::SequenceFile") {
  TEST_CASE("absent is 0: stored values read back: junk is refused") {
    test::TempDir dir;
    const auto path = dir / "state/rebuild-sequence";
    CHECK(host::rebuild::load_last_sequence(path).value() == 0);
    REQUIRE(host::rebuild::store_last_sequence(path, 1764224895000));
    CHECK(host::rebuild::load_last_sequence(path).value() == 1764224895000);
    test::write_text(path, "12x\n");
    CHECK(host::rebuild::load_last_sequence(path).error().code == Errc::malformed);
  }
}
