#pragma once
// sd_notify for Type=notify units: READY=1 once secrets are live, STATUS= for every wait (so
// `systemctl status` says what the agent waits for), EXTEND_TIMEOUT_USEC= while a long wait is
// still making progress. Without NOTIFY_SOCKET (not started by systemd, or in tests) every call
// is a successful no-op.

#include <chrono>
#include <string>
#include <string_view>

#include <vps/base/result.hpp>

namespace vps::sys::systemd {

// True if NOTIFY_SOCKET is set, i.e. notifications go somewhere.
bool notify_socket_set();

// Sends raw "KEY=value\n..." assignments. Errc::io if the socket is set but sending fails.
Status notify(std::string_view assignments);

// STATUS= text is one line: newlines become spaces.
std::string status_line(std::string_view text);

Status notify_ready(std::string_view status = {});
Status notify_status(std::string_view status);
Status notify_stopping(std::string_view status = {});
// Asks the manager for `extra` more time from now (EXTEND_TIMEOUT_USEC=).
Status notify_extend_timeout(std::chrono::microseconds extra);

}  // namespace vps::sys::systemd
