#pragma once
// Small text helpers shared across layers.

#include <string>

namespace vps::text {

// A-Z to a-z, every other byte as it is (no locale: host names and keywords are ASCII).
inline std::string ascii_lower(std::string s) {
  for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return s;
}

}  // namespace vps::text
