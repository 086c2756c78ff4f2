#include <vps/host/delivery/host_identity.hpp>

#include <vps/formats/openssh/fingerprint.hpp>
#include <vps/sys/fs/file.hpp>
#include <vps/host/identity/age_recipient.hpp>
#include <vps/host/identity/host_key.hpp>

namespace vps::host::delivery {

namespace {
constexpr std::size_t k_max_key_file = 64 * 1024;
}

Result<HostIdentity> load_host_identity(const std::filesystem::path& key_path) {
  // load_host_key validates strictly (exactly one unencrypted ed25519 key) before we parse it
  // again as an identity file.
  auto key = VPS_TRY(identity::load_host_key(key_path));
  if (!key) return fail(Errc::no_key, "no host key at " + key_path.string() + " (run vps-agent firstboot)");
  auto text = VPS_TRY(sys::read_secret_file(key_path, k_max_key_file));
  HostIdentity host;
  host.identities =
      VPS_TRY(formats::age::parse_identity_file(as_chars(ByteView(text.data(), text.size())), key_path.string()));
  host.age_recipient = VPS_TRY(identity::age_recipient(key->public_key));
  host.fingerprint = formats::openssh::sha256_fingerprint(key->public_key);
  return host;
}

}  // namespace vps::host::delivery
