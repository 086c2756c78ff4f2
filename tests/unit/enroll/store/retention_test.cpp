#include <vps/enroll/store/store.hpp>

#include "test_support.hpp"

using namespace vps::enroll::store;

namespace {

std::unique_ptr<Store> memory_store() { return Store::open(":memory:").value(); }

void audit_at(Store& store, std::int64_t at, const std::string& action) {
  REQUIRE(store.append_audit(AuditEntry{0, at, "operator:alice", action, "web1", ""}));
}

}  // namespace

TEST_SUITE("enroll::store::Store retention") {
  TEST_CASE("prune_nonces drops only nonces past their expiry") {
    auto store = memory_store();
    // remember_nonce itself purges expired entries, so insert with "now" before all expiries.
    CHECK(store->remember_nonce("old", 100, 0).value());
    CHECK(store->remember_nonce("edge", 200, 0).value());
    CHECK(store->remember_nonce("new", 300, 0).value());
    CHECK(store->nonce_count().value() == 3);
    CHECK(store->prune_nonces(200).value() == 1);  // expires_at < now
    CHECK(store->nonce_count().value() == 2);
    CHECK(!store->remember_nonce("edge", 200, 150).value());  // still a replay inside its window
    CHECK(store->prune_nonces(10'000).value() == 2);
    CHECK(store->nonce_count().value() == 0);
  }

  TEST_CASE("prune_audit drops entries older than the cut-off and keeps the rest in order") {
    auto store = memory_store();
    audit_at(*store, 10, "publish");
    audit_at(*store, 20, "approve");
    audit_at(*store, 30, "push");
    CHECK(store->prune_audit(20).value() == 1);
    CHECK(store->audit_count().value() == 2);
    auto left = store->audit_for("web1", 10).value();
    REQUIRE(left.size() == 2);
    CHECK(left[0].action == "push");
    CHECK(left[1].action == "approve");
    CHECK(store->prune_audit(0).value() == 0);
  }

  TEST_CASE("pruning the audit trail by age uses an index, not a table scan") {
    auto store = memory_store();
    auto plan = store->database().prepare("EXPLAIN QUERY PLAN DELETE FROM audit WHERE at < ?1");
    REQUIRE(plan);
    plan->bind(1, std::int64_t{100});
    std::string details;
    while (plan->step().value()) details += plan->text(plan->column_count() - 1) + "\n";
    INFO(details);
    CHECK(details.find("INDEX audit_at") != std::string::npos);
  }
}
