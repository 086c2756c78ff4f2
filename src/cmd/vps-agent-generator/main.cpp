// vps-agent-generator: systemd runs it (from system-generators/) at boot and on every
// daemon-reload, before units are loaded, as `vps-agent-generator NORMAL EARLY LATE`. It reads
// /etc/vps-agent/config.yaml and gives each service named in the secrets' restart_units or
// reload_units the drop-in NORMAL/<unit>.d/50-vps-secrets.conf (After=vps-secrets.service and
// the per-unit gate, ExecCondition=vps-agent secrets --gate UNIT). NORMAL ranks below /etc, so an administrator's drop-in of the same
// name (or a link to /dev/null) overrides ours.
//
// A generator must never break the boot: a missing or invalid config is logged and the
// generator exits 0 having written nothing; an invalid unit name is logged and skipped.
// Generators take no options, so tests relocate with the environment: VPS_AGENT_ROOT (as
// --root) and VPS_AGENT_CONFIG (as --config).
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <syslog.h>
#include <unistd.h>

#include <vps/base/log.hpp>
#include <vps/base/text.hpp>
#include <vps/config/load.hpp>
#include <vps/sys/fs/fd.hpp>
#include <vps/host/systemd/generator.hpp>

namespace {

using namespace vps;
namespace systemd = vps::host::systemd;

constexpr std::string_view k_program = "vps-agent-generator";
constexpr std::size_t k_max_log_line = 900;  // the kernel truncates /dev/kmsg records near 1 KiB

// syslog(3) does not exist this early; systemd.generator(7) says to log to /dev/kmsg. Only
// when systemd runs us (SYSTEMD_SCOPE set, systemd >= 251): by hand or in tests, stderr.
class Logger {
 public:
  Logger() {
    const char* scope = std::getenv("SYSTEMD_SCOPE");
    if (scope && *scope) m_kmsg.reset(::open("/dev/kmsg", O_WRONLY | O_NOCTTY | O_CLOEXEC));
  }

  void write(log::Level level, std::string_view message) const {
    // One record per line: the message may quote config text (a unit name with a newline).
    std::string clean;
    for (char c : text::utf8_prefix(message, k_max_log_line)) clean += (c >= 0 && c < 0x20) || c == 0x7f ? ' ' : c;
    if (!m_kmsg) return log::write(level, clean);
    const std::string line = "<" + std::to_string(LOG_DAEMON | static_cast<int>(level)) + ">" +
                             std::string(k_program) + "[" + std::to_string(::getpid()) + "]: " + clean + "\n";
    if (::write(m_kmsg.get(), line.data(), line.size()) < 0) log::write(level, clean);
  }

 private:
  sys::Fd m_kmsg;
};

// The vps-agent the drop-ins run: installed beside us in the build tree, in <prefix>/bin for a
// generator in <prefix>/lib/systemd/system-generators (Debian's /usr, a Nix store path), else
// /usr/bin/vps-agent.
std::string agent_path() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (const auto& candidate : {exe.parent_path() / "vps-agent", exe.parent_path().parent_path().parent_path().parent_path() / "bin/vps-agent"}) {
      if (std::filesystem::is_regular_file(candidate, ec)) return candidate.string();
    }
  }
  return "/usr/bin/vps-agent";
}

// Everything after the arguments are known; the exit status is 0 whatever the config says.
void generate(const Logger& logger, const systemd::GeneratorDirs& dirs) {
  const char* root_env = std::getenv("VPS_AGENT_ROOT");
  const char* config_env = std::getenv("VPS_AGENT_CONFIG");
  const std::filesystem::path root = root_env && *root_env ? root_env : "/";
  const std::string config_path = config_env ? config_env : "";
  const std::filesystem::path shown =
      config_path.empty() ? std::filesystem::path(config::k_default_config_path) : std::filesystem::path(config_path);

  auto config = config::load(root, config_path);
  if (!config) {
    logger.write(log::Level::error, config.error().message + "; no secrets drop-ins written");
    return;
  }
  auto plan = systemd::plan_secrets_dropins(config->secrets);
  for (const auto& why : plan.skipped) logger.write(log::Level::warning, "skipping " + why);
  std::string command = agent_path();
  if (root != "/") command += " --root " + root.string();
  if (!config_path.empty()) command += " --config " + config_path;
  for (const auto& unit : plan.units) {
    const std::string content = systemd::secrets_dropin_content(shown, unit, command);
    auto written = systemd::write_dropin(dirs.normal, unit, systemd::k_secrets_dropin_name, content);
    if (!written) logger.write(log::Level::error, written.error().message);
  }
}

}  // namespace

int main(int argc, char** argv) {
  log::set_program(k_program);
  const Logger logger;
  try {
    std::vector<std::string_view> args(argv + (argc > 0 ? 1 : 0), argv + argc);
    auto dirs = systemd::parse_generator_args(args);
    if (!dirs) {
      logger.write(log::Level::error, dirs.error().message + " (usage: vps-agent-generator NORMAL [EARLY LATE])");
      return exit_code(dirs.error().code);
    }
    // In the initrd, /etc is the initrd's: the host's config and units come after switch-root.
    const char* initrd = std::getenv("SYSTEMD_IN_INITRD");
    if (initrd && std::string_view(initrd) == "1") return 0;
    generate(logger, *dirs);
  } catch (const std::exception& e) {
    logger.write(log::Level::error, std::string("unexpected error: ") + e.what() + "; no secrets drop-ins written");
  }
  return 0;
}
