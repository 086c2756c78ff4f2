#include <doctest/doctest.h>

#include <limits>

#include <vps/base/text.hpp>

using namespace vps::text;

TEST_SUITE("base::text") {
  TEST_CASE("utf8_prefix never ends inside a character") {
    const std::string s = "ab\xc3\xa9" "c\xe2\x82\xac" "d\xf0\x9f\x94\x91";  // é (2), € (3), 🔑 (4)
    CHECK(utf8_prefix(s, 100) == s);
    CHECK(utf8_prefix(s, 2) == "ab");
    CHECK(utf8_prefix(s, 3) == "ab");
    CHECK(utf8_prefix(s, 4) == "ab\xc3\xa9");
    CHECK(utf8_prefix(s, 6) == "ab\xc3\xa9" "c");
    CHECK(utf8_prefix(s, 7) == "ab\xc3\xa9" "c");
    CHECK(utf8_prefix(s, 8) == "ab\xc3\xa9" "c\xe2\x82\xac");
    CHECK(utf8_prefix(s, 12) == "ab\xc3\xa9" "c\xe2\x82\xac" "d");
    CHECK(utf8_prefix(s, 0).empty());
    // Invalid bytes count one each: the cut can fall between them.
    CHECK(utf8_prefix("a\xff\xfe" "b", 2) == "a\xff");
    CHECK(utf8_prefix("\xc3", 1) == "\xc3");
  }

  TEST_CASE("utf8_suffix never starts inside a character") {
    const std::string s = "x\xe2\x82\xac" "y";
    CHECK(utf8_suffix(s, 10) == s);
    CHECK(utf8_suffix(s, 4) == "\xe2\x82\xac" "y");
    CHECK(utf8_suffix(s, 3) == "y");
    CHECK(utf8_suffix(s, 2) == "y");
    CHECK(utf8_suffix(s, 1) == "y");
  }

  TEST_CASE("escape_control escapes C0, DEL, C1 and invalid UTF-8, keeps the rest") {
    CHECK(escape_control("plain text, é € 🔑 \\ ok") == "plain text, é € 🔑 \\ ok");
    CHECK(escape_control("a\nb\r\tc") == "a\\nb\\r\\tc");
    CHECK(escape_control("x\n<0>forged") == "x\\n<0>forged");
    CHECK(escape_control("\x1b[31mred\x1b[0m\x07\x7f") == "\\x1b[31mred\\x1b[0m\\x07\\x7f");
    CHECK(escape_control(std::string("nul\0x", 5)) == "nul\\x00x");
    CHECK(escape_control("csi\xc2\x9b" "2J") == "csi\\xc2\\x9b2J");   // U+009B, the one-byte CSI
    CHECK(escape_control("nbsp\xc2\xa0") == "nbsp\xc2\xa0");          // U+00A0 is text
    CHECK(escape_control("bad\xff\xc3(") == "bad\\xff\\xc3(");
    CHECK(escape_control("\xed\xa0\x80") == "\\xed\\xa0\\x80");     // a UTF-16 surrogate
    CHECK(escape_control("\xc0\xaf") == "\\xc0\\xaf");               // overlong '/'
  }

  TEST_CASE("escape_control keeps newlines and tabs for multi-line terminal text") {
    CHECK(escape_control("one\n\ttwo\r\n\x1b[2J", Newlines::keep) == "one\n\ttwo\\r\n\\x1b[2J");
  }

  TEST_CASE("parse_decimal: digits only, no leading zero, inside the range") {
    CHECK(parse_decimal("0", 0, 60) == 0);
    CHECK(parse_decimal("60", 0, 60) == 60);
    CHECK(parse_decimal("1000", 1, 1000) == 1000);
    for (const char* bad : {"", "61", "-1", "+1", "05", "1x", " 1", "1.0", "99999999999999999999"}) {
      CHECK_MESSAGE(!parse_decimal(bad, 0, 60), bad);
    }
  }

  TEST_CASE("parse_decimal: all of int64, and nothing past it") {
    constexpr auto max = std::numeric_limits<std::int64_t>::max();
    CHECK(parse_decimal("9223372036854775807", 0, max) == max);
    CHECK_FALSE(parse_decimal("9223372036854775808", 0, max));
    CHECK_FALSE(parse_decimal("9999999999999999999", 0, max));
  }

  TEST_CASE("equal_ignore_case folds A-Z only") {
    CHECK(equal_ignore_case("Content-Length", "content-length"));
    CHECK_FALSE(equal_ignore_case("a", "ab"));
    CHECK_FALSE(equal_ignore_case("\xc3\x89", "\xc3\xa9"));  // É and é: not ASCII
  }

  TEST_CASE("trim removes the given blanks at both ends only") {
    CHECK(trim("  a b \r\n") == "a b");
    CHECK(trim("\t x\t", " \t") == "x");
    CHECK(trim("\r\nx\r", " \t") == "\r\nx\r");
    CHECK(trim("   ").empty());
    CHECK(trim("").empty());
  }

  TEST_CASE("ascii_lower changes A-Z only") {
    CHECK(ascii_lower(std::string("Web1.EXAMPLE-é")) == "web1.example-é");
    CHECK(ascii_lower('Q') == 'q');
    CHECK(ascii_lower('[') == '[');
  }
}
