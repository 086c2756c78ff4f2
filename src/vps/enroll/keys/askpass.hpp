#pragma once
// Runs an askpass program the way ssh does (readpass.c ssh_askpass): argv is the program and
// the prompt; the answer is its standard output up to the first CR or LF; a non-zero exit
// status means the user cancelled. Its standard error and input are the caller's.

#include <chrono>
#include <string>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>

namespace vps::enroll::keys {

inline constexpr std::size_t k_max_passphrase = 1024;  // as ssh's prompts (readpass.c)
inline constexpr std::chrono::minutes k_askpass_timeout{5};

// Errc::unauthorized when the program cannot be run or exits non-zero (cancelled), or does
// not answer within k_askpass_timeout; Errc::usage when the answer holds a NUL byte.
Result<SecretBytes> run_askpass(const std::string& program, const std::string& prompt);

}  // namespace vps::enroll::keys
