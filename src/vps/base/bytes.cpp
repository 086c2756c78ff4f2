#include <vps/base/bytes.hpp>

#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

namespace vps::detail {

namespace {

std::size_t rounded_to_pages(std::size_t bytes) {
  static const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return (bytes + page - 1) / page * page;
}

// Freed mappings are kept for reuse, up to k_cache_bytes in all: decrypting a file allocates and
// frees the same few sizes, and a fresh mapping per buffer (mmap, page faults, munmap with TLB
// shootdowns across the decrypting threads) tripled the time to activate 1000 age files. The
// pages were wiped by WipingAllocator before they were freed, and stay marked MADV_DONTDUMP.
constexpr std::size_t k_cache_bytes = 8 * 1024 * 1024;

struct MappingCache {
  std::mutex mutex;
  std::vector<std::pair<std::size_t, void*>> free;  // (length, address)
  std::size_t cached = 0;
};

MappingCache& cache() {
  static MappingCache* instance = new MappingCache;  // never destroyed: buffers outlive statics
  return *instance;
}

}  // namespace

void* allocate_dontdump(std::size_t bytes) {
  const std::size_t length = rounded_to_pages(bytes);
  {
    auto& c = cache();
    std::lock_guard lock(c.mutex);
    for (auto it = c.free.begin(); it != c.free.end(); ++it) {
      if (it->first != length) continue;
      void* p = it->second;
      c.cached -= length;
      c.free.erase(it);
      return p;
    }
  }
  void* p = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  // Best effort: a kernel without MADV_DONTDUMP still gets a wiped, private mapping.
  (void)::madvise(p, length, MADV_DONTDUMP);
  return p;
}

void free_dontdump(void* p, std::size_t bytes) noexcept {
  const std::size_t length = rounded_to_pages(bytes);
  {
    auto& c = cache();
    std::lock_guard lock(c.mutex);
    if (c.cached + length <= k_cache_bytes) {
      try {
        c.free.emplace_back(length, p);
        c.cached += length;
        return;
      } catch (...) {
        // No room to remember it: unmap it instead.
      }
    }
  }
  ::munmap(p, length);
}

}  // namespace vps::detail
