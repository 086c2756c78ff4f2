#pragma once
// A host's and a published key's status as the REST API names it ("status" in the endpoint's
// host records, its answer to a publication, `vps-enroll list --status`, and the agent's
// state.json): defined once for the endpoint, the agent and the operator CLI.
//
// A host is pending until an operator approves or rejects it (or a token approves it). A key
// published for a name another key already holds is flagged: it never replaces the host's key
// unless an operator says so (approve --replace), which retires the old key. A revoked host's
// key is refused everywhere but its own read-only status.

#include <string_view>

#include <vps/base/result.hpp>

namespace vps::protocol {

enum class HostStatus { pending, approved, rejected, revoked };
// revoked: the host's key when it was revoked; retired: a key an operator replaced.
enum class EnrollmentStatus { pending, approved, rejected, flagged, revoked, retired };

std::string_view to_string(HostStatus status);
std::string_view to_string(EnrollmentStatus status);
// Errc::malformed for a name that is not a status.
Result<HostStatus> parse_host_status(std::string_view text);
Result<EnrollmentStatus> parse_enrollment_status(std::string_view text);

}  // namespace vps::protocol
