#include <vps/host/identity/fingerprint_block.hpp>

#include <cerrno>

#include <fcntl.h>

#include <vps/formats/openssh/fingerprint.hpp>
#include <vps/sys/fs/fd.hpp>
#include <vps/sys/fs/file.hpp>

namespace vps::host::identity {

std::string fingerprint_block(const formats::openssh::Ed25519PublicKey& key, std::string_view age_recipient) {
  std::string out = "-----BEGIN SSH HOST KEY FINGERPRINTS-----\n";
  out += formats::openssh::fingerprint_line(key.key, key.comment) + "\n";
  out += "-----END SSH HOST KEY FINGERPRINTS-----\n";
  out += "-----BEGIN SSH HOST KEY KEYS-----\n";
  out += formats::openssh::format_public_key_line(key) + "\n";
  out += "-----END SSH HOST KEY KEYS-----\n";
  out += "-----BEGIN AGE RECIPIENT-----\n";
  out += std::string(age_recipient) + "\n";
  out += "-----END AGE RECIPIENT-----\n";
  return out;
}

Status write_console(const std::filesystem::path& console, std::string_view text) {
  sys::Fd fd(::open(console.c_str(), O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC));
  if (!fd) return fail(Errc::io, "cannot open console '" + console.string() + "': " + sys::errno_text(errno));
  return sys::write_all(fd.get(), as_bytes(text), console);
}

}  // namespace vps::host::identity
