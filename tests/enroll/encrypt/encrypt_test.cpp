// vps-enroll encrypt, checked by decrypting with the real `age` CLI (Debian's age 1.1.1).
#include <doctest/doctest.h>

#include <filesystem>

#include "test_support.hpp"

using namespace vps;
using namespace vps::test;

TEST_SUITE("enroll::encrypt") {
  TEST_CASE("--help describes the command") {
    auto r = run({enroll_binary().string(), "encrypt", "--help"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("-r,--recipient") != std::string::npos);
  }

  TEST_CASE("age -d opens our output: X25519 and ssh-ed25519, binary and armored, all sizes") {
    VPS_REQUIRE_PROGRAM(age, "age");
    VPS_REQUIRE_PROGRAM(sshkeygen, "ssh-keygen");
    TempDir dir;
    const std::string x = age_keygen(dir.path(), "x.txt");
    const std::string ssh_pub = ssh_keygen_ed25519(dir.path(), "ssh");
    for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{65535}, std::size_t{65536},
                             std::size_t{65537}, std::size_t{10 * 1024 * 1024 + 5}}) {
      write_random_file(dir / "plain", size);
      for (const std::string mode : {"x25519", "ssh"}) {
        for (bool armor : {false, true}) {
          INFO("size " << size << " " << mode << " armor " << armor);
          std::vector<std::string> enc{enroll_binary().string(), "encrypt", "-o", (dir / "f.age").string()};
          if (armor) enc.push_back("-a");
          if (mode == "x25519") enc.insert(enc.end(), {"-r", x});
          else enc.insert(enc.end(), {"-r", ssh_pub});
          enc.push_back((dir / "plain").string());
          auto e = run(enc);
          REQUIRE_MESSAGE(e.exit_code == 0, e.err);
          std::filesystem::remove(dir / "out");
          auto r = run({"age", "-d", "-i", (dir / (mode == "x25519" ? "x.txt" : "ssh")).string(), "-o",
                        (dir / "out").string(), (dir / "f.age").string()});
          REQUIRE_MESSAGE(r.exit_code == 0, r.err);
          CHECK(read_text(dir / "out") == read_text(dir / "plain"));
        }
      }
    }
  }

  TEST_CASE("multiple recipients from -r and -R each open the file: stdin to stdout") {
    VPS_REQUIRE_PROGRAM(age, "age");
    TempDir dir;
    const std::string a = age_keygen(dir.path(), "a.txt");
    const std::string b = age_keygen(dir.path(), "b.txt");
    write_text(dir / "recipients", "# team\n\n" + b + "\n");
    ProcessOptions opts;
    opts.stdin_data = "to both";
    auto e = run({enroll_binary().string(), "encrypt", "-a", "-r", a, "-R", (dir / "recipients").string()}, opts);
    REQUIRE_MESSAGE(e.exit_code == 0, e.err);
    CHECK(e.out.starts_with("-----BEGIN AGE ENCRYPTED FILE-----\n"));
    write_text(dir / "f.age", e.out);
    for (const char* key : {"a.txt", "b.txt"}) {
      auto r = run({"age", "-d", "-i", (dir / key).string(), (dir / "f.age").string()});
      CHECK_MESSAGE(r.exit_code == 0, r.err);
      CHECK(r.out == "to both");
    }
  }

  TEST_CASE("bad recipients are refused with a usage or parse code") {
    TempDir dir;
    write_text(dir / "plain", "x");
    CHECK(run({enroll_binary().string(), "encrypt", "-o", (dir / "o").string(), (dir / "plain").string()}).exit_code == 64);
    CHECK(run({enroll_binary().string(), "encrypt", "-r", "age1nope", "-o", (dir / "o").string(),
               (dir / "plain").string()})
              .exit_code == 65);
    CHECK(!std::filesystem::exists(dir / "o"));
  }
}
