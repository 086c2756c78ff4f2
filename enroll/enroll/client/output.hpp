#pragma once
// Printing helpers for the operator CLI: JSON for scripts, readable times for people.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace vps::enroll::client {

// Pretty JSON on stdout; returns exit code 0.
int print_json(const nlohmann::json& value);

// "2026-11-27 03:30:00 UTC"; "-" for 0.
std::string format_time(std::int64_t unix_seconds);

}  // namespace vps::enroll::client
