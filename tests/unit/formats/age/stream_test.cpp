#include <doctest/doctest.h>

#include <vps/crypto/random.hpp>
#include <vps/formats/age/age.hpp>
#include <vps/formats/age/decrypt.hpp>
#include <vps/formats/age/stream.hpp>

using namespace vps;
using namespace vps::formats::age;

namespace {
Bytes make_random(std::size_t n) {
  Bytes b(n);
  if (n) crypto::random_bytes(b);
  return b;
}
}  // namespace

TEST_SUITE("formats::age::stream") {
  TEST_CASE("round-trips payloads at chunk boundaries, inline and threaded") {
    auto id = *X25519Identity::parse("AGE-SECRET-KEY-1G0Q5K9TV4REQ3ZSQRMTMG8NSWQGYT0T7TZ33RAZEE0GZYVZN0APSU24RK7");
    auto recipient = id.recipient();
    for (std::size_t size : {std::size_t{0}, std::size_t{1}, k_chunk_size - 1, k_chunk_size, k_chunk_size + 1,
                             3 * k_chunk_size, 5 * k_chunk_size + 7}) {
      Bytes plain = make_random(size);
      for (bool armor : {false, true}) {
        auto file = encrypt(plain, {&recipient}, armor);
        REQUIRE(file);
        for (unsigned threads : {1u, 2u}) {
          INFO("size " << size << " armor " << armor << " threads " << threads);
          MemorySource source(*file);
          BufferSink sink;
          StreamOptions options;
          options.threads = threads;
          options.batch_chunks = 2;
          Failure failure = Failure::none;
          auto st = decrypt_to(source, sink, {&id}, options, &failure);
          REQUIRE_MESSAGE(st, st.error().message);
          CHECK(failure == Failure::none);
          CHECK(Bytes(sink.data().begin(), sink.data().end()) == plain);
        }
      }
    }
  }
  TEST_CASE("truncation and trailing data are payload failures keeping the authenticated prefix") {
    auto id = *X25519Identity::parse("AGE-SECRET-KEY-1G0Q5K9TV4REQ3ZSQRMTMG8NSWQGYT0T7TZ33RAZEE0GZYVZN0APSU24RK7");
    auto recipient = id.recipient();
    // Two full chunks, the second one final: cutting it leaves a non-final chunk at the end;
    // a byte after it is trailing data (after a short final chunk it would just break the tag).
    Bytes plain = make_random(2 * k_chunk_size);
    Bytes file = *encrypt(plain, {&recipient}, false);
    Bytes truncated(file.begin(), file.end() - static_cast<std::ptrdiff_t>(k_encrypted_chunk_size));
    Bytes trailing = file;
    trailing.push_back(0);
    for (unsigned threads : {1u, 2u}) {
      StreamOptions options;
      options.threads = threads;
      options.batch_chunks = 1;
      for (const Bytes* input : {&truncated, &trailing}) {
        MemorySource source(*input);
        BufferSink sink;
        Failure failure = Failure::none;
        auto st = decrypt_to(source, sink, {&id}, options, &failure);
        REQUIRE(!st);
        CHECK(st.error().code == Errc::integrity);
        CHECK(failure == Failure::payload);
        const std::size_t released = input == &truncated ? k_chunk_size : plain.size();
        CHECK(Bytes(sink.data().begin(), sink.data().end()) == Bytes(plain.begin(), plain.begin() + static_cast<std::ptrdiff_t>(released)));
      }
    }
  }
  TEST_CASE("scrypt must be alone, and files round-trip with a passphrase") {
    ScryptRecipient pass("hunter2", 10);
    ScryptIdentity id("hunter2");
    auto other = X25519Identity::parse("AGE-SECRET-KEY-1G0Q5K9TV4REQ3ZSQRMTMG8NSWQGYT0T7TZ33RAZEE0GZYVZN0APSU24RK7")->recipient();
    CHECK(encrypt(as_bytes("x"), {&pass, &other}, false).error().code == Errc::usage);
    auto file = encrypt(as_bytes("secret"), {&pass}, true);
    REQUIRE(file);
    auto out = decrypt(*file, {&id});
    REQUIRE(out);
    CHECK(std::string(out->begin(), out->end()) == "secret");
    ScryptIdentity wrong("nope");
    CHECK(decrypt(*file, {&wrong}).error().code == Errc::no_identity);
  }
}
