#include <vps/enroll/store/migrations.hpp>
#include <vps/enroll/store/store.hpp>

#include "test_support.hpp"

using namespace vps::enroll::store;

namespace {

HostRecord sample_host(const std::string& name) {
  HostRecord h;
  h.name = name;
  h.status = HostStatus::pending;
  h.key = KeyFacts{"ssh-ed25519 AAAA", "SHA256:abc", "age1xyz", "42", name, "boot"};
  h.created_at = h.updated_at = h.last_seen_at = 1000;
  return h;
}

}  // namespace

TEST_SUITE("enroll::store::Store") {
  TEST_CASE("a new database is migrated to the latest schema") {
    vps::test::TempDir dir;
    auto store = Store::open(dir / "enroll.db");
    REQUIRE(store);
    CHECK((*store)->database().user_version().value() == latest_schema_version());
    // Reopening is a no-op.
    store->reset();
    auto again = Store::open(dir / "enroll.db");
    REQUIRE(again);
    CHECK((*again)->database().user_version().value() == latest_schema_version());
  }

  TEST_CASE("an old schema is migrated in order and keeps its rows") {
    vps::test::TempDir dir;
    {
      auto db = Database::open(dir / "enroll.db", std::chrono::seconds(1)).value();
      REQUIRE(migrate_to(*db, 1));
      CHECK(db->user_version().value() == 1);
      REQUIRE(db->exec("INSERT INTO audit (at, actor, action, target) VALUES (1, 'a', 'b', 'c')"));
    }
    auto store = Store::open(dir / "enroll.db").value();
    CHECK(store->database().user_version().value() == latest_schema_version());
    CHECK(store->audit_count().value() == 1);
  }

  TEST_CASE("schema 5 counts existing keys under the address they were published from") {
    vps::test::TempDir dir;
    {
      auto db = Database::open(dir / "enroll.db", std::chrono::seconds(1)).value();
      REQUIRE(migrate_to(*db, 4));
      REQUIRE(db->exec("INSERT INTO enrollments (host, status, ssh_public_key, fingerprint, age_recipient, instance_id, "
                       "hostname, boot_id, remote_address, published_at, last_seen_at) VALUES ('web1', 'pending', "
                       "'k', 'SHA256:x', 'age1', 'i', 'web1', 'b', '192.0.2.9', 1, 1)"));
    }
    auto store = Store::open(dir / "enroll.db").value();
    CHECK(store->database().user_version().value() == latest_schema_version());
    CHECK(store->count_pending_keys_from("192.0.2.9").value() == 1);
    CHECK(store->find_enrollment("web1", "SHA256:x").value()->source == "192.0.2.9");
  }

  TEST_CASE("schema 6 copies hosts, keys and rebuilds into tables that know revoked, retired and cancelled") {
    vps::test::TempDir dir;
    {
      auto db = Database::open(dir / "enroll.db", std::chrono::seconds(1)).value();
      REQUIRE(migrate_to(*db, 5));
      REQUIRE(db->exec("INSERT INTO hosts (name, status, ssh_public_key, fingerprint, age_recipient, instance_id, "
                       "hostname, boot_id, created_at, updated_at, last_seen_at) VALUES ('web1', 'approved', 'k', "
                       "'SHA256:x', 'age1', 'i', 'web1', 'b', 1, 2, 3)"));
      REQUIRE(db->exec("INSERT INTO enrollments (host, status, ssh_public_key, fingerprint, age_recipient, instance_id, "
                       "hostname, boot_id, remote_address, published_at, last_seen_at, source) VALUES ('web1', "
                       "'approved', 'k', 'SHA256:x', 'age1', 'i', 'web1', 'b', '192.0.2.9', 1, 1, '192.0.2.9')"));
      REQUIRE(db->exec("INSERT INTO bundles (host, name, ciphertext, sha256, uploaded_by, uploaded_at) VALUES "
                       "('web1', 'a.age', x'00', 'ff', 'alice', 1)"));
      REQUIRE(db->exec("INSERT INTO rebuilds (host, sequence, revision, expires_at, request, signature, operator, "
                       "state, created_at) VALUES ('web1', 1, 'r', 9, 'q', 's', 'alice', 'queued', 1)"));
    }
    auto store = Store::open(dir / "enroll.db").value();
    CHECK(store->database().user_version().value() == latest_schema_version());
    auto host = store->find_host("web1").value();
    REQUIRE(host);
    CHECK(host->status == vps::protocol::HostStatus::approved);
    CHECK(host->last_seen_at == 3);
    CHECK(store->list_bundles("web1").value().size() == 1);
    CHECK(store->bundles_version("web1").value() == 0);
    CHECK(store->find_enrollment("web1", "SHA256:x").value()->source == "192.0.2.9");
    // The new states are accepted, and the bundles still reference hosts (foreign keys on).
    REQUIRE(store->set_host_status("web1", vps::protocol::HostStatus::revoked, "alice", 5));
    REQUIRE(store->set_enrollment_status("web1", "SHA256:x", vps::protocol::EnrollmentStatus::retired));
    CHECK(store->cancel_rebuilds("web1", 5, "test").value() == std::vector<std::int64_t>{1});
    CHECK(!store->database().exec("INSERT INTO bundles (host, name, ciphertext, sha256, uploaded_by, uploaded_at) "
                                  "VALUES ('nosuch', 'a.age', x'00', 'ff', 'alice', 1)"));
  }

  TEST_CASE("a database from a newer release is refused") {
    vps::test::TempDir dir;
    {
      auto db = Database::open(dir / "enroll.db", std::chrono::seconds(1)).value();
      REQUIRE(db->set_user_version(latest_schema_version() + 1));
    }
    auto store = Store::open(dir / "enroll.db");
    REQUIRE(!store);
    CHECK(store.error().code == vps::Errc::config);
  }

  TEST_CASE("file databases use WAL") {
    vps::test::TempDir dir;
    auto store = Store::open(dir / "enroll.db").value();
    auto stmt = store->database().prepare("PRAGMA journal_mode").value();
    REQUIRE(stmt.step().value());
    CHECK(stmt.text(0) == "wal");
  }

  TEST_CASE("hosts round-trip and status changes") {
    auto store = Store::open(":memory:").value();
    REQUIRE(store->insert_host(sample_host("web1")));
    CHECK(!store->insert_host(sample_host("web1")));  // primary key
    REQUIRE(store->set_host_status("web1", HostStatus::approved, "alice", 2000));
    auto host = store->find_host("web1").value();
    REQUIRE(host);
    CHECK(host->status == HostStatus::approved);
    CHECK(host->decided_by == "alice");
    CHECK(host->decided_at == 2000);
    CHECK(host->key.age_recipient == "age1xyz");
    CHECK(!store->find_host("web2").value());
    CHECK(store->list_hosts().value().size() == 1);
  }

  TEST_CASE("a rolled back transaction leaves nothing") {
    auto store = Store::open(":memory:").value();
    {
      auto tx = store->transaction().value();
      REQUIRE(store->insert_host(sample_host("web1")));
    }
    CHECK(!store->find_host("web1").value());
  }

  TEST_CASE("tokens are single use") {
    auto store = Store::open(":memory:").value();
    REQUIRE(store->insert_token(TokenRecord{"hash1", "web1", "alice", 1, 100, std::nullopt}));
    CHECK(store->use_token("hash1", 5).value());
    CHECK(!store->use_token("hash1", 6).value());
    CHECK(store->find_token("hash1").value()->used_at == 5);
    CHECK(!store->find_token("nope").value());
  }

  TEST_CASE("nonces are remembered until they expire") {
    auto store = Store::open(":memory:").value();
    CHECK(store->remember_nonce("n1", 100, 10).value());
    CHECK(!store->remember_nonce("n1", 100, 50).value());
    CHECK(store->remember_nonce("n1", 300, 101).value());  // purged after expiry
  }

  TEST_CASE("bundles are replaced per name and listed without content") {
    auto store = Store::open(":memory:").value();
    REQUIRE(store->insert_host(sample_host("web1")));
    const vps::Bytes a{1, 2, 3};
    REQUIRE(store->put_bundle(BundleInfo{"web1", "db.age", "aa", 3, "alice", 10, 100, "m1", "s1"}, a));
    REQUIRE(store->put_bundle(BundleInfo{"web1", "db.age", "bb", 2, "bob", 11, 200, "m2", "s2"}, vps::Bytes{9, 9}));
    auto list = store->list_bundles("web1").value();
    REQUIRE(list.size() == 1);
    CHECK(list[0].sha256 == "bb");
    CHECK(list[0].size == 2);
    CHECK(list[0].sequence == 200);  // the manifest travels with the bundle
    CHECK(list[0].manifest == "m2");
    CHECK(list[0].signature == "s2");
    auto bundle = store->get_bundle("web1", "db.age").value();
    REQUIRE(bundle);
    CHECK(bundle->ciphertext == vps::Bytes{9, 9});
    // Bundles belong to known hosts only (foreign key).
    CHECK(!store->put_bundle(BundleInfo{"ghost", "x", "cc", 1, "alice", 12, 1, "m", "s"}, a));
  }
}
