#include <vps/net/metadata/user_data.hpp>

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include <vps/base/text.hpp>
#include <vps/base/base64.hpp>
#include <vps/net/metadata/gzip.hpp>

namespace vps::net::metadata {

namespace {

bool is_base64_text(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
           c == '=';
  });
}

bool valid_token(std::string_view s) {
  return !s.empty() && s.size() <= 256 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '~' || c == '+' || c == '/' || c == '=' || c == '-';
  });
}

bool valid_endpoint(std::string_view s) {
  return !s.empty() && s.size() <= 2048 && (s.starts_with("https://") || s.starts_with("http://")) &&
         std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

// Sets `slot` once; a second, different value is an error.
Status assign(std::optional<std::string>& slot, std::string value, std::string_view name, bool token) {
  if (token ? !valid_token(value) : !valid_endpoint(value)) {
    return fail(Errc::malformed, "user-data: invalid " + std::string(name));
  }
  if (slot && *slot != value) return fail(Errc::malformed, "user-data: conflicting values for " + std::string(name));
  slot = std::move(value);
  return {};
}

Status parse_lines(std::string_view text, EnrollmentHints& hints) {
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.starts_with("VPS_ENROLLMENT_TOKEN=")) {
      VPS_CHECK(assign(hints.token, std::string(line.substr(21)), "VPS_ENROLLMENT_TOKEN", true));
    } else if (line.starts_with("VPS_ENROLLMENT_ENDPOINT=")) {
      VPS_CHECK(assign(hints.endpoint, std::string(line.substr(24)), "VPS_ENROLLMENT_ENDPOINT", false));
    }
  }
  return {};
}

Status parse_yaml(std::string_view text, EnrollmentHints& hints) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return fail(Errc::malformed, "user-data: invalid YAML at line " + std::to_string(e.mark.line + 1));
  }
  if (!root.IsMap()) return {};
  const YAML::Node section = root["vps_agent"];
  if (!section) return {};
  if (!section.IsMap()) return fail(Errc::malformed, "user-data: vps_agent must be a mapping");
  for (const auto& item : section) {
    const auto key = item.first.as<std::string>("");
    if (key != "enrollment_token" && key != "endpoint") {
      return fail(Errc::malformed, "user-data: unknown key vps_agent." + key);
    }
    if (!item.second.IsScalar()) return fail(Errc::malformed, "user-data: vps_agent." + key + " must be a string");
    const bool token = key == "enrollment_token";
    VPS_CHECK(assign(token ? hints.token : hints.endpoint, item.second.Scalar(), "vps_agent." + key, token));
  }
  return {};
}

}  // namespace

Result<std::string> decode_user_data(std::string_view body) {
  if (body.size() > k_max_user_data_body) return fail(Errc::malformed, "user-data: larger than 128 KiB");
  const std::string_view trimmed = text::trim(body);
  if (!is_base64_text(trimmed)) return std::string(body);
  auto decoded = base64::decode(trimmed);
  if (!decoded) return fail(Errc::malformed, "user-data: invalid base64: " + decoded.error().message);
  if (looks_gzipped(*decoded)) {
    auto plain = VPS_TRY(gunzip(*decoded, k_max_user_data));
    return std::string(plain.begin(), plain.end());
  }
  return std::string(decoded->begin(), decoded->end());
}

Result<EnrollmentHints> parse_enrollment_hints(std::string_view user_data) {
  if (user_data.size() > k_max_user_data) return fail(Errc::malformed, "user-data: larger than 1 MiB");
  EnrollmentHints hints;
  VPS_CHECK(parse_lines(user_data, hints));
  if (user_data.starts_with("#cloud-config") || user_data.starts_with("#vps-agent")) {
    VPS_CHECK(parse_yaml(user_data, hints));
  }
  return hints;
}

}  // namespace vps::net::metadata
