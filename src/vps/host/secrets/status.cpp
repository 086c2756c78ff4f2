#include <vps/host/secrets/status.hpp>

#include <algorithm>
#include <cerrno>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <vps/host/systemd/units.hpp>
#include <vps/sys/fs/atomic_file.hpp>
#include <vps/sys/fs/file.hpp>

namespace vps::host::secrets {

namespace {

using Json = nlohmann::json;
constexpr std::size_t k_max_status_bytes = 4 * 1024 * 1024;

Json strings(const std::vector<std::string>& list) { return Json(list); }

std::vector<std::string> string_list(const Json& value) {
  std::vector<std::string> out;
  if (!value.is_array()) return out;
  for (const auto& item : value)
    if (item.is_string()) out.push_back(item.get<std::string>());
  return out;
}

}  // namespace

bool SecretsStatus::complete() const {
  return std::all_of(unavailable.begin(), unavailable.end(), [](const auto& u) { return u.stale; });
}

std::vector<const UnavailableSecret*> SecretsStatus::blocking(std::string_view unit) const {
  std::vector<const UnavailableSecret*> out;
  for (const auto& u : unavailable)
    if (!u.stale && std::find(u.units.begin(), u.units.end(), unit) != u.units.end()) out.push_back(&u);
  return out;
}

std::int64_t SecretsStatus::waiting_since() const {
  std::int64_t oldest = 0;
  for (const auto& u : unavailable)
    if (!u.stale && (oldest == 0 || u.since < oldest)) oldest = u.since;
  return oldest;
}

std::filesystem::path status_file(const std::filesystem::path& mount) { return mount / "status.json"; }
std::filesystem::path gate_dir(const std::filesystem::path& mount) { return mount / "gated"; }

std::string to_json(const SecretsStatus& status) {
  Json unavailable = Json::array();
  for (const auto& u : status.unavailable) {
    unavailable.push_back(Json{{"name", u.name}, {"source", u.source}, {"reason", u.reason}, {"waiting", u.waiting},
                               {"stale", u.stale}, {"since", u.since}, {"units", strings(u.units)}});
  }
  Json out{{"generation", status.generation ? Json(*status.generation) : Json(nullptr)},
           {"updated_at", status.updated_at},
           {"started_at", status.started_at},
           {"complete", status.complete()},
           {"active", strings(status.active)},
           {"unavailable", std::move(unavailable)},
           {"blocked_units", strings(status.blocked_units)},
           {"endpoint", status.endpoint}};
  return out.dump(2) + "\n";
}

Result<SecretsStatus> status_from_json(std::string_view text) {
  const Json doc = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return fail(Errc::malformed, "secrets status: not a JSON object");
  SecretsStatus status;
  try {
    if (doc.contains("generation") && doc["generation"].is_number_unsigned())
      status.generation = doc["generation"].get<std::uint64_t>();
    status.updated_at = doc.value("updated_at", std::int64_t{0});
    status.started_at = doc.value("started_at", std::int64_t{0});
    status.active = string_list(doc.value("active", Json::array()));
    status.blocked_units = string_list(doc.value("blocked_units", Json::array()));
    status.endpoint = doc.value("endpoint", std::string());
    for (const auto& item : doc.value("unavailable", Json::array())) {
      if (!item.is_object()) return fail(Errc::malformed, "secrets status: an unavailable entry is not an object");
      UnavailableSecret u;
      u.name = item.value("name", std::string());
      u.source = item.value("source", std::string());
      u.reason = item.value("reason", std::string());
      u.waiting = item.value("waiting", false);
      u.stale = item.value("stale", false);
      u.since = item.value("since", std::int64_t{0});
      u.units = string_list(item.value("units", Json::array()));
      status.unavailable.push_back(std::move(u));
    }
  } catch (const Json::exception& e) {
    return fail(Errc::malformed, std::string("secrets status: ") + e.what());
  }
  return status;
}

Status write_status(const std::filesystem::path& mount, const SecretsStatus& status) {
  const std::string text = to_json(status);
  auto file = VPS_TRY(sys::AtomicFile::create(status_file(mount), 0600));
  VPS_CHECK(file.write(as_bytes(text)));
  return file.commit(sys::Durability::unsynced);
}

Result<std::optional<SecretsStatus>> read_status(const std::filesystem::path& mount) {
  auto text = sys::read_text_file(status_file(mount), k_max_status_bytes);
  if (!text) {
    if (text.error().code == Errc::missing) return std::optional<SecretsStatus>();
    return fail(std::move(text).error());
  }
  return std::optional<SecretsStatus>(VPS_TRY(status_from_json(*text)));
}

Status record_gated(const std::filesystem::path& mount, std::string_view unit) {
  if (!systemd::is_valid_unit_name(unit)) return fail(Errc::config, "'" + std::string(unit) + "' is not a unit name");
  const auto dir = gate_dir(mount);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return fail(Errc::io, "creating " + dir.string() + ": " + sys::errno_text(errno));
  const auto path = dir / std::string(unit);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return fail(Errc::io, "recording " + path.string() + ": " + sys::errno_text(errno));
  ::close(fd);
  return {};
}

Status clear_gated(const std::filesystem::path& mount, std::string_view unit) {
  if (!systemd::is_valid_unit_name(unit)) return fail(Errc::config, "'" + std::string(unit) + "' is not a unit name");
  const auto path = gate_dir(mount) / std::string(unit);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    return fail(Errc::io, "removing " + path.string() + ": " + sys::errno_text(errno));
  return {};
}

Result<std::vector<std::string>> gated_units(const std::filesystem::path& mount) {
  std::vector<std::string> units;
  std::error_code ec;
  std::filesystem::directory_iterator it(gate_dir(mount), ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return units;
    return fail(Errc::io, "listing " + gate_dir(mount).string() + ": " + ec.message());
  }
  for (const auto& entry : it) {
    const std::string name = entry.path().filename().string();
    if (systemd::is_valid_unit_name(name)) units.push_back(name);
  }
  std::sort(units.begin(), units.end());
  return units;
}

}  // namespace vps::host::secrets
