// vps-agent decrypt against files made by the real `age` CLI (Debian's age 1.1.1).
#include <doctest/doctest.h>

#include <filesystem>

#include "test_support.hpp"

using namespace vps;
using namespace vps::test;

namespace {

bool same_file(const std::filesystem::path& a, const std::filesystem::path& b) {
  return read_text(a) == read_text(b);
}

}  // namespace

TEST_SUITE("agent::decrypt") {
  TEST_CASE("--help describes the command") {
    auto r = run({agent_binary().string(), "decrypt", "--help"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("-i,--identity") != std::string::npos);
  }

  TEST_CASE("opens files from age -e: X25519 and ssh-ed25519, binary and armored, all sizes") {
    VPS_REQUIRE_PROGRAM(age, "age");
    VPS_REQUIRE_PROGRAM(sshkeygen, "ssh-keygen");
    TempDir dir;
    const std::string x = age_keygen(dir.path(), "x.txt");
    ssh_keygen_ed25519(dir.path(), "ssh");
    for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{65535}, std::size_t{65536},
                             std::size_t{65537}, std::size_t{10 * 1024 * 1024 + 3}}) {
      write_random_file(dir / "plain", size);
      for (const std::string mode : {"x25519", "ssh"}) {
        for (bool armor : {false, true}) {
          INFO("size " << size << " " << mode << " armor " << armor);
          std::vector<std::string> enc{"age", "-e", "-o", (dir / "f.age").string()};
          if (armor) enc.push_back("-a");
          if (mode == "x25519") enc.insert(enc.end(), {"-r", x});
          else enc.insert(enc.end(), {"-R", (dir / "ssh.pub").string()});
          enc.push_back((dir / "plain").string());
          REQUIRE(run(enc).exit_code == 0);
          std::filesystem::remove(dir / "out");
          auto r = run({agent_binary().string(), "decrypt", "-i",
                        (dir / (mode == "x25519" ? "x.txt" : "ssh")).string(), "-o", (dir / "out").string(),
                        (dir / "f.age").string()});
          REQUIRE_MESSAGE(r.exit_code == 0, r.err);
          CHECK(same_file(dir / "out", dir / "plain"));
          CHECK((std::filesystem::status(dir / "out").permissions() & std::filesystem::perms::all) ==
                (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
        }
      }
    }
  }

  TEST_CASE("an OpenSSH key opens both its ssh-ed25519 stanzas and its ssh-to-age X25519 stanzas") {
    VPS_REQUIRE_PROGRAM(age, "age");
    VPS_REQUIRE_FIXTURES(fixtures);
    TempDir dir;
    const auto key = fixtures / "sops/age_keysource_test.mockSshIdentity";
    write_text(dir / "plain", "hello from stdin\n");
    // X25519 stanza for the ssh-to-age recipient of the key.
    REQUIRE(run({"age", "-e", "-r", "age1csmf6palnf8uaa6rrun229d85lz5s8lygpegpd530swfck76k43snrhyf9", "-o",
                 (dir / "x.age").string(), (dir / "plain").string()})
                .exit_code == 0);
    // ssh-ed25519 stanza for the key's public half.
    REQUIRE(run({"age", "-e", "-R", (fixtures / "sops/age_keysource_test.mockSshRecipient.pub").string(), "-o",
                 (dir / "s.age").string(), (dir / "plain").string()})
                .exit_code == 0);
    for (const char* file : {"x.age", "s.age"}) {
      ProcessOptions opts;
      opts.stdin_data = read_text(dir / file);
      auto r = run({agent_binary().string(), "decrypt", "-i", key.string()}, opts);  // stdin -> stdout
      CHECK_MESSAGE(r.exit_code == 0, r.err);
      CHECK(r.out == "hello from stdin\n");
    }
  }

  TEST_CASE("several -i files and several recipients") {
    VPS_REQUIRE_PROGRAM(age, "age");
    TempDir dir;
    const std::string a = age_keygen(dir.path(), "a.txt");
    const std::string b = age_keygen(dir.path(), "b.txt");
    age_keygen(dir.path(), "c.txt");
    write_text(dir / "plain", "multi");
    REQUIRE(run({"age", "-e", "-r", a, "-r", b, "-o", (dir / "f.age").string(), (dir / "plain").string()}).exit_code == 0);
    auto r = run({agent_binary().string(), "decrypt", "-i", (dir / "c.txt").string(), "-i", (dir / "b.txt").string(),
                  (dir / "f.age").string()});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out == "multi");
  }

  TEST_CASE("failures exit with the Errc code and leave no output file") {
    VPS_REQUIRE_PROGRAM(age, "age");
    TempDir dir;
    const std::string a = age_keygen(dir.path(), "a.txt");
    age_keygen(dir.path(), "other.txt");
    write_random_file(dir / "plain", 300000);
    REQUIRE(run({"age", "-e", "-r", a, "-o", (dir / "f.age").string(), (dir / "plain").string()}).exit_code == 0);
    std::string cipher = read_text(dir / "f.age");
    std::string tampered = cipher;
    tampered[tampered.size() - 5] ^= 1;
    write_text(dir / "tampered.age", tampered);
    write_text(dir / "truncated.age", cipher.substr(0, cipher.size() - 1000));
    struct Case {
      const char* file;
      const char* identity;
      int code;
    };
    for (const Case& c : {Case{"f.age", "other.txt", 81}, Case{"tampered.age", "a.txt", 80},
                          Case{"truncated.age", "a.txt", 80}, Case{"plain", "a.txt", 65},
                          Case{"missing.age", "a.txt", 66}}) {
      INFO(c.file);
      auto r = run({agent_binary().string(), "decrypt", "-i", (dir / c.identity).string(), "-o",
                    (dir / "out").string(), (dir / c.file).string()});
      CHECK(r.exit_code == c.code);
      CHECK(!std::filesystem::exists(dir / "out"));
      for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
        CHECK_MESSAGE(entry.path().filename().string().find("out") == std::string::npos, entry.path());
    }
  }
}
