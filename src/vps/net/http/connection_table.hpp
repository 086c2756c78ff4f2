#pragma once
// Which connections the HTTP server holds, by source address and by how long they have been
// idle: the admission and eviction decisions, apart from I/O so they can be tested alone. The
// server consults it from its one I/O thread only.
//
// Two limits. A source address holding max_per_address connections gets no more: one client
// (one address) cannot take the server's slots. When max_total connections are open, a new one
// takes the place of the connection that has been idle longest, i.e. one waiting for a first
// byte: a new connection that has sent nothing yet (no request, no ClientHello), a TLS connection
// after its handshake, or one kept alive between requests. An idle connection costs a slot and
// nothing else, so it yields to a client that may have a request. A connection that is
// handshaking, or whose request is being read, handled, parked (long poll) or answered, is busy
// and never evicted; when every connection is busy, the new one is refused.
//
// The key is the address as the server sees it (IPv6 per address, not per prefix: hosts of one
// provider may share a /64, as Linode's SLAAC addresses do).

#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>

namespace vps::net::http {

class ConnectionTable {
 public:
  using Id = std::uint64_t;

  struct Limits {
    std::size_t max_total = 1;
    std::size_t max_per_address = 1;
  };

  enum class Verdict {
    admitted,
    address_full,  // refused: the address holds max_per_address connections
    all_busy,      // refused: max_total connections, none of them idle
  };

  struct Evicted {
    Id id = 0;
    std::string address;
  };

  struct Admission {
    Verdict verdict = Verdict::admitted;
    Id id = 0;                       // the new connection's, when admitted
    std::optional<Evicted> evicted;  // admitted in its place: the caller closes it
  };

  explicit ConnectionTable(Limits limits) : m_limits(limits) {}

  // A new connection from `address`; it starts idle. An evicted connection is already removed.
  Admission admit(const std::string& address);
  // Busy -> idle puts the connection last in the eviction order; idle -> idle keeps its place.
  void set_idle(Id id, bool idle);
  void remove(Id id);  // idempotent: an evicted connection is removed again when it closes

  const Limits& limits() const { return m_limits; }
  std::size_t size() const { return m_entries.size(); }
  std::size_t count(const std::string& address) const;
  std::size_t idle_count() const { return m_idle.size(); }

 private:
  struct Entry {
    std::string address;
    std::optional<std::list<Id>::iterator> idle_position;  // set while idle
  };
  void erase(std::unordered_map<Id, Entry>::iterator it);

  Limits m_limits;
  Id m_next_id = 1;
  std::unordered_map<Id, Entry> m_entries;
  std::unordered_map<std::string, std::size_t> m_per_address;
  std::list<Id> m_idle;  // longest idle first
};

}  // namespace vps::net::http
