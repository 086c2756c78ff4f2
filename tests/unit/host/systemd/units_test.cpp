#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include <vps/sys/fs/fd.hpp>
#include <vps/host/systemd/units.hpp>

#include "test_support.hpp"

using namespace vps;
using namespace vps::host;
using systemd::UnitAction;

namespace {

// A stand-in for PID 1's private bus socket: an sd-bus server answering RestartUnit and
// ReloadUnit on org.freedesktop.systemd1.Manager, recording the calls it receives.
class FakeSystemd {
 public:
  FakeSystemd() {
    auto path = m_dir / "private";
    m_address = "unix:path=" + path.string();
    m_listener.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    m_ok = ::bind(m_listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
           ::listen(m_listener.get(), 1) == 0;
    if (m_ok) m_thread = std::thread([this] { serve(); });
  }
  ~FakeSystemd() {
    m_stop = true;
    ::shutdown(m_listener.get(), SHUT_RDWR);
    if (m_thread.joinable()) m_thread.join();
  }
  bool ok() const { return m_ok; }
  const std::string& address() const { return m_address; }
  std::vector<std::string> calls() {
    std::lock_guard lock(m_mutex);
    return m_calls;
  }

 private:
  static int handle(sd_bus_message* m, void* userdata, sd_bus_error*) {
    auto* self = static_cast<FakeSystemd*>(userdata);
    const char* member = ::sd_bus_message_get_member(m);
    const char* unit = nullptr;
    const char* mode = nullptr;
    if (::sd_bus_message_read(m, "ss", &unit, &mode) < 0) return -EINVAL;
    {
      std::lock_guard lock(self->m_mutex);
      self->m_calls.push_back(std::string(member) + " " + unit + " " + mode);
    }
    if (std::string_view(unit) == "missing.service")
      return ::sd_bus_reply_method_errorf(m, "org.freedesktop.systemd1.NoSuchUnit", "Unit %s not found.", unit);
    return ::sd_bus_reply_method_return(m, "o", "/org/freedesktop/systemd1/job/1");
  }

  void serve() {
    sys::Fd connection(::accept4(m_listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!connection) return;
    sd_bus* bus = nullptr;
    sd_id128_t id;
    ::sd_id128_randomize(&id);
    int fd = connection.release();
    if (::sd_bus_new(&bus) < 0 || ::sd_bus_set_fd(bus, fd, fd) < 0 || ::sd_bus_set_server(bus, 1, id) < 0 ||
        ::sd_bus_add_object(bus, nullptr, "/org/freedesktop/systemd1", handle, this) < 0 || ::sd_bus_start(bus) < 0) {
      ::sd_bus_flush_close_unref(bus);
      return;
    }
    // Bounded: at most ~10 s of serving, 100 ms per wait.
    for (int i = 0; i < 100 && !m_stop; ++i) {
      int r = ::sd_bus_process(bus, nullptr);
      if (r < 0) break;
      if (r == 0) ::sd_bus_wait(bus, 100000);
    }
    ::sd_bus_flush_close_unref(bus);
  }

  test::TempDir m_dir;
  std::string m_address;
  sys::Fd m_listener;
  bool m_ok = false;
  std::atomic<bool> m_stop{false};
  std::mutex m_mutex;
  std::vector<std::string> m_calls;
  std::thread m_thread;
};

}  // namespace

TEST_SUITE("host::systemd::units") {
  TEST_CASE("validates unit names") {
    CHECK(systemd::is_valid_unit_name("nginx.service"));
    CHECK(systemd::is_valid_unit_name("getty@ttyS0.service"));
    CHECK(systemd::is_valid_unit_name("vps-secrets.target"));
    CHECK_FALSE(systemd::is_valid_unit_name(""));
    CHECK_FALSE(systemd::is_valid_unit_name("nginx"));
    CHECK_FALSE(systemd::is_valid_unit_name("@.service"));
    CHECK_FALSE(systemd::is_valid_unit_name("a b.service"));
    CHECK_FALSE(systemd::is_valid_unit_name("../x.service"));
    CHECK_FALSE(systemd::is_valid_unit_name(std::string(300, 'a') + ".service"));
  }

  TEST_CASE("restarts first, skips reloads of restarted units, deduplicates") {
    systemd::DryRunUnitManager manager;
    auto applied = systemd::apply_unit_actions(manager, {"b.service", "a.service", "b.service"},
                                               {"a.service", "c.service", "c.service"});
    REQUIRE(applied);
    std::vector<std::pair<UnitAction, std::string>> expected = {
        {UnitAction::restart, "a.service"}, {UnitAction::restart, "b.service"}, {UnitAction::reload, "c.service"}};
    CHECK(manager.calls() == expected);
  }

  TEST_CASE("attempts every unit and reports all failures") {
    systemd::DryRunUnitManager manager;
    manager.fail_on("a.service");
    manager.fail_on("c.service");
    auto applied = systemd::apply_unit_actions(manager, {"a.service", "b.service"}, {"c.service"});
    REQUIRE_FALSE(applied);
    CHECK(applied.error().code == Errc::io);
    CHECK(applied.error().message.find("a.service") != std::string::npos);
    CHECK(applied.error().message.find("c.service") != std::string::npos);
    CHECK(manager.calls().size() == 3);
  }

  TEST_CASE("refuses invalid unit names before calling anything") {
    systemd::DryRunUnitManager manager;
    auto applied = systemd::apply_unit_actions(manager, {"ok.service"}, {"bad name"});
    REQUIRE_FALSE(applied);
    CHECK(applied.error().code == Errc::config);
    CHECK(manager.calls().empty());
  }

  TEST_CASE("calls RestartUnit and ReloadUnit with mode replace over sd-bus") {
    FakeSystemd fake;
    REQUIRE(fake.ok());
    auto manager = systemd::BusUnitManager::connect_address(fake.address());
    REQUIRE_MESSAGE(manager, manager.error().message);
    auto applied = systemd::apply_unit_actions(**manager, {"app.service"}, {"nginx.service"});
    REQUIRE_MESSAGE(applied, applied.error().message);
    auto failed = (*manager)->restart("missing.service");
    REQUIRE_FALSE(failed);
    CHECK(failed.error().code == Errc::io);
    CHECK(failed.error().message.find("Unit missing.service not found.") != std::string::npos);
    CHECK(fake.calls() == std::vector<std::string>{"RestartUnit app.service replace", "ReloadUnit nginx.service replace",
                                                   "RestartUnit missing.service replace"});
  }

  TEST_CASE("fails cleanly when nothing listens") {
    test::TempDir dir;
    auto manager = systemd::BusUnitManager::connect_address("unix:path=" + (dir / "absent").string());
    if (manager) {
      // sd-bus may connect lazily; the first call must then fail.
      auto call = (*manager)->restart("a.service");
      REQUIRE_FALSE(call);
      CHECK(call.error().code == Errc::io);
    } else {
      CHECK(manager.error().code == Errc::io);
    }
  }
}
