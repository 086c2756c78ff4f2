#pragma once
// Query strings, parsed in one place for the whole API (the router, api.cpp), strictly:
// "key=value" pairs joined by '&', each key at most once and one the route accepts, values of
// 1-128 bytes of [A-Za-z0-9._-], 512 bytes in all. No accepted value needs percent-encoding,
// so '%', '+', empty pairs and bare keys are refused rather than decoded or guessed at.

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace vps::enroll::routes {

using Query = std::map<std::string, std::string, std::less<>>;

// The parameters, or what is wrong with them (for a 400 that says so).
tl::expected<Query, std::string> parse_query(std::string_view text, std::initializer_list<std::string_view> allowed);

}  // namespace vps::enroll::routes
