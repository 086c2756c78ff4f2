// formats::openssh agent protocol: requests byte for byte as draft-miller-ssh-agent lays them
// out, and answers (untrusted: any process can sit on $SSH_AUTH_SOCK) parsed strictly: failure
// is a refusal, everything else that is not exactly the expected answer is malformed.
#include <doctest/doctest.h>

#include <vps/formats/openssh/agent_protocol.hpp>
#include <vps/formats/openssh/public_key.hpp>
#include <vps/formats/openssh/wire.hpp>

using namespace vps;
using namespace vps::formats::openssh;

namespace {

Bytes identities_answer(const std::vector<std::pair<Bytes, std::string>>& keys, std::uint32_t count_delta = 0) {
  Bytes out{k_agent_identities_answer};
  put_u32(out, static_cast<std::uint32_t>(keys.size()) + count_delta);
  for (const auto& [blob, comment] : keys) {
    put_string(out, blob);
    put_string(out, as_bytes(comment));
  }
  return out;
}

Bytes sign_response(std::string_view type, std::size_t signature_size, const std::string& inner_trailing = "") {
  Bytes signature;
  put_string(signature, as_bytes(type));
  put_string(signature, Bytes(signature_size, 0xab));
  signature.insert(signature.end(), inner_trailing.begin(), inner_trailing.end());
  Bytes out{k_agent_sign_response};
  put_string(out, signature);
  return out;
}

Bytes rsa_like_blob() {
  Bytes blob;
  put_string(blob, as_bytes("ssh-rsa"));
  put_string(blob, Bytes{1, 0, 1});
  put_string(blob, Bytes(257, 7));
  return blob;
}

}  // namespace

