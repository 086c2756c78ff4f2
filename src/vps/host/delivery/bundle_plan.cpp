#include <vps/host/delivery/bundle_plan.hpp>

#include <algorithm>

#include <vps/base/hex.hpp>
#include <vps/formats/age/armor.hpp>

#include <nlohmann/json.hpp>

#include <vps/protocol/bundle_manifest.hpp>

namespace vps::host::delivery {

namespace {

bool valid_sha256(std::string_view text) {
  return text.size() == 64 && hex::is_lower_hex(text);
}

Result<BundleEntry> parse_entry(const nlohmann::json& item, std::size_t index) {
  const std::string where = "bundle listing entry " + std::to_string(index);
  if (!item.is_object()) return fail(Errc::malformed, where + ": not an object");
  auto text = [&](const char* field) -> Result<std::string> {
    auto it = item.find(field);
    if (it == item.end() || !it->is_string()) return fail(Errc::malformed, where + ": '" + field + "' missing or not a string");
    return it->get<std::string>();
  };
  BundleEntry entry;
  entry.name = VPS_TRY(text("name"));
  entry.sha256 = VPS_TRY(text("sha256"));
  auto size = item.find("size");
  if (size == item.end() || !size->is_number_integer() || size->get<std::int64_t>() < 0)
    return fail(Errc::malformed, where + ": 'size' missing or not a non-negative integer");
  entry.size = size->get<std::int64_t>();
  // Absent in listings from endpoints older than manifests: refused later, by name.
  if (item.contains("manifest")) entry.manifest = VPS_TRY(text("manifest"));
  if (item.contains("signature")) entry.signature = VPS_TRY(text("signature"));
  if (entry.manifest.size() > protocol::k_max_bundle_manifest_bytes || entry.signature.size() > 128)
    return fail(Errc::malformed, where + ": manifest or signature too long");
  if (!protocol::valid_bundle_name(entry.name)) return fail(Errc::malformed, where + ": invalid name");
  if (!valid_sha256(entry.sha256)) return fail(Errc::malformed, where + ": invalid sha256");
  return entry;
}

}  // namespace

Result<std::vector<BundleEntry>> parse_listing(std::string_view body) {
  if (body.size() > k_max_listing_bytes) return fail(Errc::malformed, "bundle listing larger than 1 MiB");
  auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return fail(Errc::malformed, "bundle listing is not a JSON object");
  auto list = json.find("bundles");
  if (list == json.end() || !list->is_array()) return fail(Errc::malformed, "bundle listing has no 'bundles' array");
  if (list->size() > k_max_listing_entries) return fail(Errc::malformed, "bundle listing has too many entries");
  std::vector<BundleEntry> out;
  for (std::size_t i = 0; i < list->size(); ++i) out.push_back(VPS_TRY(parse_entry((*list)[i], i)));
  return out;
}

Plan plan_downloads(const std::vector<BundleEntry>& listing, const std::vector<std::filesystem::path>& all_sources,
                    const std::vector<std::filesystem::path>& pending_sources,
                    const std::function<std::string(const std::filesystem::path&)>& on_disk_sha256) {
  Plan plan;
  for (const auto& entry : listing) {
    std::vector<std::filesystem::path> matches;
    for (const auto& source : all_sources) {
      if (source.filename() == entry.name && std::find(matches.begin(), matches.end(), source) == matches.end())
        matches.push_back(source);
    }
    if (matches.empty()) continue;
    if (matches.size() > 1) {
      plan.skipped.push_back("bundle '" + entry.name + "' matches " + std::to_string(matches.size()) +
                             " sources with that file name; not delivered");
      continue;
    }
    const auto& target = matches.front();
    if (std::find(pending_sources.begin(), pending_sources.end(), target) == pending_sources.end()) continue;
    if (on_disk_sha256(target) == entry.sha256) continue;  // already here (and still not decryptable)
    plan.downloads.push_back({entry, target});
  }
  return plan;
}

}  // namespace vps::host::delivery
