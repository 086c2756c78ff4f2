// The host's secrets report (protocol/secrets_report.hpp): what parses, what is refused, and
// that serialize and parse agree.
#include <doctest/doctest.h>

#include <vps/protocol/secrets_report.hpp>

using namespace vps::protocol;

namespace {

const std::string k_sha(64, 'a');

SecretsReport sample() {
  SecretsReport r;
  r.generation = 12;
  r.updated_at = 1700000000;
  r.pending.push_back(PendingSecret{"db_password", "db.yaml", "no identity opens db.yaml"});
  r.bundles.push_back(BundleReport{"app.age", k_sha, 5, BundleOutcome::refused, "manifest signature invalid"});
  r.bundles.push_back(BundleReport{"web.yaml", k_sha, 6, BundleOutcome::installed, ""});
  return r;
}

}  // namespace

TEST_SUITE("protocol::secrets_report") {
  TEST_CASE("serialize then parse gives the same report") {
    const auto text = serialize_secrets_report(sample()).value();
    CHECK(text.starts_with(R"({"generation":12,"updated_at":1700000000,"pending":[{"secret":"db_password")"));
    CHECK(parse_secrets_report(text).value() == sample());
    SecretsReport empty;
    CHECK(parse_secrets_report(serialize_secrets_report(empty).value()).value() == empty);
  }

  TEST_CASE("null generation and an omitted detail") {
    auto r = parse_secrets_report(R"({"generation":null,"updated_at":5,"pending":[],"bundles":[{"name":"a","sha256":")" +
                                  k_sha + R"(","sequence":0,"outcome":"installed"}]})");
    REQUIRE(r);
    CHECK(!r->generation);
    CHECK(r->bundles.at(0).detail.empty());
  }

  TEST_CASE("strict: unknown, duplicate or missing fields, wrong types, bounds, control characters") {
    const std::string ok_bundle = R"({"name":"a","sha256":")" + k_sha + R"(","sequence":1,"outcome":"installed"})";
    for (const std::string& bad : {
             std::string(R"({"generation":1,"updated_at":1,"pending":[],"bundles":[],"x":1})"),
             std::string(R"({"generation":1,"generation":2,"updated_at":1,"pending":[],"bundles":[]})"),
             std::string(R"({"updated_at":1,"pending":[],"bundles":[]})"),
             std::string(R"({"generation":"1","updated_at":1,"pending":[],"bundles":[]})"),
             std::string(R"({"generation":1.5,"updated_at":1,"pending":[],"bundles":[]})"),
             std::string(R"({"generation":1,"updated_at":-1,"pending":[],"bundles":[]})"),
             std::string(R"({"generation":1,"updated_at":1,"pending":{},"bundles":[]})"),
             std::string(R"({"generation":1,"updated_at":1,"pending":[{"secret":"a","source":"b"}],"bundles":[]})"),
             std::string(R"({"generation":1,"updated_at":1,"pending":[{"secret":"a\n","source":"b","reason":"c"}],"bundles":[]})"),
             std::string(R"({"generation":1,"updated_at":1,"pending":[{"secret":"a","source":"b","reason":"c","d":1}],"bundles":[]})"),
             std::string(R"({"generation":1,"updated_at":1,"pending":[],"bundles":[{"name":"a","sha256":")") +
                 std::string(64, 'A') + R"(","sequence":1,"outcome":"installed"}]})",
             std::string(R"({"generation":1,"updated_at":1,"pending":[],"bundles":[{"name":"a","sha256":")") + k_sha +
                 R"(","sequence":-1,"outcome":"installed"}]})",
             std::string(R"({"generation":1,"updated_at":1,"pending":[],"bundles":[{"name":"a","sha256":")") + k_sha +
                 R"(","sequence":1,"outcome":"skipped"}]})",
             std::string(R"({"generation":1,"updated_at":1,"pending":[[[[[[1]]]]]],"bundles":[]})"),
             std::string("[]"),
             std::string(""),
         }) {
      CHECK_MESSAGE(!parse_secrets_report(bad), bad);
    }
    // A string of 1024 bytes passes, 1025 does not.
    auto with_secret = [](std::size_t n) {
      return R"({"generation":1,"updated_at":1,"pending":[{"secret":")" + std::string(n, 's') +
             R"(","source":"b","reason":"c"}],"bundles":[])" + "}";
    };
    CHECK(parse_secrets_report(with_secret(1024)));
    CHECK(!parse_secrets_report(with_secret(1025)));
    // 1025 items are refused.
    std::string many = R"({"generation":1,"updated_at":1,"pending":[],"bundles":[)";
    for (int i = 0; i < 1025; ++i) many += (i ? "," : "") + ok_bundle;
    many += "]}";
    auto refused = parse_secrets_report(many);
    CHECK(!refused);
    // Over 64 KiB in all is refused whatever it holds.
    CHECK(!parse_secrets_report(std::string(64 * 1024 + 1, ' ')));
  }

  TEST_CASE("serialize refuses what parse would refuse") {
    auto r = sample();
    r.pending[0].reason = "line\nbreak";
    CHECK(!serialize_secrets_report(r));
    r = sample();
    r.bundles[0].sha256 = "short";
    CHECK(!serialize_secrets_report(r));
  }
}
