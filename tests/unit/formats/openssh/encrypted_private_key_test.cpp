// formats::openssh encrypted private keys: what a passphrase-protected key says in the clear,
// read from files written by ssh-keygen itself (generated here, never committed), and the
// strict refusals that happen before anyone is asked for a passphrase.
#include <doctest/doctest.h>

#include <vps/base/base64.hpp>
#include <vps/formats/openssh/encrypted_private_key.hpp>
#include <vps/formats/openssh/private_key.hpp>
#include <vps/formats/openssh/private_key_envelope.hpp>
#include <vps/formats/openssh/public_key.hpp>
#include <vps/formats/openssh/wire.hpp>

#include "test_support.hpp"

using namespace vps;
using namespace vps::formats::openssh;
namespace fs = std::filesystem;

namespace {

// ssh-keygen -t ed25519 -N pass -a rounds [-Z cipher]; returns the file's text, sets `pub`.
std::string keygen(const test::TempDir& dir, int rounds, const std::string& cipher, crypto::Ed25519Public& pub) {
  std::vector<std::string> argv = {"ssh-keygen", "-q", "-t", "ed25519", "-N", "pass", "-a", std::to_string(rounds),
                                   "-f", (dir / "key").string()};
  if (!cipher.empty()) argv.insert(argv.end(), {"-Z", cipher});
  fs::remove(dir / "key");
  fs::remove(dir / "key.pub");
  auto made = test::run(argv);
  REQUIRE_MESSAGE(made.exit_code == 0, made.err);
  pub = parse_public_key_line(test::read_text(dir / "key.pub")).value().key;
  return test::read_text(dir / "key");
}

std::string armor(const Bytes& blob) {
  const std::string b64 = base64::encode(blob);
  std::string out = std::string(k_private_key_begin) + "\n";
  for (std::size_t i = 0; i < b64.size(); i += 70) out += b64.substr(i, 70) + "\n";
  return out + std::string(k_private_key_end) + "\n";
}

// An encrypted-looking key built field by field, so each test breaks one thing.
struct Parts {
  std::string cipher = "aes256-ctr", kdf = "bcrypt";
  std::size_t salt_size = 16;
  std::uint32_t rounds = 16;
  std::string kdf_trailing;
  std::size_t section_size = 144;
  crypto::Ed25519KeyPair pair = crypto::ed25519_generate();

  std::string pem() const {
    Bytes options;
    put_string(options, Bytes(salt_size, 9));
    put_u32(options, rounds);
    options.insert(options.end(), kdf_trailing.begin(), kdf_trailing.end());
    Bytes blob{'o', 'p', 'e', 'n', 's', 's', 'h', '-', 'k', 'e', 'y', '-', 'v', '1', 0};
    put_string(blob, as_bytes(cipher));
    put_string(blob, as_bytes(kdf));
    put_string(blob, options);
    put_u32(blob, 1);
    put_string(blob, wire_encoding(pair.public_key));
    put_string(blob, Bytes(section_size, 0x5a));
    return armor(blob);
  }
};

void expect(const Parts& parts, Errc code, const std::string& needle) {
  auto key = parse_encrypted_private_key(parts.pem(), "src");
  REQUIRE(!key);
  CHECK(key.error().code == code);
  INFO(key.error().message);
  CHECK(key.error().message.starts_with("src: "));
  CHECK(key.error().message.find(needle) != std::string::npos);
}

}  // namespace

