#include <vps/protocol/host_name.hpp>

#include <algorithm>

namespace vps::protocol {
namespace {

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

}  // namespace

bool valid_host_name(std::string_view name) {
  if (name.empty() || name.size() > 63 || !lower_alnum(name.front())) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return lower_alnum(c) || c == '.' || c == '-'; });
}

}  // namespace vps::protocol
