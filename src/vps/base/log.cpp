#include <vps/base/log.hpp>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

#include <sys/stat.h>
#include <unistd.h>

#include <vps/base/text.hpp>

// A message is always exactly one line: its control characters (newlines included) are
// escaped (text::escape_control), because messages quote untrusted text (an endpoint's error,
// a host's reason) and a newline followed by "<0>" would otherwise start a forged journal
// record of emergency priority, and escape sequences would act on the terminal showing it.

namespace vps::log {
namespace {

struct State {
  std::string program = "vps";
  Level max_level = Level::info;
  std::mutex mutex;
};

State& state() {
  static State s;
  return s;
}

// JOURNAL_STREAM is "DEV:INODE" of the journal socket; only trust it if stderr is that socket.
bool stderr_is_journal() {
  static const bool is_journal = [] {
    const char* env = std::getenv("JOURNAL_STREAM");
    if (!env) return false;
    unsigned long long dev = 0, ino = 0;
    if (std::sscanf(env, "%llu:%llu", &dev, &ino) != 2) return false;
    struct stat st {};
    if (fstat(STDERR_FILENO, &st) != 0) return false;
    return st.st_dev == dev && st.st_ino == ino;
  }();
  return is_journal;
}

std::string_view level_word(Level level) {
  switch (level) {
    case Level::error: return "error";
    case Level::warning: return "warning";
    case Level::notice: return "notice";
    case Level::info: return "info";
    case Level::debug: return "debug";
  }
  return "info";
}

}  // namespace

void set_program(std::string_view name) { state().program = name; }
void set_verbosity(Level max_level) { state().max_level = max_level; }

void write(Level level, std::string_view message) {
  auto& s = state();
  if (static_cast<int>(level) > static_cast<int>(s.max_level)) return;
  std::string line;
  if (stderr_is_journal()) {
    line = "<" + std::to_string(static_cast<int>(level)) + ">";
    line += text::escape_control(message);
  } else {
    line = s.program + ": ";
    if (level != Level::info) line += std::string(level_word(level)) + ": ";
    line += text::escape_control(message);
  }
  line += '\n';
  std::lock_guard lock(s.mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace vps::log
