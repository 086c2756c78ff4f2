#include <vps/net/http/connection_table.hpp>

namespace vps::net::http {

ConnectionTable::Admission ConnectionTable::admit(const std::string& address) {
  Admission admission;
  if (count(address) >= m_limits.max_per_address) {
    admission.verdict = Verdict::address_full;
    return admission;
  }
  if (m_entries.size() >= m_limits.max_total) {
    if (m_idle.empty()) {
      admission.verdict = Verdict::all_busy;
      return admission;
    }
    auto oldest = m_entries.find(m_idle.front());
    admission.evicted = Evicted{oldest->first, oldest->second.address};
    erase(oldest);
  }
  admission.id = m_next_id++;
  m_idle.push_back(admission.id);
  m_entries.emplace(admission.id, Entry{address, std::prev(m_idle.end())});
  ++m_per_address[address];
  return admission;
}

void ConnectionTable::set_idle(Id id, bool idle) {
  auto it = m_entries.find(id);
  if (it == m_entries.end()) return;
  auto& position = it->second.idle_position;
  if (idle == position.has_value()) return;
  if (idle) {
    m_idle.push_back(id);
    position = std::prev(m_idle.end());
  } else {
    m_idle.erase(*position);
    position.reset();
  }
}

void ConnectionTable::remove(Id id) {
  auto it = m_entries.find(id);
  if (it != m_entries.end()) erase(it);
}

std::size_t ConnectionTable::count(const std::string& address) const {
  auto it = m_per_address.find(address);
  return it == m_per_address.end() ? 0 : it->second;
}

void ConnectionTable::erase(std::unordered_map<Id, Entry>::iterator it) {
  if (it->second.idle_position) m_idle.erase(*it->second.idle_position);
  auto per = m_per_address.find(it->second.address);
  if (--per->second == 0) m_per_address.erase(per);
  m_entries.erase(it);
}

}  // namespace vps::net::http
