#include <vps/enroll/keys/decrypt_private_key.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <libssh/libssh.h>
#include <sodium.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <vps/base/base64.hpp>
#include <vps/formats/openssh/encrypted_private_key.hpp>
#include <vps/sys/fs/fd.hpp>
#include <vps/sys/fs/file.hpp>
#include <vps/enroll/keys/child_process.hpp>

namespace vps::enroll::keys {
namespace {

namespace openssh = formats::openssh;

// Exit statuses of the decrypting child.
constexpr int k_decrypted = 0;
constexpr int k_not_decrypted = 3;  // libssh refused the passphrase (or the decrypted bytes)
constexpr int k_not_exported = 4;

// 1000 rounds take ~10 s on a small VM: generous, but a bound.
constexpr std::chrono::seconds k_decrypt_timeout{120};
constexpr std::size_t k_block_size_of_libssh_export = 16;  // libssh pads even "none" to 16

SecretBytes c_string(std::string_view text) {
  SecretBytes out(text.begin(), text.end());
  out.push_back(0);
  return out;
}
SecretBytes c_string(ByteView bytes) { return c_string(as_chars(bytes)); }

// In the child: decrypt with libssh and write the unencrypted export to `out`. Never returns.
[[noreturn]] void decrypt_in_child(const char* text, const char* passphrase, int out) {
  ::prctl(PR_SET_DUMPABLE, 0);  // no core dump, no ptrace by the user's other processes
  ssh_set_log_level(SSH_LOG_NOLOG);
  ssh_key key = nullptr;
  if (ssh_pki_import_privkey_base64(text, passphrase, nullptr, nullptr, &key) != SSH_OK) ::_exit(k_not_decrypted);
  char* exported = nullptr;
  if (ssh_pki_export_privkey_base64(key, nullptr, nullptr, nullptr, &exported) != SSH_OK) ::_exit(k_not_exported);
  const std::size_t size = std::strlen(exported);
  for (std::size_t done = 0; done < size;) {
    const ssize_t n = ::write(out, exported + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ::_exit(k_not_exported);
    done += static_cast<std::size_t>(n);
  }
  ::_exit(k_decrypted);  // the memory libssh did not wipe goes with the process
}

// The blob between the armor lines of libssh's export (one base64 line).
Result<SecretBytes> exported_blob(const SecretBytes& pem, std::string_view source) {
  const std::string_view text = as_chars(ByteView(pem.data(), pem.size()));
  auto body_start = text.find('\n');
  auto body_end = text.find("\n" + std::string(openssh::k_private_key_end));
  if (!text.starts_with(openssh::k_private_key_begin) || body_start == std::string_view::npos ||
      body_end == std::string_view::npos || body_end < body_start)
    return fail(Errc::internal, std::string(source) + ": libssh exported the key in an unexpected form");
  SecretBytes body;
  for (char c : text.substr(body_start + 1, body_end - body_start - 1))
    if (c != '\n' && c != '\r') body.push_back(static_cast<std::uint8_t>(c));
  auto blob = base64::decode_secret(as_chars(ByteView(body.data(), body.size())));
  if (!blob) return fail(Errc::internal, std::string(source) + ": libssh exported invalid base64");
  return std::move(*blob);
}

}  // namespace

Result<openssh::Ed25519PrivateKey> decrypt_private_key(std::string_view text, std::string_view source_name,
                                                      ByteView passphrase) {
  const auto envelope = VPS_TRY(openssh::parse_encrypted_private_key(text, source_name));
  if (std::find(passphrase.begin(), passphrase.end(), std::uint8_t{0}) != passphrase.end())
    return fail(Errc::usage, std::string(source_name) + ": the passphrase contains a NUL byte");
  // Everything the child needs exists before fork: it only calls libssh and write.
  const SecretBytes c_text = c_string(text);
  const SecretBytes c_passphrase = c_string(passphrase);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return fail(Errc::io, std::string("pipe: ") + sys::errno_text(errno));
  sys::Fd read_end(pipe_fds[0]), write_end(pipe_fds[1]);
  const pid_t pid = ::fork();
  if (pid < 0) return fail(Errc::io, std::string("fork: ") + sys::errno_text(errno));
  if (pid == 0) {
    read_end.release();
    decrypt_in_child(reinterpret_cast<const char*>(c_text.data()), reinterpret_cast<const char*>(c_passphrase.data()),
                     write_end.get());
  }
  write_end.reset();
  const auto deadline = std::chrono::steady_clock::now() + k_decrypt_timeout;
  auto pem = read_child_output(read_end.get(), openssh::k_max_private_key_text, deadline, "decrypting " + std::string(source_name));
  const int status = reap_child(pid, deadline);
  if (status == k_not_decrypted) {
    return fail(Errc::integrity, std::string(source_name) +
                                     ": the passphrase does not decrypt this key (wrong passphrase, or a damaged file)");
  }
  if (!pem) return fail(std::move(pem).error());
  if (status != k_decrypted)
    return fail(Errc::internal, std::string(source_name) + ": decrypting the key failed (child status " +
                                    std::to_string(status) + ")");
  auto blob = VPS_TRY(exported_blob(*pem, source_name));
  auto key = openssh::parse_private_key_blob(ByteView(blob.data(), blob.size()), k_block_size_of_libssh_export,
                                             source_name);
  if (!key) return fail(std::move(key).error().context("decrypted key"));
  // libssh does not compare the decrypted key with the public key stored in the clear: a file
  // whose two halves differ was altered.
  if (!equal_ct(key->public_key, envelope.public_key))
    return fail(Errc::integrity, std::string(source_name) + ": the decrypted key is not the public key the file names");
  return key;
}

}  // namespace vps::enroll::keys
