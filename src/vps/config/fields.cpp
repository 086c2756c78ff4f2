#include <vps/config/fields.hpp>

#include <vps/base/duration.hpp>

#include <charconv>

namespace vps::config {
namespace {

constexpr Duration k_max_duration = std::chrono::hours(24 * 7);

bool is_loopback_host(std::string_view host) {
  return host == "localhost" || host == "[::1]" || host.starts_with("127.");
}

// Host part of "scheme://host[:port][/path]"; empty when malformed.
std::string_view url_host(std::string_view rest) {
  auto end = rest.find('/');
  std::string_view authority = rest.substr(0, end);
  if (authority.find('@') != std::string_view::npos) return {};  // no credentials in URLs
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    return close == std::string_view::npos ? std::string_view{} : authority.substr(0, close + 1);
  }
  return authority.substr(0, authority.find(':'));
}

}  // namespace

std::string location(std::string_view source, const YAML::Node& node) {
  auto mark = node.Mark();
  if (mark.line < 0) return std::string(source) + ": ";
  return std::string(source) + ":" + std::to_string(mark.line + 1) + ": ";
}

Result<Fields> Fields::open(const YAML::Node& node, std::string section, std::string_view source) {
  if (node && !node.IsNull() && !node.IsMap())
    return fail(Errc::config, location(source, node) + section + ": must be a mapping");
  Fields fields(node, std::move(section), source);
  if (!node || node.IsNull()) return fields;
  for (const auto& item : node) {
    if (!item.first.IsScalar())
      return fail(Errc::config, location(source, item.first) + fields.m_section + ": keys must be strings");
    const auto& key = item.first.Scalar();
    if (!fields.m_values.emplace(key, item.second).second)
      return fail(Errc::config, location(source, item.first) + fields.m_section + "." + key + ": duplicate key");
  }
  return fields;
}

YAML::Node Fields::value(std::string_view key) const {
  auto it = m_values.find(key);
  return it == m_values.end() ? YAML::Node() : it->second;
}

bool Fields::has(std::string_view key) const { return m_values.find(key) != m_values.end(); }

tl::unexpected<Error> Fields::error_at(std::string_view key, const std::string& problem) const {
  YAML::Node at = has(key) ? value(key) : m_node;
  std::string name = m_section.empty() ? std::string(key) : m_section + "." + std::string(key);
  return fail(Errc::config, location(m_source, at) + name + ": " + problem);
}

Result<std::string> Fields::scalar(std::string_view key) {
  m_known.insert(std::string(key));
  const YAML::Node node = value(key);
  if (!node.IsScalar()) return error_at(key, "must be a single value");
  return node.Scalar();
}

Status Fields::string(std::string_view key, std::string& out) {
  if (!has(key)) return {};
  auto text = VPS_TRY(scalar(key));
  if (text.find('\0') != std::string::npos) return error_at(key, "contains a NUL byte");
  out = std::move(text);
  return {};
}

Status Fields::boolean(std::string_view key, bool& out) {
  if (!has(key)) return {};
  auto text = VPS_TRY(scalar(key));
  // Only true/false: YAML 1.1's yes/no/on/off are exactly the ambiguity we refuse.
  if (text == "true") out = true;
  else if (text == "false") out = false;
  else return error_at(key, "'" + text + "' is not true or false");
  return {};
}

Status Fields::duration(std::string_view key, Duration& out) {
  if (!has(key)) return {};
  auto text = VPS_TRY(scalar(key));
  auto value = parse_duration(text, Duration::zero(), k_max_duration);
  if (!value) return error_at(key, value.error().message);
  out = *value;
  return {};
}

Status Fields::absolute_path(std::string_view key, std::filesystem::path& out) {
  if (!has(key)) return {};
  std::string text;
  VPS_CHECK(string(key, text));
  if (text.empty() || text.front() != '/') return error_at(key, "'" + text + "' is not an absolute path");
  std::filesystem::path path(text);
  for (const auto& part : path)
    if (part == "..") return error_at(key, "'" + text + "' must not contain '..'");
  out = path.lexically_normal();
  return {};
}

Status Fields::url(std::string_view key, std::string& out, bool allow_http) {
  if (!has(key)) return {};
  std::string text;
  VPS_CHECK(string(key, text));
  for (char c : text)
    if (c <= ' ' || c == 0x7f) return error_at(key, "URL contains whitespace or control characters");
  bool https = text.starts_with("https://");
  bool http = text.starts_with("http://");
  if (!https && !http) return error_at(key, "'" + text + "' must start with https:// (or http://)");
  std::string_view host = url_host(std::string_view(text).substr(https ? 8 : 7));
  if (host.empty()) return error_at(key, "'" + text + "' has no host (or has credentials)");
  if (http && !allow_http && !is_loopback_host(host))
    return error_at(key, "plain http:// is only allowed to a loopback host unless allow_insecure_http is true");
  out = std::move(text);
  return {};
}

Status Fields::string_list(std::string_view key, std::vector<std::string>& out) {
  if (!has(key)) return {};
  YAML::Node value = raw(key);
  std::vector<std::string> items;
  if (value.IsScalar()) {
    items.push_back(value.Scalar());
  } else if (value.IsSequence()) {
    for (const auto& item : value) {
      if (!item.IsScalar()) return error_at(key, "must be a list of single values");
      items.push_back(item.Scalar());
    }
  } else {
    return error_at(key, "must be a value or a list of values");
  }
  for (const auto& item : items)
    if (item.find('\0') != std::string::npos) return error_at(key, "contains a NUL byte");
  out = std::move(items);
  return {};
}

YAML::Node Fields::raw(std::string_view key) {
  m_known.insert(std::string(key));
  return value(key);
}

Result<Fields> Fields::nested(std::string_view key) {
  m_known.insert(std::string(key));
  std::string name = m_section.empty() ? std::string(key) : m_section + "." + std::string(key);
  return open(value(key), name, m_source);
}

Status Fields::finish() const {
  if (!m_node || !m_node.IsMap()) return {};
  for (const auto& item : m_node) {  // document order: the first unknown key is reported
    const auto& key = item.first.Scalar();
    if (!m_known.contains(key)) return error_at(key, "unknown key");
  }
  return {};
}

}  // namespace vps::config
