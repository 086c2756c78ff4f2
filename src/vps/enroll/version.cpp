// vps_enroll library anchor: the version string shared by the server and the CLI.
namespace vps::enroll {
const char* version() { return VPS_VERSION; }
}  // namespace vps::enroll
