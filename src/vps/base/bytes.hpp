#pragma once
// Byte containers. SecretBytes wipes every buffer it frees (including on growth), so key
// material and plaintext never linger in freed heap memory.
//
// Buffers of a page or more (large secrets, whole decrypted files) get pages of their own,
// marked MADV_DONTDUMP, so even a core dump or gcore taken by root leaves them out. Smaller ones
// stay on the heap: marking heap pages would split the heap's mapping once per buffer and
// exclude unrelated data; for them the processes' own non-dumpability (PR_SET_DUMPABLE 0,
// RLIMIT_CORE 0, LimitCORE=0 in the units: cli/run) is the protection, with the wipe on free.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <sodium.h>

namespace vps {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

namespace detail {
// Page-granular, MADV_DONTDUMP allocation for large secret buffers (bytes.cpp).
inline constexpr std::size_t k_dontdump_threshold = 4096;
void* allocate_dontdump(std::size_t bytes);  // throws std::bad_alloc
void free_dontdump(void* p, std::size_t bytes) noexcept;
}  // namespace detail

template <class T>
struct WipingAllocator {
  using value_type = T;
  WipingAllocator() noexcept = default;
  template <class U>
  WipingAllocator(const WipingAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) {
    if (n * sizeof(T) >= detail::k_dontdump_threshold) return static_cast<T*>(detail::allocate_dontdump(n * sizeof(T)));
    return std::allocator<T>{}.allocate(n);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    sodium_memzero(p, n * sizeof(T));
    if (n * sizeof(T) >= detail::k_dontdump_threshold) return detail::free_dontdump(p, n * sizeof(T));
    std::allocator<T>{}.deallocate(p, n);
  }
  template <class U>
  bool operator==(const WipingAllocator<U>&) const noexcept { return true; }
};

using SecretBytes = std::vector<std::uint8_t, WipingAllocator<std::uint8_t>>;

// Fixed-size secret (keys): wiped on destruction and on move-from.
template <std::size_t N>
class SecretArray {
 public:
  SecretArray() { sodium_memzero(m_data, N); }
  ~SecretArray() { sodium_memzero(m_data, N); }
  SecretArray(const SecretArray& other) { std::copy(other.m_data, other.m_data + N, m_data); }
  SecretArray& operator=(const SecretArray& other) {
    std::copy(other.m_data, other.m_data + N, m_data);
    return *this;
  }
  std::uint8_t* data() { return m_data; }
  const std::uint8_t* data() const { return m_data; }
  static constexpr std::size_t size() { return N; }
  std::span<std::uint8_t, N> span() { return std::span<std::uint8_t, N>(m_data, N); }
  ByteView view() const { return ByteView(m_data, N); }
  std::uint8_t& operator[](std::size_t i) { return m_data[i]; }
  std::uint8_t operator[](std::size_t i) const { return m_data[i]; }

 private:
  std::uint8_t m_data[N];
};

inline ByteView as_bytes(std::string_view s) {
  return ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}
inline std::string_view as_chars(ByteView b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}
inline Bytes to_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

// Constant-time equality for MACs, tags, hashes and tokens.
inline bool equal_ct(ByteView a, ByteView b) {
  return a.size() == b.size() && (a.empty() || sodium_memcmp(a.data(), b.data(), a.size()) == 0);
}

}  // namespace vps
