#include <vps/host/identity/host_key.hpp>

#include <vps/sys/fs/atomic_file.hpp>
#include <vps/sys/fs/file.hpp>

namespace vps::host::identity {
namespace {

Status ensure_directory(const std::filesystem::path& file) {
  auto dir = file.parent_path();
  std::error_code ec;
  if (dir.empty() || std::filesystem::is_directory(dir, ec)) return {};
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail(Errc::io, "cannot create '" + dir.string() + "': " + ec.message());
  return {};
}

std::string public_line(const Ed25519PrivateKey& key) {
  return formats::openssh::format_public_key_line(Ed25519PublicKey{key.public_key, key.comment}) + "\n";
}

}  // namespace

std::filesystem::path public_key_path(const std::filesystem::path& key_path) {
  auto pub = key_path;
  pub += ".pub";
  return pub;
}

Result<std::optional<Ed25519PrivateKey>> load_host_key(const std::filesystem::path& key_path) {
  // Read one byte past the parser's cap so an oversized file is reported as corrupt, not io.
  auto text = sys::read_secret_file(key_path, formats::openssh::k_max_private_key_text + 1);
  if (!text) {
    if (text.error().code == Errc::missing) return std::optional<Ed25519PrivateKey>();
    if (text.error().code == Errc::malformed)
      return fail(Errc::corrupt_key, "host key '" + key_path.string() + "' is larger than 16 KiB");
    return fail(std::move(text).error());
  }
  auto key = formats::openssh::parse_private_key(as_chars(ByteView(text->data(), text->size())), key_path.string());
  if (!key) return fail(Errc::corrupt_key, "host key is unusable: " + key.error().message);
  return std::optional<Ed25519PrivateKey>(std::move(*key));
}

Result<Ed25519PublicKey> load_host_public_key(const std::filesystem::path& key_path) {
  auto key = load_host_key(key_path);
  if (key && *key) return Ed25519PublicKey{(*key)->public_key, (*key)->comment};
  if (!key && key.error().code != Errc::io) return fail(std::move(key).error());
  // No private key, or not readable by us: fall back to the .pub.
  auto pub_path = public_key_path(key_path);
  auto text = sys::read_text_file(pub_path, 16 * 1024);
  if (!text) {
    if (text.error().code == Errc::missing) {
      if (!key) return fail(std::move(key).error());
      return fail(Errc::no_key, "no host key at '" + key_path.string() + "'; run 'vps-agent firstboot'");
    }
    return fail(std::move(text).error());
  }
  auto pub = formats::openssh::parse_public_key_line(*text);
  if (!pub) return fail(std::move(pub).error().context(pub_path.string()));
  return std::move(*pub);
}

Status write_host_key(const std::filesystem::path& key_path, const Ed25519PrivateKey& key) {
  VPS_CHECK(ensure_directory(key_path));
  auto pem = formats::openssh::format_private_key(key);
  auto file = VPS_TRY(sys::AtomicFile::create(key_path, 0600));
  VPS_CHECK(file.write(ByteView(pem.data(), pem.size())));
  return file.commit_no_replace();
}

Result<bool> write_public_key(const std::filesystem::path& key_path, const Ed25519PrivateKey& key) {
  auto pub_path = public_key_path(key_path);
  auto line = public_line(key);
  auto existing = sys::read_text_file(pub_path, 16 * 1024);
  if (existing && *existing == line) return false;
  // Not fsynced: sshd never reads it and every firstboot rewrites it when it differs.
  VPS_CHECK(sys::write_file_atomic(pub_path, as_bytes(line), 0644, std::nullopt, sys::Durability::unsynced));
  return true;
}

}  // namespace vps::host::identity
