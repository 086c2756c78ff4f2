#pragma once
// STREAM chunk primitives shared by the sequential and the parallel decryptor. Internal to
// formats/age.

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>
#include <vps/formats/age/io.hpp>
#include <vps/formats/age/stream.hpp>

namespace vps::formats::age::detail {

using ChunkNonce = std::array<std::uint8_t, 12>;
ChunkNonce chunk_nonce(std::uint64_t index, bool last);

// Where a chunk sits: followed by more ciphertext, or the input ends right after it.
enum class ChunkKind : std::uint8_t { full_more, full_at_eof, short_at_eof };
enum class ChunkResult : std::uint8_t { pending, ok, ok_last, too_short, empty_last, bad_tag };

struct Chunk {
  std::size_t offset = 0;
  std::size_t size = 0;  // ciphertext bytes including the tag
  std::uint64_t index = 0;
  ChunkKind kind = ChunkKind::full_more;
  ChunkResult result = ChunkResult::pending;
};

// A run of consecutive chunks read in one go.
struct Batch {
  SecretBytes buf;  // wiped when freed; plaintext overwrites ciphertext in place
  std::size_t size = 0;
  std::vector<Chunk> chunks;
  bool end = false;        // the input ended in (or right after) this batch
  bool no_chunks = false;  // the payload had no chunk at all
  std::optional<Error> read_error;
};

// Fills batches from a source, keeping one byte of lookahead so that each chunk knows
// whether more ciphertext follows it.
class BatchReader {
 public:
  BatchReader(ByteSource& in, std::size_t batch_chunks) : m_in(in), m_batch_chunks(batch_chunks) {}
  void fill(Batch& batch);
  bool finished() const { return m_finished; }

 private:
  ByteSource& m_in;
  std::size_t m_batch_chunks;
  std::uint64_t m_next_index = 0;
  std::optional<std::uint8_t> m_lookahead;
  bool m_finished = false;
};

// Verifies then decrypts one chunk in place, setting chunk.result.
void decrypt_chunk(const SecretArray<32>& key, Batch& batch, Chunk& chunk);

// Writes a decrypted batch's plaintext in order and applies the end-of-stream rules.
// Returns true when the stream ended successfully.
Result<bool> release_batch(Batch& batch, ByteSink& out);

Status decrypt_parallel(const SecretArray<32>& key, ByteSource& in, ByteSink& out, const StreamOptions& options);

}  // namespace vps::formats::age::detail
