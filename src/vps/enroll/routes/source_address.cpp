#include <vps/enroll/routes/source_address.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace vps::enroll::routes {

std::string source_address(const net::http::Request& request) {
  const std::string& peer = request.remote_address;
  in_addr v4{};
  if (inet_pton(AF_INET, peer.c_str(), &v4) == 1) return peer;
  in6_addr v6{};
  if (inet_pton(AF_INET6, peer.c_str(), &v6) != 1) return peer;
  std::array<char, INET6_ADDRSTRLEN> text{};
  if (IN6_IS_ADDR_V4MAPPED(&v6)) {
    std::memcpy(&v4, v6.s6_addr + 12, sizeof v4);
    return inet_ntop(AF_INET, &v4, text.data(), text.size()) ? std::string(text.data()) : peer;
  }
  std::fill(v6.s6_addr + 8, v6.s6_addr + 16, std::uint8_t{0});
  if (!inet_ntop(AF_INET6, &v6, text.data(), text.size())) return peer;
  return std::string(text.data()) + "/64";
}

}  // namespace vps::enroll::routes
