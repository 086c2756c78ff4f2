#include <vps/base/bytes.hpp>

#include <new>

#include <sys/mman.h>
#include <unistd.h>

namespace vps::detail {

namespace {

std::size_t rounded_to_pages(std::size_t bytes) {
  static const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return (bytes + page - 1) / page * page;
}

}  // namespace

void* allocate_dontdump(std::size_t bytes) {
  const std::size_t length = rounded_to_pages(bytes);
  void* p = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  // Best effort: a kernel without MADV_DONTDUMP still gets a wiped, private mapping.
  (void)::madvise(p, length, MADV_DONTDUMP);
  return p;
}

void free_dontdump(void* p, std::size_t bytes) noexcept { ::munmap(p, rounded_to_pages(bytes)); }

}  // namespace vps::detail