TEST_SUITE("formats::openssh::EncryptedPrivateKey") {
  TEST_CASE("reads cipher, salt, rounds and public key of ssh-keygen's keys") {
    VPS_REQUIRE_PROGRAM(keygen_program, "ssh-keygen");
    test::TempDir dir;
    for (const auto& [rounds, cipher] : std::vector<std::pair<int, std::string>>{{16, ""}, {100, ""}, {16, "aes256-cbc"}}) {
      crypto::Ed25519Public pub{};
      const std::string text = keygen(dir, rounds, cipher, pub);
      auto key = parse_encrypted_private_key(text, "key");
      REQUIRE_MESSAGE(key, key.error().message);
      CHECK(key->cipher == (cipher.empty() ? "aes256-ctr" : cipher));
      CHECK(key->rounds == static_cast<std::uint32_t>(rounds));
      CHECK(key->salt.size() == k_bcrypt_salt_size);
      CHECK(key->public_key == pub);
      // The unencrypted parser still refuses it, naming the encryption (host keys).
      auto plain = parse_private_key(text, "key");
      CHECK(plain.error().code == Errc::unsupported);
      CHECK(plain.error().message.find("encrypted") != std::string::npos);
    }
  }

  TEST_CASE("AEAD-encrypted keys from ssh-keygen are unsupported, naming the cipher and the conversion") {
    VPS_REQUIRE_PROGRAM(keygen_program, "ssh-keygen");
    test::TempDir dir;
    for (const std::string cipher : {"aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com"}) {
      crypto::Ed25519Public pub{};
      const std::string text = keygen(dir, 16, cipher, pub);
      auto key = parse_encrypted_private_key(text, "key");
      REQUIRE(!key);
      CHECK(key.error().code == Errc::unsupported);
      CHECK(key.error().message.find("'" + cipher + "'") != std::string::npos);
      CHECK(key.error().message.find("ssh-keygen -p -Z aes256-ctr") != std::string::npos);
      // Their tag after the section is part of the format: the clear header still reads.
      auto blob = decode_private_key_armor(text, "key").value();
      auto envelope = parse_private_key_envelope(ByteView(blob.data(), blob.size()), "key");
      REQUIRE(envelope);
      CHECK(envelope->public_key == pub);
      CHECK(envelope->auth_tag.size() == 16);
      CHECK(parse_private_key(text, "key").error().message.find("encrypted") != std::string::npos);
    }
  }

  TEST_CASE("an unencrypted key is not an encrypted one") {
    VPS_REQUIRE_PROGRAM(keygen_program, "ssh-keygen");
    test::TempDir dir;
    test::ssh_keygen_ed25519(dir.path(), "plain");
    auto key = parse_encrypted_private_key(test::read_text(dir / "plain"), "plain");
    CHECK(key.error().code == Errc::unsupported);
    CHECK(key.error().message.find("not encrypted") != std::string::npos);
  }

  TEST_CASE("the builder makes a key the parser accepts") {
    auto key = parse_encrypted_private_key(Parts{}.pem(), "src");
    REQUIRE(key);
    CHECK(key->rounds == 16);
  }

  TEST_CASE("rounds: 0 is malformed, above 1000 unsupported (a file could say 2^32)") {
    expect([] { Parts p; p.rounds = 0; return p; }(), Errc::malformed, "rounds are 0");
    CHECK(parse_encrypted_private_key([] { Parts p; p.rounds = 1000; return p; }().pem(), "src"));
    expect([] { Parts p; p.rounds = 1001; return p; }(), Errc::unsupported, "1001");
    expect([] { Parts p; p.rounds = 0xffffffff; return p; }(), Errc::unsupported, "4294967295");
  }

  TEST_CASE("kdf, cipher, salt and section shapes") {
    expect([] { Parts p; p.kdf = "scrypt"; return p; }(), Errc::unsupported, "'scrypt'");
    expect([] { Parts p; p.cipher = "3des-cbc"; return p; }(), Errc::unsupported, "'3des-cbc'");
    expect([] { Parts p; p.cipher = "aes256-ctr\x1b[2J"; return p; }(), Errc::unsupported, "'aes256-ctr?[2J'");
    expect([] { Parts p; p.salt_size = 8; return p; }(), Errc::unsupported, "salt is 8 bytes");
    expect([] { Parts p; p.kdf_trailing = "x"; return p; }(), Errc::malformed, "salt and rounds");
    expect([] { Parts p; p.section_size = 100; return p; }(), Errc::malformed, "AES block size");
    expect([] { Parts p; p.section_size = 0; return p; }(), Errc::malformed, "AES block size");
    expect([] { Parts p; p.cipher = std::string(65, 'a'); return p; }(), Errc::malformed, "too long");
  }
}
