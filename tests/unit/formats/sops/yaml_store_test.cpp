#include <doctest/doctest.h>

#include <vps/formats/sops/yaml_store.hpp>

using namespace vps;
using namespace vps::formats::sops;

namespace {
std::string str(const SecretString& s) { return std::string(s.begin(), s.end()); }

std::string reemit(const std::string& text) {
  auto docs = yaml::parse(text);
  REQUIRE(docs);
  return str(yaml::emit(*docs));
}

Errc error_of(const std::string& text) {
  auto docs = yaml::parse(text);
  REQUIRE_FALSE(docs);
  return docs.error().code;
}
}  // namespace

TEST_SUITE("formats::sops::yaml") {
  TEST_CASE("resolves plain scalars as go-yaml v3 does") {
    auto docs = yaml::parse("a: 1\nb: 0x1F\nc: 1.50\nd: true\ne: ~\nf: 2020-01-02\ng: \"1\"\nh: 'it''s'\ni: yes\nj: 1_000\n");
    REQUIRE(docs);
    const auto& d = docs->at(0);
    CHECK(d.find("a")->kind == Kind::integer);
    CHECK(str(d.find("b")->text) == "31");
    CHECK(d.find("c")->kind == Kind::floating);
    CHECK(str(d.find("c")->text) == "1.5");
    CHECK(d.find("d")->kind == Kind::boolean);
    CHECK(d.find("e")->kind == Kind::null);
    CHECK(d.find("f")->kind == Kind::string);
    CHECK(d.find("g")->kind == Kind::string);
    CHECK(str(d.find("h")->text) == "it's");
    CHECK(d.find("i")->kind == Kind::string);
    CHECK(str(d.find("j")->text) == "1000");
  }

  TEST_CASE("keeps comments where sops puts them") {
    auto docs = yaml::parse("# head\na:\n    b: 1 # line\n    # foot of a\nc:\n    - x\n    # in list\n    - y\n# end\n");
    REQUIRE(docs);
    const auto& d = docs->at(0);
    CHECK(str(d.entries[0].value.text) == " head");
    const Node* a = d.find("a");
    REQUIRE(a->entries.size() == 3);
    CHECK(str(a->entries[0].value.text) == " line");
    CHECK(a->entries[1].key == "b");
    CHECK(str(a->entries[2].value.text) == " foot of a");
    const Node* c = d.find("c");
    REQUIRE(c->items.size() == 3);
    CHECK(c->items[1].is_comment());
    CHECK(d.entries.back().is_comment());
  }

  TEST_CASE("reads both go-yaml v2 and v3 list styles and block scalars") {
    auto docs = yaml::parse("l:\n-   a: 1\n    b: |-\n        x\n        y\n- z\nm:\n    - a: 1\n      b: >\n        folded\n        text\n");
    REQUIRE(docs);
    const Node* l = docs->at(0).find("l");
    REQUIRE(l->items.size() == 2);
    CHECK(str(l->items[0].find("b")->text) == "x\ny");
    CHECK(str(l->items[1].text) == "z");
    CHECK(str(docs->at(0).find("m")->items[0].find("b")->text) == "folded text\n");
  }

  TEST_CASE("several documents") {
    auto docs = yaml::parse("a: 1\n---\nb: 2\n");
    REQUIRE(docs);
    CHECK(docs->size() == 2);
    CHECK(reemit("a: 1\n---\nb: 2\n") == "a: 1\n---\nb: 2\n");
  }

  TEST_CASE("writes what it reads") {
    for (std::string text : {"a: b\n", "a:\n    - 1\n    - 2.5\n", "a:\n    b:\n        c: \"true\"\n",
                             "k: \"with: colon\"\n", "t: \"2020-01-02\"\n", "m: |\n    two\n    lines\n",
                             "e: []\nf: {}\n", "q: \"tab\\there\"\n", "l:\n    - a: 1\n      b: 2\n    - c\n"}) {
      CAPTURE(text);
      CHECK(reemit(text) == text);
    }
  }

  TEST_CASE("rejects what it does not understand") {
    CHECK(error_of("a: &x 1\nb: *x\n") == Errc::unsupported);
    CHECK(error_of("a: !!str 1\n") == Errc::unsupported);
    CHECK(error_of("a: [1, 2]\n") == Errc::unsupported);
    CHECK(error_of("a: 1\na: 2\n") == Errc::malformed);
    CHECK(error_of("a: b: c\n") == Errc::malformed);
    CHECK(error_of("- a\n- b\n") == Errc::malformed);
    CHECK(error_of("a:\n\tb: 1\n") == Errc::malformed);
    CHECK(error_of("a: 1\r\n") == Errc::malformed);
    CHECK(error_of("a: \"unterminated\n") == Errc::unsupported);
    CHECK(error_of("a: 99999999999999999999\n") == Errc::unsupported);
    CHECK(error_of("a:\n    b: 1\n  c: 2\n") == Errc::malformed);
  }

  TEST_CASE("bounds nesting depth") {
    std::string deep;
    for (int i = 0; i < 70; ++i) deep += std::string(static_cast<std::size_t>(i) * 2, ' ') + "k:\n";
    CHECK(error_of(deep + std::string(140, ' ') + "v: 1\n") == Errc::malformed);
  }
}
