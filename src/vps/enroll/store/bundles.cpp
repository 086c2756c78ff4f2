// Store: secret bundles (ciphertext and the operator-signed manifest).
#include <vps/enroll/store/store.hpp>

namespace vps::enroll::store {

Status Store::put_bundle(const BundleInfo& info, ByteView ciphertext) {
  auto stmt = VPS_TRY(m_db->prepare(
      "INSERT INTO bundles (host, name, ciphertext, sha256, uploaded_by, uploaded_at, sequence, manifest, signature) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
      "ON CONFLICT (host, name) DO UPDATE SET ciphertext = excluded.ciphertext, sha256 = excluded.sha256, "
      "uploaded_by = excluded.uploaded_by, uploaded_at = excluded.uploaded_at, sequence = excluded.sequence, "
      "manifest = excluded.manifest, signature = excluded.signature"));
  stmt.bind(1, info.host).bind(2, info.name).bind_blob(3, ciphertext).bind(4, info.sha256).bind(5, info.uploaded_by);
  stmt.bind(6, info.uploaded_at).bind(7, info.sequence).bind(8, info.manifest).bind(9, info.signature);
  return stmt.run();
}

namespace {

constexpr std::string_view k_bundle_columns =
    "host, name, sha256, length(ciphertext), uploaded_by, uploaded_at, sequence, manifest, signature";

BundleInfo bundle_info(Statement& stmt) {
  return BundleInfo{stmt.text(0),    stmt.text(1),    stmt.text(2), stmt.integer(3), stmt.text(4),
                    stmt.integer(5), stmt.integer(6), stmt.text(7), stmt.text(8)};
}

}  // namespace

Result<std::vector<BundleInfo>> Store::list_bundles(std::string_view host) {
  auto stmt = VPS_TRY(m_db->prepare("SELECT " + std::string(k_bundle_columns) +
                                    " FROM bundles WHERE host = ?1 ORDER BY name"));
  stmt.bind(1, host);
  std::vector<BundleInfo> out;
  while (VPS_TRY(stmt.step())) out.push_back(bundle_info(stmt));
  return out;
}

Result<std::optional<Bundle>> Store::get_bundle(std::string_view host, std::string_view name) {
  auto stmt = VPS_TRY(m_db->prepare("SELECT " + std::string(k_bundle_columns) +
                                    ", ciphertext FROM bundles WHERE host = ?1 AND name = ?2"));
  stmt.bind(1, host).bind(2, name);
  if (!VPS_TRY(stmt.step())) return std::optional<Bundle>();
  Bundle bundle{bundle_info(stmt), stmt.blob(9)};
  return std::optional<Bundle>(std::move(bundle));
}

}  // namespace vps::enroll::store
