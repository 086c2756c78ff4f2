#include <vps/sys/systemd/notify.hpp>

#include <cstdlib>

#include <systemd/sd-daemon.h>

#include <vps/sys/fs/file.hpp>

namespace vps::sys::systemd {

bool notify_socket_set() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  return socket != nullptr && socket[0] != '\0';
}

Status notify(std::string_view assignments) {
  if (!notify_socket_set()) return {};
  std::string state(assignments);
  int rc = ::sd_notify(0, state.c_str());
  if (rc < 0) return fail(Errc::io, "cannot notify the service manager: " + sys::errno_text(-rc));
  return {};
}

std::string status_line(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

Status notify_ready(std::string_view status) {
  std::string state = "READY=1";
  if (!status.empty()) state += "\nSTATUS=" + status_line(status);
  return notify(state);
}

Status notify_status(std::string_view status) { return notify("STATUS=" + status_line(status)); }

Status notify_stopping(std::string_view status) {
  std::string state = "STOPPING=1";
  if (!status.empty()) state += "\nSTATUS=" + status_line(status);
  return notify(state);
}

Status notify_extend_timeout(std::chrono::microseconds extra) {
  auto usec = extra.count() < 0 ? 0 : extra.count();
  return notify("EXTEND_TIMEOUT_USEC=" + std::to_string(usec));
}

}  // namespace vps::sys::systemd
