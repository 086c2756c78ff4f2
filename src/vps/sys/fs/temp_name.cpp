#include <vps/sys/fs/temp_name.hpp>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdlib>

#include <sys/random.h>

#include <vps/base/hex.hpp>

namespace vps::sys {

std::string random_suffix() {
  // getrandom(2) directly: the OS layer sits below crypto (libsodium reads the same source).
  std::array<std::uint8_t, 6> bytes{};
  std::size_t have = 0;
  while (have < bytes.size()) {
    const ssize_t n = ::getrandom(bytes.data() + have, bytes.size() - have, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) std::abort();  // cannot happen after boot for 6 bytes; a fixed name would be worse
    have += static_cast<std::size_t>(n);
  }
  return hex::encode(ByteView(bytes.data(), bytes.size()));
}

std::string temp_name(std::string_view prefix) {
  std::string name(prefix);
  name += k_temp_marker;
  name += random_suffix();
  return name;
}

}  // namespace vps::sys
