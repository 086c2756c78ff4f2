#pragma once
// JSON in and out of the API: strict request bodies (one object, no duplicate keys, only
// known keys), uniform error bodies {"error": "..."} and the host/bundle representations.

#include <initializer_list>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include <vps/enroll/store/records.hpp>
#include <vps/net/http/message.hpp>

namespace vps::enroll::routes {

using Json = nlohmann::json;

net::http::Response error_response(unsigned status, std::string_view reason);
net::http::Response json_response(unsigned status, const Json& body);

// An object with only `allowed` keys. An empty body counts as {} when allow_empty.
// Failure is the 400 response to send.
tl::expected<Json, net::http::Response> parse_object(std::string_view body, std::initializer_list<std::string_view> allowed,
                                                     bool allow_empty);

Json host_json(const store::HostRecord& host);
Json enrollment_json(const store::EnrollmentRecord& enrollment);
Json bundle_json(const store::BundleInfo& bundle);
Json audit_json(const store::AuditEntry& entry);

}  // namespace vps::enroll::routes
