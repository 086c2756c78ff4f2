#include <vps/formats/age/age.hpp>

#include <algorithm>
#include <atomic>

#include <vps/formats/age/decrypt.hpp>
#include <vps/formats/age/encrypt.hpp>

namespace vps::formats::age {
namespace {

class BytesSink final : public ByteSink {
 public:
  Status write(std::span<const ByteView> pieces) override {
    for (ByteView p : pieces) bytes.insert(bytes.end(), p.begin(), p.end());
    return {};
  }
  Bytes bytes;
};

}  // namespace

Result<SecretBytes> decrypt(ByteView file, const std::vector<const Identity*>& identities, Failure* failure,
                            std::size_t max_plaintext) {
  MemorySource source(file);
  BufferSink sink(max_plaintext);
  StreamOptions options;
  options.threads = 1;  // small inputs: threads would cost more than they save
  // A batch as large as the input, not the streaming default of 16 chunks: the batch buffer is
  // zeroed and wiped per call, 2 MiB of memset for every 100-byte agenix file or sops data key.
  options.batch_chunks = std::min(options.batch_chunks, file.size() / k_encrypted_chunk_size + 1);
  VPS_CHECK(decrypt_to(source, sink, identities, options, failure));
  return std::move(sink.data());
}

Result<Bytes> encrypt(ByteView plaintext, const std::vector<const Recipient*>& recipients, bool armor) {
  MemorySource source(plaintext);
  BytesSink sink;
  VPS_CHECK(encrypt_to(source, sink, recipients, armor));
  return std::move(sink.bytes);
}

Result<std::vector<Stanza>> read_stanzas(ByteView file) {
  MemorySource source(file);
  return read_stanzas_from(source);
}

Status decrypt_stream(int in_fd, int out_fd, const std::vector<const Identity*>& identities,
                      const StreamOptions& options, Failure* failure) {
  std::atomic<bool> cancel{false};
  StreamOptions opts = options;
  opts.cancel = &cancel;
  FdSource source(in_fd, opts.threads > 1 ? &cancel : nullptr);
  FdSink sink(out_fd);
  return decrypt_to(source, sink, identities, opts, failure);
}

Status encrypt_stream(int in_fd, int out_fd, const std::vector<const Recipient*>& recipients, bool armor) {
  FdSource source(in_fd);
  FdSink sink(out_fd);
  return encrypt_to(source, sink, recipients, armor);
}

std::vector<const Identity*> pointers(const IdentityList& identities) {
  std::vector<const Identity*> out;
  for (const auto& i : identities) out.push_back(i.get());
  return out;
}

std::vector<const Recipient*> pointers(const std::vector<std::unique_ptr<Recipient>>& recipients) {
  std::vector<const Recipient*> out;
  for (const auto& r : recipients) out.push_back(r.get());
  return out;
}

}  // namespace vps::formats::age
