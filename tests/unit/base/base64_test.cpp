#include <doctest/doctest.h>

#include <vps/base/base64.hpp>

using namespace vps;

TEST_SUITE("base64") {
  TEST_CASE("round-trips every length with and without padding") {
    for (std::size_t len = 0; len < 70; ++len) {
      Bytes data(len);
      for (std::size_t i = 0; i < len; ++i) data[i] = static_cast<std::uint8_t>(i * 37 + 11);
      for (auto padding : {base64::Padding::required, base64::Padding::forbidden}) {
        auto text = base64::encode(data, padding);
        auto back = base64::decode(text, padding);
        REQUIRE(back);
        CHECK(*back == data);
      }
    }
  }
  TEST_CASE("matches RFC 4648 vectors") {
    CHECK(base64::encode(as_bytes("foobar")) == "Zm9vYmFy");
    CHECK(base64::encode(as_bytes("fo")) == "Zm8=");
    CHECK(base64::encode(as_bytes("f"), base64::Padding::forbidden) == "Zg");
  }
  TEST_CASE("rejects non-canonical trailing bits") {
    CHECK(base64::decode("Zg", base64::Padding::forbidden));
    auto bad = base64::decode("Zh", base64::Padding::forbidden);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == Errc::malformed);
  }
  TEST_CASE("rejects padding where forbidden and missing padding where required") {
    CHECK_FALSE(base64::decode("Zg==", base64::Padding::forbidden));
    CHECK_FALSE(base64::decode("Zg", base64::Padding::required));
  }
  TEST_CASE("rejects whitespace and CR/LF") {
    CHECK_FALSE(base64::decode("Zm9v\nYmFy"));
    CHECK_FALSE(base64::decode("Zm9v\rYmFy"));
    CHECK_FALSE(base64::decode("Zm9v YmFy"));
  }
  TEST_CASE("rejects truncated input") {
    CHECK_FALSE(base64::decode("Z", base64::Padding::forbidden));
  }
}
