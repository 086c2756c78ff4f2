#include <vps/config/operators_section.hpp>

#include <vps/config/fields.hpp>
#include <vps/formats/openssh/authorized_operators.hpp>

namespace vps::config {

Status parse_authorized_operators(const YAML::Node& node, std::string_view source, Config& config) {
  // A top-level key: read it through a one-key view of the root mapping, as state_dir is.
  YAML::Node wrapper;
  wrapper["authorized_operators"] = node;
  auto f = VPS_TRY(Fields::open(wrapper, "", source));
  auto& out = config.authorized_operators;
  if (node.IsScalar()) {
    std::string path = node.Scalar();
    if (path.empty() || path.front() != '/') return f.error_at("authorized_operators", "a file path must be absolute");
    out.file = path;
    return {};
  }
  VPS_CHECK(f.string_list("authorized_operators", out.lines));
  std::string joined;
  for (const auto& line : out.lines) {
    if (line.find('\n') != std::string::npos) return f.error_at("authorized_operators", "one key per list item");
    joined += line + "\n";
  }
  auto parsed = formats::openssh::parse_authorized_operators(joined, "authorized_operators item");
  if (!parsed) return f.error_at("authorized_operators", parsed.error().message);
  return {};
}

}  // namespace vps::config
