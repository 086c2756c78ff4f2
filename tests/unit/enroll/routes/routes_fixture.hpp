#pragma once
// An Api over an in-memory store with one operator ("alice") and a settable clock.

#include <vps/enroll/routes/api.hpp>
#include <nlohmann/json.hpp>

#include "../enroll_fixture.hpp"
#include "../snapshot.hpp"
#include "test_support.hpp"

namespace vps::test::enroll {

constexpr std::int64_t k_now = 1'800'000'000;

struct ApiFixture {
  crypto::Ed25519KeyPair alice = key_pair();
  std::unique_ptr<vps::enroll::store::Store> db = vps::enroll::store::Store::open(":memory:").value();
  std::int64_t now = k_now;
  vps::enroll::routes::Api api;

  // Any policy; it always accepts requests signed for k_test_endpoint.
  explicit ApiFixture(vps::enroll::routes::Policy policy = {})
      : api{*db, vps::enroll::auth::Operators::parse(public_line(alice, "alice") + "\n", "ops").value(),
            with_test_endpoint(std::move(policy)), [this] { return now; }} {}

  static vps::enroll::routes::Policy with_test_endpoint(vps::enroll::routes::Policy policy) {
    policy.auth.endpoints = test_policy().auth.endpoints;
    return policy;
  }

  net::http::Response publish(const crypto::Ed25519KeyPair& host, const std::string& name,
                              std::optional<std::string> token = std::nullopt) {
    return api.handle(publish_request(publication_body(host, name, now, std::move(token))));
  }
  net::http::Response publish_from(const std::string& address, const crypto::Ed25519KeyPair& host,
                                   const std::string& name, std::optional<std::string> token = std::nullopt) {
    auto request = publish_request(publication_body(host, name, now, std::move(token)));
    request.remote_address = address;
    return api.handle(request);
  }
  net::http::Response as(const crypto::Ed25519KeyPair& key, const std::string& method, const std::string& target,
                         const std::string& body = "") {
    return api.handle(signed_request(key, method, target, body, now));
  }
  net::http::Response op(const std::string& method, const std::string& target, const std::string& body = "") {
    return as(alice, method, target, body);
  }
  // alice uploads `content` for `host`'s current key, with a signed manifest.
  net::http::Response push(const std::string& host, const std::string& name, const std::string& content,
                           std::optional<std::int64_t> sequence = std::nullopt) {
    auto h = db->find_host(host).value();
    const std::string key = h ? h->key.fingerprint : fingerprint(key_pair());
    return api.handle(signed_upload(alice, host, key, name, content, sequence.value_or(now * 1000), now));
  }
  std::string token_for(const std::string& host, std::int64_t ttl = 3600) {
    auto r = op("POST", "/v1/tokens", nlohmann::json{{"host", host}, {"ttl_seconds", ttl}}.dump());
    REQUIRE(r.status == 201);
    return nlohmann::json::parse(r.body)["token"].get<std::string>();
  }
  std::string status_of(const std::string& host) {
    auto h = db->find_host(host).value();
    return h ? std::string(vps::enroll::store::to_string(h->status)) : "absent";
  }
  std::string snap() { return snapshot(*db); }
};

inline std::string error_of(const net::http::Response& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  return j.is_object() && j.contains("error") ? j["error"].get<std::string>() : r.body;
}

}  // namespace vps::test::enroll
