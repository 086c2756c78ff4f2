#pragma once
// Typed, strict access to one YAML mapping of the config file. Each getter records the key as
// known; finish() then rejects any key nobody asked for. Every error is Errc::config and reads
// "<source>:<line>: <section.key>: <problem>" (lines from yaml-cpp's Mark, 1-based).

#include <filesystem>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include <vps/base/result.hpp>
#include <vps/config/config.hpp>

namespace vps::config {

class Fields {
 public:
  // Fails unless node is a mapping (or null/empty, which means "all defaults").
  static Result<Fields> open(const YAML::Node& node, std::string section, std::string_view source);

  Status string(std::string_view key, std::string& out);
  Status boolean(std::string_view key, bool& out);
  Status duration(std::string_view key, Duration& out);
  Status absolute_path(std::string_view key, std::filesystem::path& out);
  // http(s) URL; http only to loopback unless allow_http.
  Status url(std::string_view key, std::string& out, bool allow_http);

  template <class E>
  Status choice(std::string_view key, E& out, std::initializer_list<std::pair<std::string_view, E>> options) {
    std::string text;
    if (!has(key)) return {};
    VPS_CHECK(string(key, text));
    for (const auto& [name, value] : options)
      if (name == text) {
        out = value;
        return {};
      }
    std::string names;
    for (const auto& option : options) names += (names.empty() ? "" : ", ") + std::string(option.first);
    return error_at(key, "'" + text + "' is not one of: " + names);
  }

  // A scalar or a sequence of scalars ("a.service" or [a.service, b.service]).
  Status string_list(std::string_view key, std::vector<std::string>& out);
  // The raw node of a key (marked known), for structures the getters do not cover.
  YAML::Node raw(std::string_view key);
  const std::string& section() const { return m_section; }
  std::string_view source() const { return m_source; }

  // A nested mapping ("enrollment.retry").
  Result<Fields> nested(std::string_view key);
  bool has(std::string_view key) const;
  Status finish() const;

  tl::unexpected<Error> error_at(std::string_view key, const std::string& problem) const;

 private:
  Fields(YAML::Node node, std::string section, std::string_view source)
      : m_node(std::move(node)), m_section(std::move(section)), m_source(source) {}
  Result<std::string> scalar(std::string_view key);

  // The value of `key`; a null node when absent (never inserts into the document).
  YAML::Node value(std::string_view key) const;

  YAML::Node m_node;
  // key -> value, filled once by open(): yaml-cpp's own lookup scans the mapping and, on a
  // non-const node, adds a placeholder per absent key, which made a 1000-secret config slow.
  std::map<std::string, YAML::Node, std::less<>> m_values;
  std::string m_section;
  std::string_view m_source;
  std::set<std::string, std::less<>> m_known;
};

// "<source>:<line>: " for a node (empty line part when yaml-cpp has no mark).
std::string location(std::string_view source, const YAML::Node& node);

}  // namespace vps::config
