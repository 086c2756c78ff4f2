#include <doctest/doctest.h>

#include <vps/formats/age/armor.hpp>
#include <vps/formats/age/format.hpp>

using namespace vps;
using namespace vps::formats::age;

namespace {
Result<Header> parse(std::string_view text) {
  MemorySource source(as_bytes(text));
  BufferedReader reader(source);
  return parse_header(reader);
}
const std::string k_mac_line = "--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n";
}  // namespace

TEST_SUITE("formats::age::Header") {
  TEST_CASE("round-trips stanzas, including a 48-byte body that needs an empty final line") {
    std::vector<Stanza> stanzas{{"X25519", {"abc"}, Bytes(32, 1)}, {"other", {}, Bytes(48, 2)}, {"empty", {"a", "b"}, {}}};
    auto text = marshal_header_without_mac(stanzas);
    REQUIRE(text);
    CHECK(text->find("\n\n-> empty") != std::string::npos);
    auto header = parse(*text + marshal_mac_line(Bytes(32, 9)));
    REQUIRE_MESSAGE(header, header.error().message);
    REQUIRE(header->stanzas.size() == 3);
    CHECK(header->stanzas[1].body == Bytes(48, 2));
    CHECK(header->stanzas[2].args.size() == 2);
    CHECK(as_chars(header->mac_input) == *text);
  }
  TEST_CASE("rejects CR, padding, bad arguments and an unterminated body") {
    const std::string intro = "age-encryption.org/v1\n";
    for (const std::string& bad : {
             std::string("age-encryption.org/v1\r\n-> a\n\n") + k_mac_line,
             intro + "-> a\r\n\n" + k_mac_line,
             intro + "-> a\nQUE=\n" + k_mac_line,
             intro + "-> a  b\n\n" + k_mac_line,
             intro + "-> a \n\n" + k_mac_line,
             intro + "->\n\n" + k_mac_line,
             intro + "-> a\n" + k_mac_line,
             intro + "-> a\n\n--- AAAA\n",
             intro + "-> a\n\n---  AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
             intro + "-> a\n\nunexpected\n" + k_mac_line,
             intro + "-> a\n\n" + "--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
             std::string("age-encryption.org/v2\n-> a\n\n") + k_mac_line,
         }) {
      INFO(bad);
      auto h = parse(bad);
      REQUIRE(!h);
      CHECK(h.error().code == Errc::malformed);
    }
  }
  TEST_CASE("caps line length and stanza count") {
    std::string text = "age-encryption.org/v1\n-> " + std::string(k_max_header_line, 'a') + "\n\n" + k_mac_line;
    CHECK(!parse(text));
    std::string many = "age-encryption.org/v1\n";
    for (std::size_t i = 0; i <= k_max_stanzas; ++i) many += "-> x\n\n";
    CHECK(!parse(many + k_mac_line));
  }
}

TEST_SUITE("formats::age::armor") {
  TEST_CASE("encodes like age (64 columns, END on its own line) and decodes back") {
    for (std::size_t size : {0, 1, 47, 48, 49, 96, 100000}) {
      Bytes data(size);
      for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<std::uint8_t>(i * 7);
      Bytes armored = armor_encode(data);
      std::string text(armored.begin(), armored.end());
      CHECK(text.starts_with("-----BEGIN AGE ENCRYPTED FILE-----\n"));
      CHECK(text.ends_with("\n-----END AGE ENCRYPTED FILE-----\n"));
      auto back = armor_decode(armored);
      REQUIRE_MESSAGE(back, back.error().message);
      CHECK(*back == data);
    }
  }
  TEST_CASE("rejects trailing garbage, long lines and missing END") {
    const Bytes encoded = armor_encode(Bytes(10, 1));
    const std::string good(encoded.begin(), encoded.end());
    CHECK(armor_decode(as_bytes(good + "\n \t\n")).has_value());
    CHECK(!armor_decode(as_bytes(good + "x")));
    CHECK(!armor_decode(as_bytes(good.substr(0, good.size() - 10))));
    CHECK(!armor_decode(as_bytes(good + std::string(1024, ' '))));
  }
}
