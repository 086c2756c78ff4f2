#include <vps/protocol/rebuild_request.hpp>

#include <vps/base/base64.hpp>
#include <vps/formats/openssh/fingerprint.hpp>
#include <vps/protocol/operator_sequence.hpp>
#include <vps/protocol/publication.hpp>

#include "test_support.hpp"

using namespace vps;
using protocol::RebuildRequest;

namespace {

const std::string k_host_key = "SHA256:" + std::string(43, 'A');

RebuildRequest sample(const crypto::Ed25519KeyPair& key) {
  RebuildRequest r;
  r.host = "web1";
  r.host_key = k_host_key;
  r.revision = "3f2a9c1";
  r.sequence = 1764224895000;
  r.expires = 1764228495;
  r.key = key.public_key;
  return r;
}

std::vector<formats::openssh::AuthorizedOperator> operators_of(const crypto::Ed25519KeyPair& key) {
  auto line = protocol::ssh_public_key_field(key.public_key) + " alice\n";
  return formats::openssh::parse_authorized_operators(line, "test").value();
}

}  // namespace

TEST_SUITE("protocol::RebuildRequest") {
  TEST_CASE("canonical text is the documented seven lines") {
    auto key = crypto::ed25519_generate();
    auto text = protocol::canonical_text(sample(key)).value();
    CHECK(text == "vps-rebuild/v2\nhost: web1\nhost-key: " + k_host_key +
                      "\nrevision: 3f2a9c1\nsequence: 1764224895000\nexpires: 1764228495\nkey: " +
                      protocol::ssh_public_key_field(key.public_key) + "\n");
    auto parsed = protocol::parse_rebuild_request(text).value();
    CHECK(parsed.host == "web1");
    CHECK(parsed.host_key == k_host_key);
    CHECK(parsed.revision == "3f2a9c1");
    CHECK(parsed.sequence == 1764224895000);
    CHECK(parsed.expires == 1764228495);
    CHECK(parsed.key == key.public_key);
  }

  TEST_CASE("revision grammar: strict charset, length, no leading dash") {
    CHECK(protocol::valid_revision("main"));
    CHECK(protocol::valid_revision("me/infra@v1.2+build_3"));
    CHECK(protocol::valid_revision(std::string(128, 'a')));
    CHECK_FALSE(protocol::valid_revision(std::string(129, 'a')));
    CHECK_FALSE(protocol::valid_revision(""));
    CHECK_FALSE(protocol::valid_revision("-rf"));
    for (const char* bad : {"a;b", "a b", "$(id)", "`id`", "a|b", "a&b", "a\nb", "a'b", "a\"b", "a>b", "a\\b", "a*"}) {
      CHECK_MESSAGE(!protocol::valid_revision(bad), bad);
    }
  }

  TEST_CASE("parser rejects anything but the canonical form") {
    auto key = crypto::ed25519_generate();
    const std::string good = protocol::canonical_text(sample(key)).value();
    auto rejects = [](const std::string& text) {
      auto r = protocol::parse_rebuild_request(text);
      return !r && r.error().code == Errc::malformed;
    };
    CHECK(rejects(""));
    CHECK(rejects(good.substr(0, good.size() - 1)));                     // no final newline
    CHECK(rejects(good + "x"));                                          // trailing data
    CHECK(rejects("vps-rebuild/v1" + good.substr(14)));                  // other version
    std::string crlf = good;
    crlf.insert(14, "\r");
    CHECK(rejects(crlf));
    auto replace = [&](std::string_view from, std::string_view to) {
      std::string t = good;
      t.replace(t.find(from), from.size(), to);
      return t;
    };
    CHECK(rejects(replace("host: web1", "host:  web1")));
    CHECK(rejects(replace("host: web1", "host: Web1")));
    CHECK(rejects(replace("host-key: SHA256:", "host-key: MD5:")));
    CHECK(rejects(replace("host-key: SHA256:A", "host-key: SHA256:")));
    CHECK(rejects(replace("\nhost-key: " + k_host_key, "")));
    CHECK(rejects(replace("revision: 3f2a9c1", "revision: 3f2a;rm")));
    CHECK(rejects(replace("revision: 3f2a9c1", "revision: -x")));
    CHECK(rejects(replace("sequence: 1764224895000", "sequence: 01764224895000")));
    CHECK(rejects(replace("sequence: 1764224895000", "sequence: 0")));
    CHECK(rejects(replace("sequence: 1764224895000", "sequence: 99999999999999999999")));
    CHECK(rejects(replace("sequence: 1764224895000", "sequence: -1")));
    CHECK(rejects(replace("expires: 1764228495", "expires: 1e9")));
    CHECK(rejects(replace("key: ssh", "key:  ssh")));
    CHECK(rejects(replace("\nkey: ", "\nkey: ssh-rsa ")));
    CHECK(rejects(good.substr(0, good.size() - 1) + " comment\n"));      // key comment
    CHECK(rejects(std::string(2000, 'a')));
  }

  TEST_CASE("sign, parse and authorize round-trip") {
    auto key = crypto::ed25519_generate();
    auto s = protocol::sign_rebuild_request(sample(key), crypto::SeedSigner(key.seed)).value();
    auto parsed = protocol::parse_signed_rebuild_request(s.text, base64::encode(s.signature)).value();
    auto ops = operators_of(key);
    auto who = protocol::authorize_rebuild(parsed, ops);
    REQUIRE(who);
    CHECK(who->name == "alice");
  }

  TEST_CASE("authorize: unknown key is unauthorized, tampered text fails integrity") {
    auto alice = crypto::ed25519_generate();
    auto mallory = crypto::ed25519_generate();
    auto ops = operators_of(alice);
    auto by_mallory = protocol::sign_rebuild_request(sample(mallory), crypto::SeedSigner(mallory.seed)).value();
    CHECK(protocol::authorize_rebuild(by_mallory, ops).error().code == Errc::unauthorized);

    auto s = protocol::sign_rebuild_request(sample(alice), crypto::SeedSigner(alice.seed)).value();
    std::string tampered = s.text;
    tampered.replace(tampered.find("3f2a9c1"), 7, "3f2a9c2");
    auto parsed = protocol::parse_signed_rebuild_request(tampered, base64::encode(s.signature)).value();
    CHECK(protocol::authorize_rebuild(parsed, ops).error().code == Errc::integrity);

    // mallory re-signs with alice's key field: still alice's key, so the signature fails.
    auto forged = sample(alice);
    forged.revision = "evil";
    auto forged_text = protocol::canonical_text(forged).value();
    auto sig = crypto::ed25519_sign(mallory.seed, as_bytes(forged_text));
    auto forged_parsed = protocol::parse_signed_rebuild_request(forged_text, base64::encode(sig)).value();
    CHECK(protocol::authorize_rebuild(forged_parsed, ops).error().code == Errc::integrity);
  }

  TEST_CASE("bad signature encodings are malformed") {
    auto key = crypto::ed25519_generate();
    auto text = protocol::canonical_text(sample(key)).value();
    CHECK(protocol::parse_signed_rebuild_request(text, "").error().code == Errc::malformed);
    CHECK(protocol::parse_signed_rebuild_request(text, std::string(88, '!')).error().code == Errc::malformed);
    CHECK(protocol::parse_signed_rebuild_request(text, base64::encode(Bytes(32, 1))).error().code == Errc::malformed);
  }

  TEST_CASE("applicability: host name and key, replay, clock bound, expiry") {
    auto key = crypto::ed25519_generate();
    auto r = sample(key);
    const std::int64_t now = (r.expires - 1) * 1000;
    CHECK(protocol::check_rebuild_applicable(r, "web1", k_host_key, 0, now));
    CHECK(protocol::check_rebuild_applicable(r, "web2", k_host_key, 0, now).error().code == Errc::unauthorized);
    // A re-installed instance with the same name has another key: not for it.
    auto other_key = protocol::check_rebuild_applicable(r, "web1", "SHA256:" + std::string(43, 'B'), 0, now);
    CHECK(other_key.error().code == Errc::unauthorized);
    CHECK(other_key.error().message.find("host key") != std::string::npos);
    auto replay = protocol::check_rebuild_applicable(r, "web1", k_host_key, r.sequence, now);
    CHECK(replay.error().code == Errc::refused);
    CHECK(replay.error().message.find("replayed") != std::string::npos);
    CHECK(protocol::check_rebuild_applicable(r, "web1", k_host_key, r.sequence - 1, now));
    auto expired = protocol::check_rebuild_applicable(r, "web1", k_host_key, 0, r.expires * 1000);
    CHECK(expired.error().code == Errc::refused);
    CHECK(expired.error().message.find("expired") != std::string::npos);
    // A sequence that would lock out every later request (2^63-1) is refused by the host's clock.
    auto lockout = r;
    lockout.sequence = INT64_MAX;
    auto refused = protocol::check_rebuild_applicable(lockout, "web1", k_host_key, 0, now);
    CHECK(refused.error().code == Errc::refused);
    CHECK(refused.error().message.find("24 h ahead") != std::string::npos);
  }
}

TEST_SUITE("protocol::operator_sequence") {
  TEST_CASE("next is max(last + 1, now), refused when last is beyond the clock's bound") {
    const std::int64_t now = 1'800'000'000'000;
    CHECK(protocol::next_sequence(0, now, "x").value() == now);
    CHECK(protocol::next_sequence(now + 5, now, "x").value() == now + 6);
    CHECK(protocol::next_sequence(now + protocol::k_max_sequence_lead_ms - 1, now, "x").value() ==
          now + protocol::k_max_sequence_lead_ms);
    CHECK(protocol::next_sequence(now + protocol::k_max_sequence_lead_ms, now, "x").error().code == Errc::refused);
    CHECK(protocol::next_sequence(INT64_MAX, now, "x").error().code == Errc::refused);  // no signed overflow
    CHECK(protocol::next_sequence(-1, now, "x").error().code == Errc::refused);
    CHECK(protocol::check_sequence_lead(now + protocol::k_max_sequence_lead_ms, now, "x"));
    CHECK(protocol::check_sequence_lead(now + protocol::k_max_sequence_lead_ms + 1, now, "x").error().code ==
          Errc::refused);
  }
}
