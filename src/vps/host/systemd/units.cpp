#include <vps/host/systemd/units.hpp>

#include <algorithm>
#include <array>

#include <systemd/sd-bus.h>

#include <vps/sys/fs/file.hpp>

namespace vps::host::systemd {

namespace {

constexpr std::size_t k_max_unit_name = 255;  // systemd's UNIT_NAME_MAX
constexpr std::array<std::string_view, 11> k_unit_suffixes = {
    ".service", ".socket", ".target", ".timer", ".path", ".mount", ".automount", ".swap", ".slice", ".scope", ".device"};
constexpr const char* k_destination = "org.freedesktop.systemd1";
constexpr const char* k_object = "/org/freedesktop/systemd1";
constexpr const char* k_interface = "org.freedesktop.systemd1.Manager";

bool unit_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' || c == '-' ||
         c == '_' || c == '.' || c == '\\' || c == '@';
}

}  // namespace

std::string_view action_name(UnitAction action) {
  switch (action) {
    case UnitAction::restart: return "restart";
    case UnitAction::reload: return "reload";
    case UnitAction::start: return "start";
  }
  return "?";
}

bool is_valid_unit_name(std::string_view unit) {
  if (unit.empty() || unit.size() > k_max_unit_name || unit.front() == '.') return false;
  if (!std::all_of(unit.begin(), unit.end(), unit_char)) return false;
  return std::any_of(k_unit_suffixes.begin(), k_unit_suffixes.end(), [&](std::string_view suffix) {
    return unit.size() > suffix.size() && unit.ends_with(suffix) && unit[unit.size() - suffix.size() - 1] != '@';
  });
}

Status DryRunUnitManager::record(UnitAction action, const std::string& unit) {
  m_calls.emplace_back(action, unit);
  if (m_failing.count(unit)) return fail(Errc::io, "dry run: " + std::string(action_name(action)) + " of '" + unit + "' failed");
  return {};
}
Status DryRunUnitManager::restart(const std::string& unit) { return record(UnitAction::restart, unit); }
Status DryRunUnitManager::reload(const std::string& unit) { return record(UnitAction::reload, unit); }
Status DryRunUnitManager::start(const std::string& unit) { return record(UnitAction::start, unit); }

Result<std::unique_ptr<BusUnitManager>> BusUnitManager::connect_system() {
  sd_bus* bus = nullptr;
  int rc = ::sd_bus_open_system(&bus);
  if (rc >= 0) return std::unique_ptr<BusUnitManager>(new BusUnitManager(bus));
  auto fallback = connect_address("unix:path=/run/systemd/private");
  if (fallback) return fallback;
  return fail(Errc::io, "cannot connect to systemd: system bus: " + sys::errno_text(-rc) + "; " + fallback.error().message);
}

Result<std::unique_ptr<BusUnitManager>> BusUnitManager::connect_address(const std::string& address) {
  sd_bus* bus = nullptr;
  int rc = ::sd_bus_new(&bus);
  if (rc >= 0) rc = ::sd_bus_set_address(bus, address.c_str());
  if (rc >= 0) rc = ::sd_bus_set_bus_client(bus, 0);  // peer-to-peer: no bus daemon, no Hello
  if (rc >= 0) rc = ::sd_bus_start(bus);
  if (rc < 0) {
    ::sd_bus_flush_close_unref(bus);
    return fail(Errc::io, "cannot connect to systemd at '" + address + "': " + sys::errno_text(-rc));
  }
  return std::unique_ptr<BusUnitManager>(new BusUnitManager(bus));
}

BusUnitManager::~BusUnitManager() { ::sd_bus_flush_close_unref(m_bus); }

Status BusUnitManager::restart(const std::string& unit) { return call(UnitAction::restart, unit); }
Status BusUnitManager::reload(const std::string& unit) { return call(UnitAction::reload, unit); }
Status BusUnitManager::start(const std::string& unit) { return call(UnitAction::start, unit); }

Status BusUnitManager::call(UnitAction action, const std::string& unit) {
  const char* method = action == UnitAction::restart ? "RestartUnit" : action == UnitAction::reload ? "ReloadUnit" : "StartUnit";
  sd_bus_error error = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  int rc = ::sd_bus_call_method(m_bus, k_destination, k_object, k_interface, method, &error, &reply, "ss",
                                unit.c_str(), "replace");
  std::string why;
  if (rc < 0) why = error.message ? error.message : sys::errno_text(-rc);
  ::sd_bus_error_free(&error);
  ::sd_bus_message_unref(reply);
  if (rc < 0) return fail(Errc::io, "cannot " + std::string(action_name(action)) + " '" + unit + "': " + why);
  return {};
}

Status apply_unit_actions(UnitManager& manager, const std::vector<std::string>& restart,
                          const std::vector<std::string>& reload, const std::vector<std::string>& start) {
  for (const auto* list : {&restart, &reload, &start}) {
    for (const auto& unit : *list) {
      if (!is_valid_unit_name(unit)) return fail(Errc::config, "invalid unit name '" + unit + "'");
    }
  }
  const std::set<std::string> started(start.begin(), start.end());
  std::set<std::string> restarted;
  std::set<std::string> reloaded;
  std::vector<std::string> failures;
  for (const auto& unit : started) {
    auto done = manager.start(unit);
    if (!done) failures.push_back(done.error().message);
  }
  for (const auto& unit : std::set<std::string>(restart.begin(), restart.end())) {
    if (started.count(unit)) continue;
    restarted.insert(unit);
    auto done = manager.restart(unit);
    if (!done) failures.push_back(done.error().message);
  }
  for (const auto& unit : reload) {
    if (started.count(unit) || restarted.count(unit) || !reloaded.insert(unit).second) continue;
    auto done = manager.reload(unit);
    if (!done) failures.push_back(done.error().message);
  }
  if (failures.empty()) return {};
  std::string message = failures.front();
  for (std::size_t i = 1; i < failures.size(); ++i) message += "; " + failures[i];
  return fail(Errc::io, message);
}

}  // namespace vps::host::systemd
