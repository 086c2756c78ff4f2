// host::keys decryption of passphrase-protected keys, against keys ssh-keygen writes (generated
// here, never committed): the seed we get is the seed ssh-keygen itself gets when it removes the
// passphrase; a wrong passphrase, a tampered file and unsupported encryption are refused.
#include <doctest/doctest.h>

#include <vps/base/base64.hpp>
#include <vps/formats/openssh/private_key_envelope.hpp>
#include <vps/formats/openssh/public_key.hpp>
#include <vps/formats/openssh/wire.hpp>
#include <vps/enroll/keys/decrypt_private_key.hpp>
#include <vps/enroll/keys/private_key_file.hpp>

#include "test_support.hpp"

using namespace vps;
using namespace vps::enroll::keys;
namespace openssh = vps::formats::openssh;
namespace fs = std::filesystem;

namespace {

ByteView bytes(std::string_view s) { return as_bytes(s); }

// ssh-keygen key at dir/name with passphrase, plus the same key without one (ssh-keygen -p on a
// copy): what ssh-keygen itself decrypts the file to.
struct KeygenKey {
  std::string encrypted;
  openssh::Ed25519PrivateKey plain;

  KeygenKey(const test::TempDir& dir, const std::string& name, const std::string& passphrase, int rounds = 16,
            const std::string& cipher = "") {
    std::vector<std::string> argv = {"ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-a", std::to_string(rounds),
                                     "-f", (dir / name).string()};
    if (!cipher.empty()) argv.insert(argv.end(), {"-Z", cipher});
    auto made = test::run(argv);
    REQUIRE_MESSAGE(made.exit_code == 0, made.err);
    encrypted = test::read_text(dir / name);
    fs::copy_file(dir / name, dir / (name + ".plain"));
    auto removed = test::run({"ssh-keygen", "-q", "-p", "-P", passphrase, "-N", "", "-f", (dir / (name + ".plain")).string()});
    REQUIRE_MESSAGE(removed.exit_code == 0, removed.err);
    plain = openssh::parse_private_key(test::read_text(dir / (name + ".plain")), "plain").value();
  }
};

}  // namespace

