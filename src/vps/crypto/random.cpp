#include <vps/crypto/random.hpp>

#include <mutex>
#include <stdexcept>

#include <sodium.h>

#include <vps/crypto/sodium.hpp>

namespace vps::crypto {

void ensure_sodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  });
}

void random_bytes(std::span<std::uint8_t> out) {
  ensure_sodium();
  randombytes_buf(out.data(), out.size());
}

std::uint32_t random_uniform(std::uint32_t upper_bound) {
  ensure_sodium();
  return randombytes_uniform(upper_bound);
}

}  // namespace vps::crypto
