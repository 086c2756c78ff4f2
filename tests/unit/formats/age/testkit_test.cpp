// Runs every C2SP age testkit (CCTV) vector: each file states the expected outcome class and,
// for success and payload failure, the SHA-256 of the plaintext released before any failure.
// Outcomes are compared by failure stage (formats::age::Failure) and Errc, never by message.
// Post-quantum (hybrid ML-KEM) vectors are counted and listed as unsupported, not passed.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include <vps/base/hex.hpp>
#include <vps/crypto/hash.hpp>
#include <vps/formats/age/age.hpp>
#include <vps/formats/age/armor.hpp>
#include <vps/formats/age/decrypt.hpp>

#include "age_testkit.hpp"
#include "test_support.hpp"

using namespace vps;
using namespace vps::formats::age;

namespace {

using test::age_testkit::Vector;
using test::age_testkit::load_vector;

class HashSink final : public ByteSink {
 public:
  Status write(std::span<const ByteView> pieces) override {
    for (ByteView p : pieces) m_hash.update(p);
    return {};
  }
  std::string hex() { return hex::encode(m_hash.finish()); }

 private:
  crypto::Sha256 m_hash;
};

Errc expected_code(Failure f) {
  switch (f) {
    case Failure::armor:
    case Failure::header: return Errc::malformed;
    case Failure::header_mac:
    case Failure::payload: return Errc::integrity;
    case Failure::no_match: return Errc::no_identity;
    default: return Errc::internal;
  }
}

struct Outcome {
  std::string klass;
  std::string hash;
  std::optional<Error> error;
};

Outcome run_vector(const Vector& v, const IdentityList& ids, const StreamOptions& options) {
  MemorySource raw(v.file);
  std::optional<ArmorReader> armor;
  ByteSource* source = &raw;
  if (v.armored) source = &armor.emplace(raw);
  HashSink sink;
  Failure failure = Failure::none;
  Status st = decrypt_to(*source, sink, pointers(ids), options, &failure);
  if (!st && armor && armor->failed()) failure = Failure::armor;
  Outcome out{std::string(failure_name(failure)), sink.hex(), std::nullopt};
  if (!st) out.error = st.error();
  return out;
}

}  // namespace

TEST_SUITE("formats::age::testkit") {
  TEST_CASE("every C2SP age testkit vector yields its expected outcome") {
    VPS_REQUIRE_FIXTURES(fixtures);
    const auto dir = fixtures / "age-testkit";
    if (!std::filesystem::is_directory(dir)) VPS_SKIP("age-testkit fixtures not found");
    const auto files = test::age_testkit::vector_files(dir);
    CHECK(files.size() == test::age_testkit::k_vector_count);

    std::vector<std::string> unsupported;
    std::size_t passed = 0;
    for (const auto& path : files) {
      Vector v = load_vector(path);
      IdentityList ids;
      bool post_quantum = false;
      for (const auto& text : v.identities) {
        auto id = X25519Identity::parse(text);
        if (!id) {
          auto parsed = parse_identity_file(text, v.name);
          REQUIRE_MESSAGE(!parsed, v.name << ": identity parsed in an unexpected way");
          REQUIRE_MESSAGE(parsed.error().code == Errc::unsupported, v.name << ": " << parsed.error().message);
          post_quantum = true;
          continue;
        }
        ids.push_back(std::make_unique<X25519Identity>(std::move(*id)));
      }
      for (const auto& p : v.passphrases) ids.push_back(std::make_unique<ScryptIdentity>(p));
      if (post_quantum) {
        unsupported.push_back(v.name);
        continue;
      }
      // Inline decryption, then the threaded pipeline with one chunk per batch so that chunk
      // ordering across batches and workers is exercised.
      StreamOptions inline_options;
      inline_options.threads = 1;
      StreamOptions threaded;
      threaded.threads = 2;
      threaded.batch_chunks = 1;
      threaded.batches = 3;
      for (const auto& options : {inline_options, threaded}) {
        Outcome got = run_vector(v, ids, options);
        INFO("vector " << v.name << " (threads " << options.threads << ")"
                       << (got.error ? ": " + got.error->message : std::string()));
        CHECK_MESSAGE(got.klass == v.expect, v.name << ": expected '" << v.expect << "', got '" << got.klass << "'");
        if (got.error && v.expect != "armor failure")
          CHECK_MESSAGE(got.error->code == expected_code(
                                               v.expect == "header failure"    ? Failure::header
                                               : v.expect == "HMAC failure"    ? Failure::header_mac
                                               : v.expect == "payload failure" ? Failure::payload
                                                                               : Failure::no_match),
                        v.name << ": unexpected Errc " << static_cast<int>(got.error->code));
        if ((v.expect == "success" || v.expect == "payload failure") && !v.payload_hash.empty())
          CHECK_MESSAGE(got.hash == v.payload_hash, v.name << ": plaintext hash mismatch");
        if (got.klass == v.expect) ++passed;
      }
    }
    std::ostringstream list;
    for (const auto& name : unsupported) list << " " << name;
    MESSAGE("age testkit: " << passed / 2 << " vectors passed (inline and threaded), " << unsupported.size()
                            << " post-quantum vectors unsupported:" << list.str());
    std::printf("age testkit: %zu passed, %zu unsupported (post-quantum):%s\n", passed / 2, unsupported.size(),
                list.str().c_str());
    CHECK(passed / 2 + unsupported.size() == files.size());
  }
}
