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
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
// The same, appended to `out` (no temporary string).
void append_escaped(std::string& out, std::string_view text, Newlines newlines = Newlines::escape);

// A-Z to a-z, every other byte as it is (no locale: host names, keywords, header names are
// ASCII, and std::tolower would depend on the C locale).
inline char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
inline std::string ascii_lower(std::string s) {
  for (char& c : s) c = ascii_lower(c);
  return s;
}

// Equal but for the case of A-Z (header names, keywords).
inline bool equal_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

// Space, tab, CR, LF: what trim removes unless a format says otherwise.
inline constexpr std::string_view k_blank = " \t\r\n";

// `text` without the leading and trailing bytes found in `chars`. Formats with their own idea of
// blank pass it (sops' INI store: space and tab only).
inline std::string_view trim(std::string_view text, std::string_view chars = k_blank) {
  const auto first = text.find_first_not_of(chars);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(chars) - first + 1);
}

// "a, b, c" (the items joined by `separator`); `if_empty` for no items ("none" in messages).
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ",
                 std::string_view if_empty = "");

// Strict decimal: digits only (no sign, space or "+"), no leading zero unless the number is 0,
// within [lo, hi]. nullopt otherwise. For numbers in paths, queries, file names and configs.
std::optional<std::int64_t> parse_decimal(std::string_view text, std::int64_t lo, std::int64_t hi);

}  // namespace vps::text
