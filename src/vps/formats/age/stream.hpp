#pragma once
// The age payload: STREAM (ChaCha20-Poly1305, 64 KiB chunks, 11-byte big-endian counter and a
// last-chunk flag in the nonce). Rules enforced on decryption, as age does: a full chunk may be
// the last one; the last chunk may be empty only when it is the only chunk; nothing may follow
// the last chunk; the input must not end without one. Plaintext is released chunk by chunk in
// order, so a failure leaves exactly the authenticated prefix written.

#include <atomic>
#include <cstddef>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>
#include <vps/formats/age/io.hpp>

namespace vps::formats::age {

inline constexpr std::size_t k_chunk_size = 64 * 1024;
inline constexpr std::size_t k_tag_size = 16;
inline constexpr std::size_t k_encrypted_chunk_size = k_chunk_size + k_tag_size;
inline constexpr std::size_t k_payload_nonce_size = 16;

struct StreamOptions {
  // Decryption threads; 1 decrypts inline on the calling thread. With more, a reader thread
  // fills batches, workers decrypt them and the calling thread writes them in order.
  unsigned threads = 2;
  std::size_t batch_chunks = 16;  // chunks per batch (one read and one writev each)
  std::size_t batches = 4;        // batches in flight: memory = batches * batch_chunks * 64 KiB
  // Set to true when decryption stops early, so an FdSource blocked on a pipe returns.
  std::atomic<bool>* cancel = nullptr;
};

// Decrypts the STREAM ciphertext (what follows the 16-byte nonce). Payload failures are
// Errc::integrity ("decrypting payload: ..."); source and sink errors keep their own code.
Status decrypt_payload(const SecretArray<32>& key, ByteSource& in, ByteSink& out,
                       const StreamOptions& options = {});

// Encrypts all of `in` (an empty input gives one empty final chunk).
Status encrypt_payload(const SecretArray<32>& key, ByteSource& in, ByteSink& out);

}  // namespace vps::formats::age
