// formats::openssh private keys: round trips, interoperability with ssh-keygen and sshd, and
// strict refusal of everything that is not one unencrypted ed25519 key.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <vps/formats/openssh/fingerprint.hpp>
#include <vps/formats/openssh/private_key.hpp>
#include <vps/formats/openssh/public_key.hpp>

#include "test_support.hpp"

using namespace vps;
using namespace vps::formats::openssh;
namespace fs = std::filesystem;

namespace {

Ed25519PrivateKey generate(std::string comment = "root@test-host") {
  auto pair = crypto::ed25519_generate();
  Ed25519PrivateKey key;
  key.seed = pair.seed;
  key.public_key = pair.public_key;
  key.comment = std::move(comment);
  return key;
}

std::string text_of(const SecretBytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

void write_key(const fs::path& path, const std::string& text) {
  test::write_text(path, text);
  ::chmod(path.c_str(), 0600);
}

std::string our_public_line(const Ed25519PrivateKey& key) {
  return format_public_key_line(Ed25519PublicKey{key.public_key, key.comment});
}

}  // namespace

TEST_SUITE("formats::openssh::PrivateKey") {
  TEST_CASE("round-trips a generated key") {
    auto key = generate();
    auto text = text_of(format_private_key(key));
    CHECK(looks_like_private_key(text));
    auto parsed = parse_private_key(text, "k");
    REQUIRE(parsed);
    CHECK(equal_ct(parsed->seed.view(), key.seed.view()));
    CHECK(parsed->public_key == key.public_key);
    CHECK(parsed->comment == "root@test-host");
  }

  TEST_CASE("writes 70-column lines like ssh-keygen") {
    auto text = text_of(format_private_key(generate()));
    CHECK(text.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----\n"));
    CHECK(text.ends_with("\n-----END OPENSSH PRIVATE KEY-----\n"));
    std::size_t start = text.find('\n') + 1;
    std::size_t end = text.rfind("-----END");
    std::string body = text.substr(start, end - start);
    std::size_t pos = 0, lines = 0;
    while (pos < body.size()) {
      auto nl = body.find('\n', pos);
      REQUIRE(nl != std::string::npos);
      bool last = nl + 1 == body.size();
      if (!last) CHECK(nl - pos == 70);
      CHECK(nl - pos <= 70);
      pos = nl + 1;
      ++lines;
    }
    CHECK(lines == 5);  // as ssh-keygen writes an ed25519 key with a 14-byte comment
  }

  TEST_CASE("ssh-keygen derives our public key line and fingerprint") {
    VPS_REQUIRE_PROGRAM(keygen, "ssh-keygen");
    test::TempDir dir;
    auto key = generate();
    write_key(dir / "key", text_of(format_private_key(key)));
    auto pub = test::run({keygen.string(), "-y", "-f", (dir / "key").string()});
    REQUIRE(pub.exit_code == 0);
    CHECK(pub.out == our_public_line(key) + "\n");
    auto fp = test::run({keygen.string(), "-l", "-f", (dir / "key").string()});
    REQUIRE(fp.exit_code == 0);
    CHECK(fp.out == fingerprint_line(key.public_key, key.comment) + "\n");
  }

  TEST_CASE("sshd -t accepts our key as HostKey") {
    if (!test::is_root()) VPS_SKIP("sshd -t needs root (privilege separation directory)");
    auto sshd = fs::path("/usr/sbin/sshd");
    if (!fs::exists(sshd)) VPS_SKIP("/usr/sbin/sshd is not installed");
    VPS_REQUIRE_PROGRAM(unshare, "unshare");
    test::TempDir dir;
    write_key(dir / "key", text_of(format_private_key(generate())));
    test::write_text(dir / "sshd_config", "HostKey " + (dir / "key").string() + "\n");
    // sshd -t insists on /run/sshd; give it one in a private mount namespace so the real
    // /run is never touched.
    std::string script = "mount -t tmpfs tmpfs /run && mkdir -m 0755 /run/sshd && exec " +
                         sshd.string() + " -t -f " + (dir / "sshd_config").string();
    auto probe = test::run({unshare.string(), "--mount", "--propagation", "private", "true"});
    if (probe.exit_code != 0) VPS_SKIP("cannot create a mount namespace here: " + probe.err);
    auto result = test::run({unshare.string(), "--mount", "--propagation", "private", "sh", "-c", script});
    INFO(result.err);
    CHECK(result.exit_code == 0);
    CHECK(result.err.find("no hostkeys") == std::string::npos);
  }

  TEST_CASE("parses keys made by ssh-keygen") {
    VPS_REQUIRE_PROGRAM(keygen, "ssh-keygen");
    test::TempDir dir;
    auto made = test::run({keygen.string(), "-q", "-t", "ed25519", "-N", "", "-C", "made by keygen",
                           "-f", (dir / "key").string()});
    REQUIRE(made.exit_code == 0);
    auto key = parse_private_key(test::read_text(dir / "key"), "key");
    REQUIRE(key);
    CHECK(key->comment == "made by keygen");
    CHECK(our_public_line(*key) + "\n" == test::read_text(dir / "key.pub"));
  }

  TEST_CASE("refuses encrypted keys naming cipher, kdf and file") {
    VPS_REQUIRE_PROGRAM(keygen, "ssh-keygen");
    test::TempDir dir;
    auto made = test::run({keygen.string(), "-q", "-t", "ed25519", "-N", "a passphrase", "-f",
                           (dir / "key").string()});
    REQUIRE(made.exit_code == 0);
    auto key = parse_private_key(test::read_text(dir / "key"), "/x/host_key");
    REQUIRE(!key);
    CHECK(key.error().code == Errc::unsupported);
    CHECK(key.error().message.starts_with("/x/host_key: "));
    CHECK(key.error().message.find("encrypted") != std::string::npos);
    CHECK(key.error().message.find("'aes256-ctr'") != std::string::npos);
    CHECK(key.error().message.find("'bcrypt'") != std::string::npos);
    CHECK(key.error().message.find("a passphrase") == std::string::npos);
  }

  TEST_CASE("refuses RSA keys naming the type") {
    VPS_REQUIRE_PROGRAM(keygen, "ssh-keygen");
    test::TempDir dir;
    auto made = test::run({keygen.string(), "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f",
                           (dir / "key").string()});
    REQUIRE(made.exit_code == 0);
    auto key = parse_private_key(test::read_text(dir / "key"), "rsa_key");
    REQUIRE(!key);
    CHECK(key.error().code == Errc::unsupported);
    CHECK(key.error().message.starts_with("rsa_key: "));
    CHECK(key.error().message.find("'ssh-rsa'") != std::string::npos);
  }

  TEST_CASE("parses the sops mock ssh identity") {
    VPS_REQUIRE_FIXTURES(fixtures);
    auto path = fixtures / "sops" / "age_keysource_test.mockSshIdentity";
    auto key = parse_private_key(test::read_text(path), path.string());
    REQUIRE(key);
    auto pub = parse_public_key_line(test::read_text(fixtures / "sops" / "age_keysource_test.mockSshRecipient.pub"));
    REQUIRE(pub);
    CHECK(key->public_key == pub->key);
  }

  TEST_CASE("accepts CRLF line endings and a missing final newline") {
    auto key = generate();
    auto text = text_of(format_private_key(key));
    std::string crlf;
    for (char c : text) {
      if (c == '\n') crlf += '\r';
      crlf += c;
    }
    CHECK(parse_private_key(crlf, "k"));
    text.pop_back();
    CHECK(parse_private_key(text, "k"));
  }
}
