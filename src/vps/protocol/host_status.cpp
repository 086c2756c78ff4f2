#include <vps/protocol/host_status.hpp>

#include <string>

namespace vps::protocol {

std::string_view to_string(HostStatus status) {
  switch (status) {
    case HostStatus::pending: return "pending";
    case HostStatus::approved: return "approved";
    case HostStatus::rejected: return "rejected";
    case HostStatus::revoked: return "revoked";
  }
  return "pending";
}

std::string_view to_string(EnrollmentStatus status) {
  switch (status) {
    case EnrollmentStatus::pending: return "pending";
    case EnrollmentStatus::approved: return "approved";
    case EnrollmentStatus::rejected: return "rejected";
    case EnrollmentStatus::flagged: return "flagged";
    case EnrollmentStatus::revoked: return "revoked";
    case EnrollmentStatus::retired: return "retired";
  }
  return "pending";
}

Result<HostStatus> parse_host_status(std::string_view text) {
  if (text == "pending") return HostStatus::pending;
  if (text == "approved") return HostStatus::approved;
  if (text == "rejected") return HostStatus::rejected;
  if (text == "revoked") return HostStatus::revoked;
  return fail(Errc::malformed, "unknown host status '" + std::string(text) + "'");
}

Result<EnrollmentStatus> parse_enrollment_status(std::string_view text) {
  for (EnrollmentStatus s : {EnrollmentStatus::pending, EnrollmentStatus::approved, EnrollmentStatus::rejected,
                             EnrollmentStatus::flagged, EnrollmentStatus::revoked, EnrollmentStatus::retired}) {
    if (to_string(s) == text) return s;
  }
  return fail(Errc::malformed, "unknown key status '" + std::string(text) + "'");
}

}  // namespace vps::protocol
