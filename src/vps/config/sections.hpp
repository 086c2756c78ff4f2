#pragma once
// One function per top-level key of config.yaml. Adding a section = write its function in its
// own file (or sections.cpp) and add one row to k_sections in sections.cpp.

#include <span>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include <vps/base/result.hpp>
#include <vps/config/config.hpp>

namespace vps::config {

struct SectionParser {
  std::string_view name;
  Status (*parse)(const YAML::Node& node, std::string_view source, Config& config);
};

std::span<const SectionParser> sections();

}  // namespace vps::config
