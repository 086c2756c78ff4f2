#pragma once
// The origins this endpoint answers to (protocol/endpoint_origin.hpp): a signed request or a
// publication is accepted only when it was signed for one of them, so one relayed from another
// endpoint (staging to production) is refused. Configured with serve.yaml endpoint_urls (the
// URLs clients use, e.g. behind a load balancer); on loopback without configuration, the
// loopback names of the bound port, known only once the server has bound it — hence the
// setter, safe while the I/O thread reads.

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace vps::enroll::auth {

class EndpointOrigins {
 public:
  EndpointOrigins() = default;
  explicit EndpointOrigins(std::vector<std::string> origins) : m_origins(std::move(origins)) {}

  void set(std::vector<std::string> origins);
  bool accepts(std::string_view origin) const;
  // "https://enroll.example.org:443, ..." for refusal messages.
  std::string describe() const;

 private:
  mutable std::mutex m_mutex;
  std::vector<std::string> m_origins;
};

}  // namespace vps::enroll::auth
