#include <vps/enroll/keys/passphrase.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <strings.h>

#include <bsd/readpassphrase.h>
#include <fcntl.h>
#include <unistd.h>

#include <vps/sys/fs/file.hpp>
#include <vps/enroll/keys/askpass.hpp>

namespace vps::enroll::keys {
namespace {

constexpr const char* k_default_askpass = "/usr/bin/ssh-askpass";  // as ssh (pathnames.h)

bool set(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0';
}

bool terminal_available() {
  const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

Result<SecretBytes> ask_askpass(const std::string& prompt) {
  const char* program = std::getenv("SSH_ASKPASS");
  return run_askpass(program != nullptr && *program != '\0' ? program : k_default_askpass, prompt);
}

Result<SecretBytes> ask_terminal(const std::string& prompt) {
  SecretBytes buffer(k_max_passphrase + 1);
  char* line = ::readpassphrase(prompt.c_str(), reinterpret_cast<char*>(buffer.data()), buffer.size(),
                                RPP_REQUIRE_TTY | RPP_ECHO_OFF);
  if (line == nullptr) return fail(Errc::unauthorized, "cannot read the passphrase from the terminal: " + sys::errno_text(errno));
  buffer.resize(std::strlen(line));
  return buffer;
}

}  // namespace

Result<SecretBytes> read_passphrase(const std::string& prompt) {
  const bool display = set("DISPLAY") || set("WAYLAND_DISPLAY");
  const char* require = std::getenv("SSH_ASKPASS_REQUIRE");
  const std::string mode = require != nullptr ? require : "";
  if (::strcasecmp(mode.c_str(), "force") == 0) return ask_askpass(prompt);
  if (::strcasecmp(mode.c_str(), "prefer") == 0 && display) return ask_askpass(prompt);
  if (terminal_available()) return ask_terminal(prompt);
  if (::strcasecmp(mode.c_str(), "never") != 0 && display) return ask_askpass(prompt);
  return fail(Errc::unauthorized,
              "cannot ask for the passphrase: no terminal, and no askpass program allowed (set SSH_ASKPASS to one and "
              "SSH_ASKPASS_REQUIRE=force, or load the key into ssh-agent with ssh-add)");
}

}  // namespace vps::enroll::keys