TEST_SUITE("formats::openssh::AgentProtocol") {
  TEST_CASE("requests are framed as the draft lays them out") {
    CHECK(encode_request_identities() == Bytes{0, 0, 0, 1, 11});
    const Bytes blob{1, 2, 3};
    const Bytes sign = encode_sign_request(blob, as_bytes("data"));
    const Bytes expected{0, 0, 0, 20, 13, 0, 0, 0, 3, 1, 2, 3, 0, 0, 0, 4, 'd', 'a', 't', 'a', 0, 0, 0, 0};
    CHECK(sign == expected);
  }

  TEST_CASE("answer lengths are bounded before a byte of the body is read") {
    CHECK(parse_message_length(Bytes{0, 0, 0, 1}).value() == 1);
    CHECK(parse_message_length(Bytes{0, 4, 0, 0}).value() == k_max_agent_message);
    CHECK(parse_message_length(Bytes{0, 4, 0, 1}).error().code == Errc::malformed);
    CHECK(parse_message_length(Bytes{0xff, 0xff, 0xff, 0xff}).error().code == Errc::malformed);
    CHECK(parse_message_length(Bytes{0, 0, 0, 0}).error().code == Errc::malformed);
    CHECK(parse_message_length(Bytes{0, 0, 1}).error().code == Errc::malformed);
  }

  TEST_CASE("identities: ed25519 keys are recognised, others kept as blobs, comments kept") {
    const auto pair = crypto::ed25519_generate();
    auto answer = identities_answer({{rsa_like_blob(), "rsa@box"}, {wire_encoding(pair.public_key), "alice@laptop"}});
    auto ids = parse_identities_answer(answer);
    REQUIRE(ids);
    REQUIRE(ids->size() == 2);
    CHECK(!(*ids)[0].ed25519);
    CHECK((*ids)[0].comment == "rsa@box");
    REQUIRE((*ids)[1].ed25519);
    CHECK(*(*ids)[1].ed25519 == pair.public_key);
    CHECK((*ids)[1].key_blob == wire_encoding(pair.public_key));
    CHECK((*ids)[1].comment == "alice@laptop");
    CHECK(parse_identities_answer(identities_answer({})).value().empty());
  }

  TEST_CASE("an ed25519 blob with anything after the key is not taken for an ed25519 key") {
    const auto pair = crypto::ed25519_generate();
    Bytes blob = wire_encoding(pair.public_key);
    blob.push_back(0);
    auto ids = parse_identities_answer(identities_answer({{blob, ""}}));
    REQUIRE(ids);
    CHECK(!(*ids)[0].ed25519);
  }

  TEST_CASE("failure answers are refusals, in every spelling OpenSSH accepts") {
    for (std::uint8_t failure : {k_agent_failure, k_agent2_failure, k_com_agent2_failure}) {
      CHECK(parse_identities_answer(Bytes{failure}).error().code == Errc::unauthorized);
      auto refused = parse_sign_response(Bytes{failure});
      CHECK(refused.error().code == Errc::unauthorized);
      CHECK(refused.error().message.find("refused to sign") != std::string::npos);
    }
  }

  TEST_CASE("identities: wrong type, trailing bytes, counts the message cannot hold") {
    const auto pair = crypto::ed25519_generate();
    auto good = identities_answer({{wire_encoding(pair.public_key), "c"}});
    Bytes wrong_type = good;
    wrong_type[0] = k_agent_sign_response;
    CHECK(parse_identities_answer(wrong_type).error().code == Errc::malformed);
    Bytes trailing = good;
    trailing.push_back(0);
    CHECK(parse_identities_answer(trailing).error().code == Errc::malformed);
    CHECK(parse_identities_answer(identities_answer({{wire_encoding(pair.public_key), "c"}}, 1)).error().code ==
          Errc::malformed);
    Bytes huge_count{k_agent_identities_answer, 0x7f, 0xff, 0xff, 0xff};
    auto refused = parse_identities_answer(huge_count);
    CHECK(refused.error().code == Errc::malformed);
    CHECK(refused.error().message.find("2048") != std::string::npos);
    Bytes too_many = identities_answer({});
    too_many[4] = 0x08;  // 2048 keys said, none there
    CHECK(parse_identities_answer(too_many).error().code == Errc::malformed);
    CHECK(parse_identities_answer(Bytes{}).error().code == Errc::malformed);
    CHECK(parse_identities_answer(Bytes(k_max_agent_message + 1, 12)).error().code == Errc::malformed);
  }

  TEST_CASE("identities: every truncation is refused, never crashes") {
    const auto pair = crypto::ed25519_generate();
    auto good = identities_answer({{rsa_like_blob(), "r"}, {wire_encoding(pair.public_key), "c"}});
    for (std::size_t n = 0; n < good.size(); ++n)
      CHECK(!parse_identities_answer(ByteView(good).first(n)));
  }

  TEST_CASE("sign responses: exactly one ssh-ed25519 signature of 64 bytes") {
    auto good = parse_sign_response(sign_response("ssh-ed25519", 64));
    REQUIRE(good);
    CHECK((*good)[0] == 0xab);
    CHECK((*good)[63] == 0xab);
    CHECK(parse_sign_response(sign_response("rsa-sha2-512", 64)).error().code == Errc::malformed);
    CHECK(parse_sign_response(sign_response("ssh-ed25519", 63)).error().code == Errc::malformed);
    CHECK(parse_sign_response(sign_response("ssh-ed25519", 65)).error().code == Errc::malformed);
    CHECK(parse_sign_response(sign_response("ssh-ed25519", 64, "x")).error().code == Errc::malformed);
    Bytes trailing = sign_response("ssh-ed25519", 64);
    trailing.push_back(0);
    CHECK(parse_sign_response(trailing).error().code == Errc::malformed);
    Bytes wrong_type = sign_response("ssh-ed25519", 64);
    wrong_type[0] = k_agent_identities_answer;
    CHECK(parse_sign_response(wrong_type).error().code == Errc::malformed);
    auto full = sign_response("ssh-ed25519", 64);
    for (std::size_t n = 0; n < full.size(); ++n) CHECK(!parse_sign_response(ByteView(full).first(n)));
  }

  TEST_CASE("comments are shown printable and short") {
    CHECK(printable_comment("alice@laptop") == "alice@laptop");
    CHECK(printable_comment("a\x1b[31mb\nc") == "a?[31mb?c");
    CHECK(printable_comment(std::string(200, 'x')).size() == 64);
  }
}
