#include <vps/host/delivery/bundle_sequences.hpp>

#include <system_error>

#include <nlohmann/json.hpp>

#include <vps/sys/fs/atomic_file.hpp>
#include <vps/sys/fs/file.hpp>
#include <vps/protocol/bundle_manifest.hpp>

namespace vps::host::delivery {

Result<BundleSequences> BundleSequences::load(const std::filesystem::path& path) {
  BundleSequences out(path);
  auto text = sys::read_text_file(path, k_max_sequence_file_bytes);
  if (!text) {
    if (text.error().code == Errc::missing) return out;
    return fail(std::move(text).error().context("bundle sequence file"));
  }
  auto corrupt = [&](const std::string& why) {
    return fail(Errc::malformed, "bundle sequence file '" + path.string() + "' is corrupt (" + why +
                                     "); refusing to install bundles until it is repaired or removed");
  };
  auto json = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return corrupt("not a JSON object");
  for (const auto& [name, value] : json.items()) {
    if (!protocol::valid_bundle_name(name)) return corrupt("invalid bundle name");
    if (!value.is_number_integer() || value.get<std::int64_t>() < 0) return corrupt("'" + name + "' is not a sequence");
    out.m_last[name] = value.get<std::int64_t>();
  }
  return out;
}

std::int64_t BundleSequences::last(const std::string& name) const {
  auto it = m_last.find(name);
  return it == m_last.end() ? 0 : it->second;
}

Status BundleSequences::record(const std::string& name, std::int64_t sequence) {
  auto next = m_last;
  next[name] = sequence;
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [n, s] : next) json[n] = s;
  std::error_code ec;
  std::filesystem::create_directories(m_path.parent_path(), ec);
  if (ec) return fail(Errc::io, "creating '" + m_path.parent_path().string() + "': " + ec.message());
  const std::string text = json.dump(2) + "\n";
  VPS_CHECK(sys::write_file_atomic(m_path, as_bytes(text), 0644));
  m_last = std::move(next);
  return {};
}

}  // namespace vps::host::delivery
