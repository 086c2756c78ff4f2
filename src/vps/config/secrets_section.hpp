#pragma once
// Parser of the `secrets:` section (a row in k_sections, sections.cpp).

#include <string_view>

#include <yaml-cpp/yaml.h>

#include <vps/base/result.hpp>
#include <vps/config/config.hpp>

namespace vps::config {

Status parse_secrets(const YAML::Node& node, std::string_view source, Config& config);

}  // namespace vps::config
