#include <vps/formats/age/decrypt.hpp>

#include <algorithm>
#include <optional>

#include <vps/formats/age/armor.hpp>
#include <vps/formats/age/primitives.hpp>
#include <vps/formats/age/scrypt.hpp>

namespace vps::formats::age {
namespace {

void set(Failure* failure, Failure value) {
  if (failure) *failure = value;
}

// Either the raw input or its armor decoding, with a line buffer on top for the header.
class Input {
 public:
  explicit Input(ByteSource& in) : m_raw(in, 4096) {}

  Status open() {
    ByteView start = VPS_TRY(m_raw.peek(k_detect_bytes));
    if (looks_armored(start)) m_armor.emplace(m_raw);
    m_buffered.emplace(m_armor ? static_cast<ByteSource&>(*m_armor) : static_cast<ByteSource&>(m_raw));
    return {};
  }
  BufferedReader& reader() { return *m_buffered; }

  // Which stage an error from reading belongs to, given the stage being read.
  Failure classify(const Error& error, Failure stage) const {
    if (m_armor && m_armor->failed()) return Failure::armor;
    if (error.code == Errc::io) return Failure::io;
    return stage;
  }

 private:
  BufferedReader m_raw;
  std::optional<ArmorReader> m_armor;
  std::optional<BufferedReader> m_buffered;
};

Result<Header> read_header(Input& input, Failure* failure) {
  if (auto st = input.open(); !st) {
    set(failure, Failure::io);
    return fail(st.error());
  }
  auto header = parse_header(input.reader());
  if (!header) set(failure, input.classify(header.error(), Failure::header));
  return header;
}

bool is_post_quantum(const Stanza& s) { return s.type.starts_with("mlkem"); }

}  // namespace

Result<FileKey> find_file_key(const std::vector<Stanza>& stanzas, const std::vector<const Identity*>& identities,
                                Failure* failure) {
  const bool has_scrypt = std::any_of(stanzas.begin(), stanzas.end(), [](const Stanza& s) { return s.type == k_scrypt_type; });
  if (has_scrypt && stanzas.size() != 1) {
    set(failure, Failure::header);
    return fail(Errc::malformed, "parsing age header: an scrypt stanza must be the only stanza");
  }
  for (const Identity* identity : identities) {
    auto key = identity->unwrap(stanzas);
    if (!key) {
      set(failure, Failure::header);
      return fail(key.error());
    }
    if (*key) return std::move(**key);
  }
  if (!stanzas.empty() && std::all_of(stanzas.begin(), stanzas.end(), is_post_quantum)) {
    set(failure, Failure::unsupported);
    return fail(Errc::unsupported, "the file is encrypted only to post-quantum (mlkem768x25519) recipients, "
                                   "which are not supported");
  }
  set(failure, Failure::no_match);
  return fail(Errc::no_identity, "no identity matched any of the recipients");
}

Status decrypt_to(ByteSource& in, ByteSink& out, const std::vector<const Identity*>& identities,
                  const StreamOptions& stream, Failure* failure) {
  set(failure, Failure::none);
  Input input(in);
  Header header = VPS_TRY(read_header(input, failure));
  // Checked after the header so that a non-age input is reported as such first.
  if (identities.empty()) return fail(Errc::usage, "no identities given");
  FileKey file_key = VPS_TRY(find_file_key(header.stanzas, identities, failure));
  auto mac = header_mac(file_key, header.mac_input);
  if (!equal_ct(mac, header.mac)) {
    set(failure, Failure::header_mac);
    return fail(Errc::integrity, "bad header MAC: the header was modified or the file key is wrong");
  }
  std::uint8_t nonce[k_payload_nonce_size];
  auto got = read_full(input.reader(), nonce);
  if (!got || *got != sizeof nonce) {
    if (!got) {
      set(failure, input.classify(got.error(), Failure::header));
      return fail(got.error());
    }
    set(failure, Failure::header);
    return fail(Errc::malformed, "parsing age header: the payload nonce is missing or truncated");
  }
  SecretArray<32> key = payload_key(file_key, nonce);
  Status st = decrypt_payload(key, input.reader(), out, stream);
  if (!st) set(failure, input.classify(st.error(), Failure::payload));
  return st;
}

Result<std::vector<Stanza>> read_stanzas_from(ByteSource& in, Failure* failure) {
  set(failure, Failure::none);
  Input input(in);
  Header header = VPS_TRY(read_header(input, failure));
  return std::move(header.stanzas);
}

}  // namespace vps::formats::age
