#pragma once
// Printing helpers for the operator CLI: JSON for scripts, readable times for people, and
// text from the endpoint (or a host, through it) made safe for the operator's terminal.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace vps::enroll::client {

// Pretty JSON on stdout; returns exit code 0.
int print_json(const nlohmann::json& value);

// "2026-11-27 03:30:00 UTC"; "-" for 0.
std::string format_time(std::int64_t unix_seconds);

// The string `key` of `object` (as json::value: "" when absent) with control characters
// escaped (text::escape_control): every field the endpoint sends is untrusted text.
std::string shown(const nlohmann::json& object, const char* key);

}  // namespace vps::enroll::client
