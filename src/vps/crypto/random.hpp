#pragma once
// Cryptographically secure randomness (getrandom via libsodium).

#include <span>
#include <cstdint>

namespace vps::crypto {
void random_bytes(std::span<std::uint8_t> out);
std::uint32_t random_uniform(std::uint32_t upper_bound);  // [0, upper_bound)
}  // namespace vps::crypto
