#include <vps/host/identity/instance_id.hpp>

#include <array>
#include <optional>

#include <vps/sys/fs/file.hpp>

namespace vps::host::identity {
namespace {
// Values firmware writes when it has no serial; treating them as ids would make every such
// machine look like the same instance.
constexpr std::array<std::string_view, 7> k_placeholders = {
    "0", "None", "Not Specified", "Not Applicable", "System Serial Number", "Default string", "To be filled by O.E.M."};
}  // namespace

std::optional<std::string> usable_instance_id(std::string_view raw) {
  while (!raw.empty() && (raw.back() == '\n' || raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\0'))
    raw.remove_suffix(1);
  while (!raw.empty() && (raw.front() == ' ' || raw.front() == '\t')) raw.remove_prefix(1);
  if (raw.empty() || raw.size() > 64) return std::nullopt;
  for (auto placeholder : k_placeholders)
    if (raw == placeholder) return std::nullopt;
  for (char c : raw)
    if (c < 0x21 || c > 0x7e) return std::nullopt;
  return std::string(raw);
}

Result<std::string> read_instance_id(const config::Instance& instance) {
  if (instance.id_source == config::IdSource::metadata) return std::string();
  auto text = sys::read_text_file(instance.dmi_path, 4096);
  bool strict = instance.id_source == config::IdSource::dmi;
  if (!text) {
    if (!strict) return std::string();
    return fail(std::move(text).error().context("reading instance id (instance.id_source: dmi)"));
  }
  auto id = usable_instance_id(*text);
  if (!id) {
    if (!strict) return std::string();
    return fail(Errc::malformed, "reading instance id: '" + instance.dmi_path.string() + "' holds no usable id");
  }
  return *id;
}

}  // namespace vps::host::identity
