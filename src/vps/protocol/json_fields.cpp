#include <vps/protocol/json_fields.hpp>

namespace vps::protocol::json_fields {

using Json = nlohmann::json;

tl::unexpected<Error> malformed(std::string_view what, std::string_view why) {
  return fail(Errc::malformed, std::string(what) + ": " + std::string(why));
}

Result<std::int64_t> required_integer(const Json& object, const char* key, std::string_view what) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer())
    return malformed(what, "\"" + std::string(key) + "\" (integer) is required");
  return it->get<std::int64_t>();
}

Result<std::optional<std::int64_t>> optional_integer(const Json& object, const char* key, std::string_view what) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::optional<std::int64_t>();
  if (!it->is_number_integer()) return malformed(what, "\"" + std::string(key) + "\" must be an integer");
  return std::optional<std::int64_t>(it->get<std::int64_t>());
}

Result<std::string> required_string(const Json& object, const char* key, std::string_view what) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return malformed(what, "\"" + std::string(key) + "\" (string) is required");
  return it->get<std::string>();
}

Result<std::optional<std::string>> optional_string(const Json& object, const char* key, std::string_view what) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return malformed(what, "\"" + std::string(key) + "\" must be a string");
  return std::optional<std::string>(it->get<std::string>());
}

}  // namespace vps::protocol::json_fields
