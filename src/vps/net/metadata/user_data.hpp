#pragma once
// Enrollment hints in Linode user-data (set by the operator when creating the instance; only
// the instance itself can read it). The metadata service returns user-data base64-encoded;
// the decoded bytes may be gzip-compressed. Two formats are recognized:
//
//   1. cloud-config-like YAML whose first line is "#cloud-config" or "#vps-agent":
//        #cloud-config
//        vps_agent:
//          enrollment_token: "3kq8...Zf"          # one-time token, 1-256 of [A-Za-z0-9._~+/=-]
//          endpoint: "https://enroll.example.org" # optional
//      (cloud-init ignores the unknown top-level key, so the same user-data can configure both.)
//   2. lines anywhere (e.g. in a "#!/bin/sh" script), each at the start of a line, no quotes:
//        VPS_ENROLLMENT_TOKEN=3kq8...Zf
//        VPS_ENROLLMENT_ENDPOINT=https://enroll.example.org
//
// A repeated key with different values is rejected rather than guessed. MIME multipart
// user-data is not supported (no token is found in it).

#include <optional>
#include <string>
#include <string_view>

#include <vps/base/result.hpp>

namespace vps::net::metadata {

inline constexpr std::size_t k_max_user_data_body = 128 * 1024;  // base64 as served
inline constexpr std::size_t k_max_user_data = 1024 * 1024;      // after gunzip

struct EnrollmentHints {
  std::optional<std::string> token;
  std::optional<std::string> endpoint;
};

// Service body -> user-data text: strict base64 (surrounding whitespace ignored), gunzipped
// when it starts with the gzip magic. A body that is not base64 at all is taken as plain text
// (other providers and local fakes serve it raw; base64 text never contains '#', ' ' or '_').
Result<std::string> decode_user_data(std::string_view body);

// Errc::malformed (never echoing a token) for conflicting or invalid values.
Result<EnrollmentHints> parse_enrollment_hints(std::string_view user_data);

}  // namespace vps::net::metadata
