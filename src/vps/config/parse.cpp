#include <vps/config/parse.hpp>

#include <set>

#include <yaml-cpp/yaml.h>

#include <vps/config/fields.hpp>
#include <vps/config/sections.hpp>

namespace vps::config {
namespace {

Status parse_sections(const YAML::Node& root, std::string_view source_name, Config& config) {
  VPS_CHECK(Fields::open(root, "", source_name));  // duplicate and non-string keys
  for (const auto& item : root) {
    const std::string& key = item.first.Scalar();
    bool found = false;
    for (const auto& section : sections()) {
      if (section.name != key) continue;
      VPS_CHECK(section.parse(item.second, source_name, config));
      found = true;
    }
    if (!found) return fail(Errc::config, location(source_name, item.first) + key + ": unknown key");
  }
  return {};
}

}  // namespace

Result<Config> parse(std::string_view text, std::string_view source_name) {
  if (text.size() > k_max_config_size)
    return fail(Errc::config, std::string(source_name) + ": larger than 1 MiB");
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return fail(Errc::config, std::string(source_name) + ":" + std::to_string(e.mark.line + 1) +
                                  ": invalid YAML: " + e.msg);
  }
  Config config;
  if (!root || root.IsNull()) return config;
  if (!root.IsMap()) return fail(Errc::config, location(source_name, root) + "top level must be a mapping");
  try {
    VPS_CHECK(parse_sections(root, source_name, config));
  } catch (const YAML::Exception& e) {
    return fail(Errc::config, std::string(source_name) + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return config;
}

}  // namespace vps::config
