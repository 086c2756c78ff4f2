#pragma once
// Restarting and reloading the units whose secrets changed, and starting the units whose
// secrets have all arrived after their gate kept them from starting (status.hpp in
// host/secrets). BusUnitManager talks to systemd over sd-bus
// (org.freedesktop.systemd1.Manager RestartUnit/ReloadUnit/StartUnit, mode "replace");
// DryRunUnitManager only records, for tests and `--dry-run`.

#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <vps/base/result.hpp>

struct sd_bus;

namespace vps::host::systemd {

enum class UnitAction { restart, reload, start };

std::string_view action_name(UnitAction action);

// "name.service", "foo@bar.socket": characters systemd allows in unit names, a known suffix.
bool is_valid_unit_name(std::string_view unit);

class UnitManager {
 public:
  virtual ~UnitManager() = default;
  virtual Status restart(const std::string& unit) = 0;
  virtual Status reload(const std::string& unit) = 0;
  virtual Status start(const std::string& unit) = 0;
};

class DryRunUnitManager final : public UnitManager {
 public:
  Status restart(const std::string& unit) override;
  Status reload(const std::string& unit) override;
  Status start(const std::string& unit) override;
  // Units listed here fail (Errc::io), to test error paths.
  void fail_on(std::string unit) { m_failing.insert(std::move(unit)); }
  const std::vector<std::pair<UnitAction, std::string>>& calls() const { return m_calls; }

 private:
  Status record(UnitAction action, const std::string& unit);
  std::vector<std::pair<UnitAction, std::string>> m_calls;
  std::set<std::string> m_failing;
};

class BusUnitManager final : public UnitManager {
 public:
  // The system bus; if dbus is not running (early boot), systemd's private socket
  // /run/systemd/private, which PID 1 serves to root.
  static Result<std::unique_ptr<BusUnitManager>> connect_system();
  // A direct (peer-to-peer, no Hello) connection such as "unix:path=/run/systemd/private".
  static Result<std::unique_ptr<BusUnitManager>> connect_address(const std::string& address);
  ~BusUnitManager() override;
  BusUnitManager(const BusUnitManager&) = delete;
  BusUnitManager& operator=(const BusUnitManager&) = delete;

  Status restart(const std::string& unit) override;
  Status reload(const std::string& unit) override;
  Status start(const std::string& unit) override;

 private:
  explicit BusUnitManager(sd_bus* bus) : m_bus(bus) {}
  Status call(UnitAction action, const std::string& unit);
  sd_bus* m_bus;
};

// Starts `start` units, restarts `restart` units that are not also started, then reloads
// `reload` units that are neither: each unit gets one action however many of its secrets
// changed. Every unit is attempted; the error (Errc::io) names all that failed. Invalid names
// are Errc::config (and nothing is done).
Status apply_unit_actions(UnitManager& manager, const std::vector<std::string>& restart,
                          const std::vector<std::string>& reload, const std::vector<std::string>& start = {});

}  // namespace vps::host::systemd
