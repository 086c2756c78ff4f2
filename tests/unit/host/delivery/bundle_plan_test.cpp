#include <vps/host/delivery/bundle_plan.hpp>
#include <vps/protocol/bundle_manifest.hpp>

#include <map>

#include "test_support.hpp"

using namespace vps;
using namespace vps::host::delivery;
namespace fs = std::filesystem;

namespace {

const std::string k_sha_a(64, 'a');
const std::string k_sha_b(64, 'b');

std::string listing(const std::string& entries) { return R"({"host":"web1","bundles":[)" + entries + "]}"; }

std::string entry(const std::string& name, const std::string& sha, int size = 10) {
  return R"({"name":")" + name + R"(","sha256":")" + sha + R"(","size":)" + std::to_string(size) +
         R"(,"uploaded_by":"alice","uploaded_at":1})";
}

}  // namespace

TEST_SUITE("host::delivery::BundlePlan") {
  TEST_CASE("parses the endpoint's listing") {
    auto parsed = parse_listing(listing(entry("db.age", k_sha_a) + "," + entry("app.yaml", k_sha_b, 99)));
    REQUIRE(parsed);
    REQUIRE(parsed->size() == 2);
    CHECK((*parsed)[1].name == "app.yaml");
    CHECK((*parsed)[1].sha256 == k_sha_b);
    CHECK((*parsed)[1].size == 99);
    CHECK((*parsed)[1].manifest.empty());  // an older endpoint's listing: refused later, by name
  }

  TEST_CASE("carries each entry's manifest and signature, bounded, unverified") {
    const std::string with = R"({"name":"db.age","sha256":")" + k_sha_a +
                             R"(","size":1,"manifest":"vps-bundle/v1\nhost: web1\n","signature":"c2ln"})";
    auto parsed = parse_listing(listing(with));
    REQUIRE(parsed);
    CHECK((*parsed)[0].manifest == "vps-bundle/v1\nhost: web1\n");
    CHECK((*parsed)[0].signature == "c2ln");
    const std::string huge = R"({"name":"db.age","sha256":")" + k_sha_a + R"(","size":1,"manifest":")" +
                             std::string(2000, 'x') + R"(","signature":""})";
    CHECK(!parse_listing(listing(huge)));
    const std::string typed = R"({"name":"db.age","sha256":")" + k_sha_a + R"(","size":1,"manifest":7})";
    CHECK(!parse_listing(listing(typed)));
  }

  TEST_CASE("rejects listings with bad names, hashes, sizes or shape") {
    for (const std::string& body :
         {listing(entry("../etc/passwd", k_sha_a)), listing(entry(".hidden", k_sha_a)), listing(entry("a/b", k_sha_a)),
          listing(entry("db.age", "ABC")), listing(entry("db.age", std::string(64, 'A'))),
          listing(entry("db.age", k_sha_a, -1)), std::string("[]"), std::string("{\"bundles\":{}}"), std::string("not json"),
          listing("1")}) {
      auto parsed = parse_listing(body);
      CHECK_MESSAGE(!parsed, body);
      if (!parsed) CHECK(parsed.error().code == Errc::malformed);
    }
  }

  TEST_CASE("bounds the listing's size and entry count") {
    std::string many;
    for (std::size_t i = 0; i <= k_max_listing_entries; ++i) many += (i ? "," : "") + entry("f" + std::to_string(i), k_sha_a);
    CHECK(!parse_listing(listing(many)));
    CHECK(!parse_listing(std::string(k_max_listing_bytes + 1, ' ')));
  }

  TEST_CASE("recognises age and sops ciphertext only") {
    CHECK(protocol::looks_like_ciphertext("age-encryption.org/v1\n-> X25519 abc\n"));
    CHECK(protocol::looks_like_ciphertext("-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n"));
    CHECK(protocol::looks_like_ciphertext("\r\n  \t\n-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n"));  // whitespace before armor
    CHECK(protocol::looks_like_ciphertext("password: ENC[AES256_GCM,data:abc,iv:x,tag:y,type:str]\n"));
    CHECK(!protocol::looks_like_ciphertext("password: hunter2\n"));
    CHECK(!protocol::looks_like_ciphertext(""));
  }

  TEST_CASE("a bundle replaces the pending source with its file name, when its hash differs") {
    const std::vector<fs::path> all{"/r/srv/db.age", "/r/srv/app.yaml", "/r/etc/other.age"};
    std::map<fs::path, std::string> disk{{"/r/srv/app.yaml", k_sha_b}};
    auto sha = [&](const fs::path& p) { return disk.count(p) ? disk[p] : std::string(); };
    const std::vector<BundleEntry> bundles{{"db.age", k_sha_a, 1, "", ""}, {"app.yaml", k_sha_b, 1, "", ""},
                                           {"other.age", k_sha_a, 1, "", ""}, {"unrelated", k_sha_a, 1, "", ""}};
    // other.age is not pending; app.yaml is already the bundle's content; unrelated maps to nothing.
    auto plan = plan_downloads(bundles, all, {"/r/srv/db.age", "/r/srv/app.yaml"}, sha);
    REQUIRE(plan.downloads.size() == 1);
    CHECK(plan.downloads[0].entry.name == "db.age");
    CHECK(plan.downloads[0].target == fs::path("/r/srv/db.age"));
    CHECK(plan.skipped.empty());
  }

  TEST_CASE("a name matching sources in two directories is ambiguous and skipped") {
    const std::vector<fs::path> all{"/r/a/db.age", "/r/b/db.age"};
    auto plan = plan_downloads({{"db.age", k_sha_a, 1, "", ""}}, all, all, [](const fs::path&) { return std::string(); });
    CHECK(plan.downloads.empty());
    REQUIRE(plan.skipped.size() == 1);
    CHECK(plan.skipped[0].find("db.age") != std::string::npos);
  }
}