TEST_SUITE("host::keys::decrypt_private_key") {
  TEST_CASE("decrypts ssh-keygen's aes256-ctr and aes256-cbc keys to the seed ssh-keygen finds") {
    VPS_REQUIRE_PROGRAM(keygen_program, "ssh-keygen");
    test::TempDir dir;
    for (const auto& [name, rounds, cipher] :
         std::vector<std::tuple<std::string, int, std::string>>{{"ctr16", 16, ""}, {"ctr100", 100, ""}, {"cbc", 16, "aes256-cbc"}}) {
      KeygenKey key(dir, name, "correct horse battery staple", rounds, cipher);
      auto decrypted = decrypt_private_key(key.encrypted, name, bytes("correct horse battery staple"));
      REQUIRE_MESSAGE(decrypted, decrypted.error().message);
      CHECK(equal_ct(decrypted->seed.view(), key.plain.seed.view()));
      CHECK(decrypted->public_key == key.plain.public_key);
    }
  }

  TEST_CASE("a wrong or empty passphrase is an integrity failure that never echoes it") {
    VPS_REQUIRE_PROGRAM(keygen_program, "ssh-keygen");
    test::TempDir dir;
    KeygenKey key(dir, "k", "right");
    for (std::string_view wrong : {"Xq7#", "", "righ", "right "}) {
      auto decrypted = decrypt_private_key(key.encrypted, "/home/op/.ssh/k", bytes(wrong));
      REQUIRE(!decrypted);
      CHECK(decrypted.error().code == Errc::integrity);
      CHECK(decrypted.error().message.starts_with("/home/op/.ssh/k: "));
      CHECK(decrypted.error().message.find("passphrase") != std::string::npos);
      if (!wrong.empty()) CHECK(decrypted.error().message.find(wrong) == std::string::npos);
    }
    auto nul = decrypt_private_key(key.encrypted, "k", bytes(std::string_view("ri\0ght", 6)));
    CHECK(nul.error().code == Errc::usage);
  }

  TEST_CASE("a file whose clear public key was swapped for another is refused after decryption") {
    VPS_REQUIRE_PROGRAM(keygen_program, "ssh-keygen");
    test::TempDir dir;
    KeygenKey key(dir, "k", "pass");
    // Rebuild the file with another public key in the clear header (libssh ignores it).
    auto blob = openssh::decode_private_key_armor(key.encrypted, "k").value();
    auto envelope = openssh::parse_private_key_envelope(ByteView(blob.data(), blob.size()), "k").value();
    Bytes forged{'o', 'p', 'e', 'n', 's', 's', 'h', '-', 'k', 'e', 'y', '-', 'v', '1', 0};
    openssh::put_string(forged, as_bytes(envelope.cipher));
    openssh::put_string(forged, as_bytes(envelope.kdf));
    openssh::put_string(forged, envelope.kdf_options);
    openssh::put_u32(forged, 1);
    openssh::put_string(forged, openssh::wire_encoding(crypto::ed25519_generate().public_key));
    openssh::put_string(forged, ByteView(envelope.private_section.data(), envelope.private_section.size()));
    const std::string b64 = base64::encode(forged);
    std::string text = std::string(openssh::k_private_key_begin) + "\n";
    for (std::size_t i = 0; i < b64.size(); i += 70) text += b64.substr(i, 70) + "\n";
    text += std::string(openssh::k_private_key_end) + "\n";
    auto decrypted = decrypt_private_key(text, "k", bytes("pass"));
    REQUIRE(!decrypted);
    CHECK(decrypted.error().code == Errc::integrity);
    CHECK(decrypted.error().message.find("not the public key") != std::string::npos);
  }

  TEST_CASE("unsupported encryption is refused before decrypting, and the passphrase is not asked for") {
    VPS_REQUIRE_PROGRAM(keygen_program, "ssh-keygen");
    test::TempDir dir;
    auto made = test::run({"ssh-keygen", "-q", "-t", "ed25519", "-N", "pass", "-Z", "aes256-gcm@openssh.com", "-f",
                           (dir / "gcm").string()});
    REQUIRE(made.exit_code == 0);
    auto decrypted = decrypt_private_key(test::read_text(dir / "gcm"), "gcm", bytes("pass"));
    CHECK(decrypted.error().code == Errc::unsupported);  // libssh would crash on it (GCM)
    int asked = 0;
    auto loaded = load_private_key_file(dir / "gcm", [&](const std::string&) -> Result<SecretBytes> {
      ++asked;
      return SecretBytes{'p', 'a', 's', 's'};
    });
    CHECK(loaded.error().code == Errc::unsupported);
    CHECK(asked == 0);
  }

  TEST_CASE("load_private_key_file asks once, with ssh's prompt, only for encrypted keys") {
    VPS_REQUIRE_PROGRAM(keygen_program, "ssh-keygen");
    test::TempDir dir;
    KeygenKey key(dir, "k", "pass");
    std::vector<std::string> prompts;
    auto ask = [&](const std::string& prompt) -> Result<SecretBytes> {
      prompts.push_back(prompt);
      return SecretBytes{'p', 'a', 's', 's'};
    };
    auto loaded = load_private_key_file(dir / "k", ask);
    REQUIRE_MESSAGE(loaded, loaded.error().message);
    CHECK(equal_ct(loaded->seed.view(), key.plain.seed.view()));
    REQUIRE(prompts.size() == 1);
    CHECK(prompts[0] == "Enter passphrase for key '" + (dir / "k").string() + "': ");
    auto plain = load_private_key_file(dir / "k.plain", ask);
    REQUIRE(plain);
    CHECK(prompts.size() == 1);
    // The public half, without any passphrase, from either file or the .pub line.
    CHECK(read_public_half(dir / "k").value() == key.plain.public_key);
    CHECK(read_public_half(dir / "k.pub").value() == key.plain.public_key);
    CHECK(read_public_half(dir / "missing").error().code == Errc::missing);
    auto cancelled = load_private_key_file(dir / "k", [](const std::string&) -> Result<SecretBytes> {
      return fail(Errc::unauthorized, "cancelled");
    });
    CHECK(cancelled.error().code == Errc::unauthorized);
  }
}
