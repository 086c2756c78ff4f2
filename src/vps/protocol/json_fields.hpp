#pragma once
// Typed readers for the fields of a JSON answer a client receives from the endpoint (the
// operator CLI, the agent). Absent and null are "no value" for the optional ones; any other
// type is Errc::malformed naming the field and what was being read ("endpoint's audit page").
// Fields a newer endpoint adds are simply not read. (Bodies the endpoint receives are parsed
// strictly instead: strict_json.hpp.)

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <vps/base/result.hpp>

namespace vps::protocol::json_fields {

tl::unexpected<Error> malformed(std::string_view what, std::string_view why);

Result<std::int64_t> required_integer(const nlohmann::json& object, const char* key, std::string_view what);
Result<std::optional<std::int64_t>> optional_integer(const nlohmann::json& object, const char* key,
                                                     std::string_view what);
Result<std::string> required_string(const nlohmann::json& object, const char* key, std::string_view what);
Result<std::optional<std::string>> optional_string(const nlohmann::json& object, const char* key,
                                                   std::string_view what);

// null for no value: how the API writes an absent optional.
inline nlohmann::json or_null(const std::optional<std::int64_t>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace vps::protocol::json_fields
