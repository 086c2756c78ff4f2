#pragma once
// Small text helpers shared by every layer. Untrusted text (from the endpoint, a host, a file)
// on its way to a log line, a terminal or a
// length-limited field: cut only on UTF-8 character boundaries, and escaped so that it cannot
// act on what displays it (terminal escape sequences, a journal priority prefix after a
// newline, carriage returns that overwrite a line).
//
// Hand-written: no Debian library offers a C++ boundary-safe cut or a C-style escaper that
// also repairs invalid UTF-8 (the journal stores a non-UTF-8 message as an opaque blob).

#include <cstddef>
#include <string>
#include <string_view>

namespace vps::text {

// The longest prefix of `text` of at most `max_bytes` bytes that does not end inside a UTF-8
// sequence. An invalid byte counts as a character of its own.
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes);

// The longest suffix of at most `max_bytes` bytes that does not start inside a UTF-8 sequence
// (for output tails: the end is what matters).
std::string_view utf8_suffix(std::string_view text, std::size_t max_bytes);

enum class Newlines {
  escape,  // one record per message: "\n" becomes the two characters \ n (log lines)
  keep,    // multi-line text for a terminal (a command's output tail): newlines and tabs stay
};

// Control characters (C0, DEL, and the C1 range U+0080-U+009F, which some terminals obey) as
// \n \r \t or \xNN, invalid UTF-8 bytes as \xNN; everything else unchanged. A backslash is
// left alone, so "\x1b" in the result may also have been those four characters in the input:
// the point is that no control character gets through, not a reversible encoding.
std::string escape_control(std::string_view text, Newlines newlines = Newlines::escape);

// A-Z to a-z, every other byte as it is (no locale: host names and keywords are ASCII).
inline std::string ascii_lower(std::string s) {
  for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return s;
}

}  // namespace vps::text
