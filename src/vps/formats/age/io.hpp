#pragma once
// Minimal byte sources and sinks for streaming age: the header parser, armor decoder and
// STREAM decryptor are written against these, so the same code serves whole buffers (sops data
// keys, fuzzing) and file descriptors (constant-memory CLI decryption).

#include <atomic>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>

namespace vps::formats::age {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Up to out.size() bytes; 0 only at the end of input (or for an empty out).
  virtual Result<std::size_t> read(std::span<std::uint8_t> out) = 0;
};

// Reads until out is full or the input ends; returns the count.
Result<std::size_t> read_full(ByteSource& source, std::span<std::uint8_t> out);

class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(ByteView data) : m_data(data) {}
  Result<std::size_t> read(std::span<std::uint8_t> out) override;

 private:
  ByteView m_data;
};

// Reads a file descriptor (EINTR retried). When `cancel` is set, waits with poll() so a
// reader thread blocked on a pipe notices cancellation within 100 ms.
class FdSource final : public ByteSource {
 public:
  explicit FdSource(int fd, const std::atomic<bool>* cancel = nullptr) : m_fd(fd), m_cancel(cancel) {}
  Result<std::size_t> read(std::span<std::uint8_t> out) override;

 private:
  int m_fd;
  const std::atomic<bool>* m_cancel;
};

// Buffers an inner source for line-oriented parsing, then hands the rest through unchanged
// (read() drains the buffer first), so the payload continues exactly after the header.
class BufferedReader final : public ByteSource {
 public:
  explicit BufferedReader(ByteSource& inner, std::size_t capacity = 16 * 1024);
  Result<std::size_t> read(std::span<std::uint8_t> out) override;
  // One line without its "\n". Errc::malformed if no "\n" within max_length bytes or the
  // input ends first (message names `what`).
  Result<std::string> read_line(std::size_t max_length, std::string_view what);
  // As read_line, but a final line without "\n" is returned too, and nullopt means the input
  // ended cleanly (no bytes left).
  Result<std::optional<std::string>> read_line_or_eof(std::size_t max_length, std::string_view what);
  // Up to n bytes without consuming them (fewer only at the end of input); n <= capacity.
  Result<ByteView> peek(std::size_t n);

 private:
  Result<std::size_t> fill();
  ByteSource& m_inner;
  Bytes m_buf;
  std::size_t m_begin = 0;
  std::size_t m_end = 0;
};

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // Consecutive pieces of output (plaintext or ciphertext), in order.
  virtual Status write(std::span<const ByteView> pieces) = 0;
};

// writev() to a descriptor, retrying short writes and EINTR.
class FdSink final : public ByteSink {
 public:
  explicit FdSink(int fd, std::string name = "output") : m_fd(fd), m_name(std::move(name)) {}
  Status write(std::span<const ByteView> pieces) override;

 private:
  int m_fd;
  std::string m_name;
};

// Collects plaintext in a wiping buffer, refusing to grow past a cap.
class BufferSink final : public ByteSink {
 public:
  explicit BufferSink(std::size_t max_size = SIZE_MAX) : m_max(max_size) {}
  Status write(std::span<const ByteView> pieces) override;
  SecretBytes& data() { return m_data; }

 private:
  SecretBytes m_data;
  std::size_t m_max;
};

}  // namespace vps::formats::age
