#include <vps/formats/age/encrypt.hpp>

#include <vps/crypto/random.hpp>
#include <vps/formats/age/armor.hpp>
#include <vps/formats/age/format.hpp>
#include <vps/formats/age/primitives.hpp>
#include <vps/formats/age/stream.hpp>

namespace vps::formats::age {
namespace {

// Routes everything through the armor encoder.
class ArmorSink final : public ByteSink {
 public:
  explicit ArmorSink(ArmorWriter& writer) : m_writer(writer) {}
  Status write(std::span<const ByteView> pieces) override {
    for (ByteView p : pieces) VPS_CHECK(m_writer.write(p));
    return {};
  }

 private:
  ArmorWriter& m_writer;
};

Result<std::string> build_header(const FileKey& file_key, const std::vector<const Recipient*>& recipients) {
  if (recipients.empty()) return fail(Errc::usage, "no recipients given");
  std::vector<Stanza> stanzas;
  for (const Recipient* r : recipients) {
    if (r->must_be_alone() && recipients.size() != 1)
      return fail(Errc::usage, "a passphrase (scrypt) recipient must be the only recipient");
    auto wrapped = r->wrap(file_key);
    if (!wrapped) return fail(wrapped.error().context("wrapping the file key for " + r->describe()));
    for (Stanza& s : *wrapped) stanzas.push_back(std::move(s));
  }
  std::string text = VPS_TRY(marshal_header_without_mac(stanzas));
  auto mac = header_mac(file_key, as_bytes(text));
  return text + marshal_mac_line(mac);
}

Status write_file(ByteSource& in, ByteSink& out, const FileKey& file_key, const std::string& header) {
  std::uint8_t nonce[k_payload_nonce_size];
  crypto::random_bytes(nonce);
  ByteView pieces[2] = {as_bytes(header), ByteView(nonce, sizeof nonce)};
  VPS_CHECK(out.write(pieces));
  return encrypt_payload(payload_key(file_key, nonce), in, out);
}

}  // namespace

Status encrypt_to(ByteSource& in, ByteSink& out, const std::vector<const Recipient*>& recipients, bool armor) {
  FileKey file_key;
  crypto::random_bytes(file_key.span());
  std::string header = VPS_TRY(build_header(file_key, recipients));
  if (!armor) return write_file(in, out, file_key, header);
  ArmorWriter writer(out);
  ArmorSink sink(writer);
  VPS_CHECK(write_file(in, sink, file_key, header));
  return writer.close();
}

}  // namespace vps::formats::age
