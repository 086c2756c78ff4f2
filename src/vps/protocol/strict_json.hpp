#pragma once
// JSON as every reader of the API takes it (the endpoint's request bodies, the host's and the
// operator's reading of the endpoint's answers): valid JSON, no duplicate key in any object
// (nlohmann would keep the last one silently, and two readers could then disagree on what was
// sent or signed), nesting bounded, and where an object is expected, only known fields.

#include <initializer_list>
#include <string_view>

#include <nlohmann/json.hpp>

#include <vps/base/result.hpp>

namespace vps::protocol {

inline constexpr int k_max_json_depth = 8;

// Errc::malformed: "<what> is not valid JSON", "<what> is nested too deeply" (more than
// k_max_json_depth), "<what> has a duplicate key".
Result<nlohmann::json> parse_json_strict(std::string_view text, std::string_view what);

// Errc::malformed: "<what> must be a JSON object", "unknown field \"<key>\"".
Status check_object_fields(const nlohmann::json& value, std::string_view what,
                           std::initializer_list<std::string_view> known);

// Both: one object with only `known` fields.
Result<nlohmann::json> parse_strict_object(std::string_view text, std::string_view what,
                                           std::initializer_list<std::string_view> known);

}  // namespace vps::protocol
