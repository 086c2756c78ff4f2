#include <vps/protocol/host_status.hpp>

#include <string>

namespace vps::protocol {

std::string_view to_string(HostStatus status) {
  switch (status) {
    case HostStatus::pending: return "pending";
    case HostStatus::approved: return "approved";
    case HostStatus::rejected: return "rejected";
  }
  return "pending";
}

std::string_view to_string(EnrollmentStatus status) {
  switch (status) {
    case EnrollmentStatus::pending: return "pending";
    case EnrollmentStatus::approved: return "approved";
    case EnrollmentStatus::rejected: return "rejected";
    case EnrollmentStatus::flagged: return "flagged";
  }
  return "pending";
}

Result<HostStatus> parse_host_status(std::string_view text) {
  if (text == "pending") return HostStatus::pending;
  if (text == "approved") return HostStatus::approved;
  if (text == "rejected") return HostStatus::rejected;
  return fail(Errc::malformed, "unknown host status '" + std::string(text) + "'");
}

Result<EnrollmentStatus> parse_enrollment_status(std::string_view text) {
  if (text == "flagged") return EnrollmentStatus::flagged;
  auto host = VPS_TRY(parse_host_status(text));
  return static_cast<EnrollmentStatus>(static_cast<int>(host));
}

}  // namespace vps::protocol
