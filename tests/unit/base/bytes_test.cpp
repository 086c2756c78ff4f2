// SecretBytes: large secret buffers are kept out of core dumps (MADV_DONTDUMP), every buffer is
// wiped on free.
#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

#include <vps/base/bytes.hpp>

using namespace vps;

namespace {

// The VmFlags line of the mapping holding `address` in /proc/self/smaps.
std::string vm_flags_of(const void* address) {
  const auto at = reinterpret_cast<std::uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    std::uintptr_t from = 0, to = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> from >> dash >> to && dash == '-') {
      inside = from <= at && at < to;
      continue;
    }
    if (inside && line.starts_with("VmFlags:")) return line;
  }
  return "";
}

}  // namespace

TEST_SUITE("base::SecretBytes") {
  TEST_CASE("a buffer of a page or more lives in pages marked do-not-dump") {
    SecretBytes big(64 * 1024, 0x5a);
    const std::string flags = vm_flags_of(big.data());
    INFO(flags);
    CHECK(flags.find(" dd") != std::string::npos);
    big.resize(256 * 1024, 0x5b);  // growth moves it to new pages, also marked
    CHECK(vm_flags_of(big.data()).find(" dd") != std::string::npos);
    CHECK(big[0] == 0x5a);
    CHECK(big.back() == 0x5b);
  }

  TEST_CASE("a small buffer stays on the heap, which is not marked") {
    SecretBytes small(32, 1);
    CHECK(vm_flags_of(small.data()).find(" dd") == std::string::npos);
  }
}
