#pragma once
// Journald-friendly logging to stderr: when stderr is connected to the journal (JOURNAL_STREAM,
// as systemd sets for services), each line carries an sd-daemon "<N>" priority prefix, so
// `journalctl -p warning` filters properly; on a terminal it prints "vps-agent: warning: ...".

#include <string_view>

namespace vps::log {

enum class Level { error = 3, warning = 4, notice = 5, info = 6, debug = 7 };

void set_program(std::string_view name);  // "vps-agent", "vps-enroll"
void set_verbosity(Level max_level);      // default: info
void write(Level level, std::string_view message);

inline void error(std::string_view m) { write(Level::error, m); }
inline void warning(std::string_view m) { write(Level::warning, m); }
inline void notice(std::string_view m) { write(Level::notice, m); }
inline void info(std::string_view m) { write(Level::info, m); }
inline void debug(std::string_view m) { write(Level::debug, m); }

}  // namespace vps::log
