#pragma once
// Pure parsing of config.yaml text into Config (no file access): unknown keys, duplicate keys
// and bad values are Errc::config naming "<source>:<line>: <section.key>".

#include <string_view>

#include <vps/base/result.hpp>
#include <vps/config/config.hpp>

namespace vps::config {

inline constexpr std::size_t k_max_config_size = 1024 * 1024;

// Empty text (or a document holding only comments) gives every default.
Result<Config> parse(std::string_view text, std::string_view source_name);

}  // namespace vps::config
