// Every C2SP age testkit (CCTV) vector through the real `vps-agent decrypt` binary, not only
// through the library (tests/unit/formats/age/testkit_test.cpp): the CLI's own input handling
// (format detection, armor with whitespace around it, stdout and -o output) must agree with the
// kit. Each vector is decrypted twice, to stdout and with -o; checked are the exit code of the
// expected class and the output bytes (SHA-256 of the plaintext released before any failure on
// stdout; with -o a file only on success, holding exactly the plaintext).
//
// `vps-agent decrypt` takes identity files only, no passphrase (hosts decrypt with their key),
// so the 26 passphrase (scrypt) vectors are run with an unrelated X25519 identity and must end
// as the library ends with that identity (no match, or a header failure that needs no
// passphrase to see). Post-quantum identities are refused when the identity file is read (69).
#include <doctest/doctest.h>

#include <filesystem>
#include <map>

#include <vps/base/hex.hpp>
#include <vps/crypto/hash.hpp>
#include <vps/formats/age/age.hpp>
#include <vps/formats/age/decrypt.hpp>

#include "age_testkit.hpp"
#include "test_support.hpp"

using namespace vps;
using namespace vps::test;

namespace {

// An X25519 identity unrelated to every vector, for vectors that bring none of their own.
constexpr std::string_view k_unrelated_identity =
    "AGE-SECRET-KEY-1XDK0YP4R554ZJJVHG5Y6L4TAP4NYS9NJFH0LF83RRYLSTXA5VMZQHV8LFC";

const std::map<std::string, int> k_exit_of_class = {
    {"success", 0},         {"no match", 81},       {"HMAC failure", 80},  {"payload failure", 80},
    {"header failure", 65}, {"armor failure", 65},  {"unsupported", 69},
};

std::string sha256_hex(std::string_view bytes) { return hex::encode(crypto::sha256(as_bytes(bytes))); }

bool post_quantum(const age_testkit::Vector& v) {
  for (const auto& id : v.identities)
    if (!formats::age::X25519Identity::parse(id)) return true;
  return false;
}

// The outcome class the library reaches with only the identity the CLI is given.
std::string library_class_without_passphrase(const age_testkit::Vector& v) {
  formats::age::IdentityList ids;
  ids.push_back(std::make_unique<formats::age::X25519Identity>(
      std::move(*formats::age::X25519Identity::parse(k_unrelated_identity))));
  formats::age::Failure failure = formats::age::Failure::none;
  (void)formats::age::decrypt(v.file, formats::age::pointers(ids), &failure);
  return std::string(formats::age::failure_name(failure));
}

}  // namespace

TEST_SUITE("agent::decrypt") {
  TEST_CASE("every C2SP age testkit vector through vps-agent decrypt") {
    VPS_REQUIRE_FIXTURES(fixtures);
    const auto kit = fixtures / "age-testkit";
    if (!std::filesystem::is_directory(kit)) VPS_SKIP("age-testkit fixtures not found");
    const auto files = age_testkit::vector_files(kit);
    CHECK(files.size() == age_testkit::k_vector_count);
    TempDir dir;
    std::size_t agreed = 0;
    std::string disagreed;
    for (const auto& path : files) {
      const auto v = age_testkit::load_vector(path);
      std::string identities;
      for (const auto& id : v.identities) identities += id + "\n";
      if (v.identities.empty()) identities = std::string(k_unrelated_identity) + "\n";
      write_text(dir / "identities.txt", identities);
      write_text(dir / "file", std::string(as_chars(v.file)));

      std::string expect = v.expect;
      if (!v.passphrases.empty()) expect = library_class_without_passphrase(v);
      if (post_quantum(v)) expect = "unsupported";
      REQUIRE_MESSAGE(k_exit_of_class.count(expect) == 1, v.name << ": unknown class '" << expect << "'");
      const int want = k_exit_of_class.at(expect);

      auto to_stdout = run({agent_binary().string(), "decrypt", "-i", (dir / "identities.txt").string(),
                            (dir / "file").string()});
      INFO("vector " << v.name << " (expect " << expect << "): " << to_stdout.err);
      CHECK_MESSAGE(to_stdout.exit_code == want, v.name << ": exit " << to_stdout.exit_code << ", want " << want);
      if ((expect == "success" || expect == "payload failure") && !v.payload_hash.empty()) {
        CHECK_MESSAGE(sha256_hex(to_stdout.out) == v.payload_hash, v.name << ": plaintext on stdout differs");
      } else if (expect != "success") {
        CHECK_MESSAGE(to_stdout.out.empty(), v.name << ": output before a " << expect);
      }

      std::filesystem::remove(dir / "out");
      auto to_file = run({agent_binary().string(), "decrypt", "-i", (dir / "identities.txt").string(), "-o",
                          (dir / "out").string(), (dir / "file").string()});
      CHECK_MESSAGE(to_file.exit_code == want, v.name << " -o: exit " << to_file.exit_code << ", want " << want);
      if (want == 0) {
        CHECK_MESSAGE(std::filesystem::exists(dir / "out"), v.name << ": -o wrote no file");
        if (std::filesystem::exists(dir / "out") && !v.payload_hash.empty())
          CHECK(sha256_hex(read_text(dir / "out")) == v.payload_hash);
      } else {
        CHECK_MESSAGE(!std::filesystem::exists(dir / "out"), v.name << ": -o left a file after a failure");
      }
      if (to_stdout.exit_code == want && to_file.exit_code == want) ++agreed;
      else disagreed += " " + v.name;
    }
    std::printf("age testkit through vps-agent decrypt: %zu of %zu vectors as expected%s\n", agreed, files.size(),
                disagreed.c_str());
    CHECK(agreed == files.size());
  }
}
