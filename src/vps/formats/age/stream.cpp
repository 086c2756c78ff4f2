#include <vps/formats/age/stream.hpp>

#include <algorithm>

#include <sodium.h>

#include <vps/crypto/aead.hpp>
#include <vps/crypto/sodium.hpp>
#include <vps/formats/age/stream_chunk.hpp>

namespace vps::formats::age {
namespace detail {
namespace {

tl::unexpected<Error> payload_error(const std::string& message) {
  return fail(Errc::integrity, "decrypting payload: " + message);
}

// ChaCha20-Poly1305 (RFC 8439, empty AAD) split into verify and decrypt, so a full-size chunk
// can be checked against both the "more" and the "last" nonce without a second decryption
// and without destroying the ciphertext (libsodium's combined call zeroes it on failure).
bool verify_tag(const SecretArray<32>& key, const ChunkNonce& nonce, const std::uint8_t* ct, std::size_t len,
                const std::uint8_t* tag) {
  std::uint8_t block0[64];
  crypto_stream_chacha20_ietf(block0, sizeof block0, nonce.data(), key.data());
  crypto_onetimeauth_poly1305_state state;
  crypto_onetimeauth_poly1305_init(&state, block0);
  crypto_onetimeauth_poly1305_update(&state, ct, len);
  static const std::uint8_t k_zeros[16] = {};
  crypto_onetimeauth_poly1305_update(&state, k_zeros, (16 - len % 16) % 16);
  std::uint8_t lengths[16] = {};
  auto ct_len = static_cast<std::uint64_t>(len);
  for (int i = 0; i < 8; ++i) lengths[8 + i] = static_cast<std::uint8_t>(ct_len >> (8 * i));
  crypto_onetimeauth_poly1305_update(&state, lengths, sizeof lengths);
  std::uint8_t computed[16];
  crypto_onetimeauth_poly1305_final(&state, computed);
  const bool ok = crypto_verify_16(computed, tag) == 0;
  sodium_memzero(block0, sizeof block0);
  sodium_memzero(&state, sizeof state);
  return ok;
}

void decrypt_in_place(const SecretArray<32>& key, const ChunkNonce& nonce, std::uint8_t* buf, std::size_t len) {
  crypto_stream_chacha20_ietf_xor_ic(buf, buf, len, nonce.data(), 1, key.data());
}

}  // namespace

ChunkNonce chunk_nonce(std::uint64_t index, bool last) {
  ChunkNonce nonce{};
  for (int i = 0; i < 8; ++i) nonce[10 - static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(index >> (8 * i));
  nonce[11] = last ? 1 : 0;
  return nonce;
}

void BatchReader::fill(Batch& batch) {
  batch.size = 0;
  batch.chunks.clear();
  batch.end = batch.no_chunks = false;
  batch.read_error.reset();
  const std::size_t capacity = m_batch_chunks * k_encrypted_chunk_size;
  if (batch.buf.size() != capacity) batch.buf.assign(capacity, 0);
  if (m_lookahead) {
    batch.buf[0] = *m_lookahead;
    batch.size = 1;
    m_lookahead.reset();
  }
  auto got = read_full(m_in, std::span<std::uint8_t>(batch.buf).subspan(batch.size));
  if (!got) {
    batch.read_error = got.error();
    batch.end = m_finished = true;
    return;
  }
  batch.size += *got;
  bool at_eof = batch.size < capacity;
  if (!at_eof) {
    std::uint8_t byte = 0;
    auto more = read_full(m_in, std::span<std::uint8_t>(&byte, 1));
    if (!more) {
      batch.read_error = more.error();
      batch.end = m_finished = true;
      return;
    }
    if (*more == 1) m_lookahead = byte;
    else at_eof = true;
  }
  for (std::size_t offset = 0; offset < batch.size; offset += k_encrypted_chunk_size) {
    Chunk chunk;
    chunk.offset = offset;
    chunk.size = std::min(k_encrypted_chunk_size, batch.size - offset);
    chunk.index = m_next_index++;
    const bool final_in_input = at_eof && offset + chunk.size == batch.size;
    chunk.kind = !final_in_input ? ChunkKind::full_more
                 : chunk.size == k_encrypted_chunk_size ? ChunkKind::full_at_eof
                                                        : ChunkKind::short_at_eof;
    batch.chunks.push_back(chunk);
  }
  if (at_eof) {
    batch.end = m_finished = true;
    batch.no_chunks = m_next_index == 0;
  }
}

void decrypt_chunk(const SecretArray<32>& key, Batch& batch, Chunk& chunk) {
  std::uint8_t* data = batch.buf.data() + chunk.offset;
  if (chunk.size < k_tag_size) {
    chunk.result = ChunkResult::too_short;
    return;
  }
  const std::size_t len = chunk.size - k_tag_size;
  const std::uint8_t* tag = data + len;
  if (chunk.kind == ChunkKind::short_at_eof) {
    if (len == 0 && chunk.index != 0) {
      chunk.result = ChunkResult::empty_last;
      return;
    }
    ChunkNonce nonce = chunk_nonce(chunk.index, true);
    if (!verify_tag(key, nonce, data, len, tag)) {
      chunk.result = ChunkResult::bad_tag;
      return;
    }
    decrypt_in_place(key, nonce, data, len);
    chunk.result = ChunkResult::ok_last;
    return;
  }
  for (bool last : {false, true}) {
    ChunkNonce nonce = chunk_nonce(chunk.index, last);
    if (verify_tag(key, nonce, data, len, tag)) {
      decrypt_in_place(key, nonce, data, len);
      chunk.result = last ? ChunkResult::ok_last : ChunkResult::ok;
      return;
    }
  }
  chunk.result = ChunkResult::bad_tag;
}

Result<bool> release_batch(Batch& batch, ByteSink& out) {
  std::vector<ByteView> pieces;
  pieces.reserve(batch.chunks.size());
  auto flush = [&]() -> Status {
    if (pieces.empty()) return {};
    Status st = out.write(pieces);
    pieces.clear();
    return st;
  };
  for (const Chunk& chunk : batch.chunks) {
    auto where = [&] { return "chunk " + std::to_string(chunk.index); };
    switch (chunk.result) {
      case ChunkResult::ok:
        pieces.emplace_back(batch.buf.data() + chunk.offset, chunk.size - k_tag_size);
        if (chunk.kind == ChunkKind::full_at_eof) {
          VPS_CHECK(flush());
          return payload_error("file is truncated: the input ends without a final chunk");
        }
        break;
      case ChunkResult::ok_last:
        pieces.emplace_back(batch.buf.data() + chunk.offset, chunk.size - k_tag_size);
        VPS_CHECK(flush());
        if (chunk.kind == ChunkKind::full_more) return payload_error("trailing data after the final chunk");
        return true;
      case ChunkResult::too_short:
        VPS_CHECK(flush());
        return payload_error(where() + " is truncated (shorter than its tag)");
      case ChunkResult::empty_last:
        VPS_CHECK(flush());
        return payload_error("final chunk is empty (only allowed when the whole payload is empty)");
      case ChunkResult::bad_tag:
        VPS_CHECK(flush());
        return payload_error(where() + " failed authentication; the file is corrupted or was tampered with");
      case ChunkResult::pending:
        return fail(Errc::internal, "decrypting payload: " + where() + " was not processed");
    }
  }
  VPS_CHECK(flush());
  if (batch.read_error) return fail(*batch.read_error);
  if (batch.no_chunks) return payload_error("file is truncated: the payload has no chunks");
  if (batch.end) return payload_error("file is truncated: the input ends without a final chunk");
  return false;
}

}  // namespace detail

Status decrypt_payload(const SecretArray<32>& key, ByteSource& in, ByteSink& out, const StreamOptions& options) {
  crypto::ensure_sodium();
  if (options.threads > 1) return detail::decrypt_parallel(key, in, out, options);
  detail::BatchReader reader(in, std::max<std::size_t>(1, options.batch_chunks));
  detail::Batch batch;
  for (;;) {
    reader.fill(batch);
    for (detail::Chunk& chunk : batch.chunks) detail::decrypt_chunk(key, batch, chunk);
    if (VPS_TRY(detail::release_batch(batch, out))) return {};
  }
}

Status encrypt_payload(const SecretArray<32>& key, ByteSource& in, ByteSink& out) {
  SecretBytes cur(k_encrypted_chunk_size);
  SecretBytes next(k_encrypted_chunk_size);
  std::size_t n_cur = VPS_TRY(read_full(in, std::span<std::uint8_t>(cur.data(), k_chunk_size)));
  for (std::uint64_t index = 0;; ++index) {
    std::size_t n_next = 0;
    bool last = n_cur < k_chunk_size;
    if (!last) {
      n_next = VPS_TRY(read_full(in, std::span<std::uint8_t>(next.data(), k_chunk_size)));
      last = n_next == 0;
    }
    auto nonce = detail::chunk_nonce(index, last);
    crypto::chacha20poly1305::seal(key.view(), nonce, ByteView(cur.data(), n_cur), {},
                                   std::span<std::uint8_t>(cur.data(), n_cur + k_tag_size));
    ByteView piece(cur.data(), n_cur + k_tag_size);
    VPS_CHECK(out.write(std::span<const ByteView>(&piece, 1)));
    if (last) return {};
    std::swap(cur, next);
    n_cur = n_next;
  }
}

}  // namespace vps::formats::age
