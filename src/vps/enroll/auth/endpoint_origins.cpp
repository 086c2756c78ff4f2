#include <vps/enroll/auth/endpoint_origins.hpp>

#include <algorithm>

namespace vps::enroll::auth {

void EndpointOrigins::set(std::vector<std::string> origins) {
  std::lock_guard lock(m_mutex);
  m_origins = std::move(origins);
}

bool EndpointOrigins::accepts(std::string_view origin) const {
  std::lock_guard lock(m_mutex);
  return std::find(m_origins.begin(), m_origins.end(), origin) != m_origins.end();
}

std::string EndpointOrigins::describe() const {
  std::lock_guard lock(m_mutex);
  std::string out;
  for (const auto& origin : m_origins) out += (out.empty() ? "" : ", ") + origin;
  return out.empty() ? "(none yet)" : out;
}

}  // namespace vps::enroll::auth
