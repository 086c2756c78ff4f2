#include <vps/formats/age/io.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <poll.h>
#include <sys/uio.h>
#include <unistd.h>

namespace vps::formats::age {

Result<std::size_t> read_full(ByteSource& source, std::span<std::uint8_t> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    std::size_t n = VPS_TRY(source.read(out.subspan(done)));
    if (n == 0) break;
    done += n;
  }
  return done;
}

Result<std::size_t> MemorySource::read(std::span<std::uint8_t> out) {
  std::size_t n = std::min(out.size(), m_data.size());
  if (n > 0) std::memcpy(out.data(), m_data.data(), n);
  m_data = m_data.subspan(n);
  return n;
}

Result<std::size_t> FdSource::read(std::span<std::uint8_t> out) {
  if (out.empty()) return std::size_t{0};
  for (;;) {
    if (m_cancel) {
      if (m_cancel->load(std::memory_order_relaxed)) return fail(Errc::io, "reading input: cancelled");
      pollfd p{m_fd, POLLIN, 0};
      int r = ::poll(&p, 1, 100);
      if (r == 0 || (r < 0 && errno == EINTR)) continue;
    }
    ssize_t n = ::read(m_fd, out.data(), out.size());
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    return fail(Errc::io, std::string("reading input: ") + std::strerror(errno));
  }
}

BufferedReader::BufferedReader(ByteSource& inner, std::size_t capacity) : m_inner(inner), m_buf(capacity) {}

Result<std::size_t> BufferedReader::fill() {
  if (m_begin > 0) {
    std::memmove(m_buf.data(), m_buf.data() + m_begin, m_end - m_begin);
    m_end -= m_begin;
    m_begin = 0;
  }
  std::size_t n = VPS_TRY(m_inner.read(std::span<std::uint8_t>(m_buf).subspan(m_end)));
  m_end += n;
  return n;
}

Result<std::size_t> BufferedReader::read(std::span<std::uint8_t> out) {
  if (m_begin == m_end) return m_inner.read(out);
  std::size_t n = std::min(out.size(), m_end - m_begin);
  std::memcpy(out.data(), m_buf.data() + m_begin, n);
  m_begin += n;
  return n;
}

Result<std::string> BufferedReader::read_line(std::size_t max_length, std::string_view what) {
  std::size_t scanned = 0;
  for (;;) {
    const std::uint8_t* start = m_buf.data() + m_begin;
    std::size_t avail = m_end - m_begin;
    std::size_t limit = std::min(avail, max_length + 1);
    const void* nl = scanned < limit ? std::memchr(start + scanned, '\n', limit - scanned) : nullptr;
    if (nl) {
      std::size_t len = static_cast<std::size_t>(static_cast<const std::uint8_t*>(nl) - start);
      std::string line(reinterpret_cast<const char*>(start), len);
      m_begin += len + 1;
      return line;
    }
    if (avail > max_length) return fail(Errc::malformed, std::string(what) + ": line is too long");
    scanned = avail;
    if (m_end == m_buf.size() && m_begin == 0) return fail(Errc::malformed, std::string(what) + ": line is too long");
    std::size_t n = VPS_TRY(fill());
    if (n == 0) return fail(Errc::malformed, std::string(what) + ": unexpected end of input");
  }
}

Result<std::optional<std::string>> BufferedReader::read_line_or_eof(std::size_t max_length,
                                                                   std::string_view what) {
  for (;;) {
    std::size_t avail = m_end - m_begin;
    const std::uint8_t* start = m_buf.data() + m_begin;
    if (std::memchr(start, '\n', std::min(avail, max_length + 1)))
      return std::optional<std::string>(VPS_TRY(read_line(max_length, what)));
    if (avail > max_length) return fail(Errc::malformed, std::string(what) + ": line is too long");
    std::size_t n = VPS_TRY(fill());
    if (n == 0) {
      if (avail == 0) return std::optional<std::string>{};
      std::string line(reinterpret_cast<const char*>(m_buf.data() + m_begin), avail);
      m_begin = m_end;
      return std::optional<std::string>(std::move(line));
    }
  }
}

Result<ByteView> BufferedReader::peek(std::size_t n) {
  n = std::min(n, m_buf.size());
  while (m_end - m_begin < n) {
    std::size_t got = VPS_TRY(fill());
    if (got == 0) break;
  }
  return ByteView(m_buf.data() + m_begin, std::min(n, m_end - m_begin));
}

Status FdSink::write(std::span<const ByteView> pieces) {
  constexpr std::size_t k_max_iov = 64;
  iovec iov[k_max_iov];
  std::size_t index = 0;
  while (index < pieces.size()) {
    std::size_t count = 0;
    for (; index < pieces.size() && count < k_max_iov; ++index)
      if (!pieces[index].empty())
        iov[count++] = iovec{const_cast<std::uint8_t*>(pieces[index].data()), pieces[index].size()};
    std::size_t first = 0;
    while (first < count) {
      ssize_t n = ::writev(m_fd, iov + first, static_cast<int>(count - first));
      if (n < 0) {
        if (errno == EINTR) continue;
        return fail(Errc::io, "writing " + m_name + ": " + std::strerror(errno));
      }
      auto left = static_cast<std::size_t>(n);
      while (first < count && left >= iov[first].iov_len) left -= iov[first++].iov_len;
      if (left > 0) {
        iov[first].iov_base = static_cast<std::uint8_t*>(iov[first].iov_base) + left;
        iov[first].iov_len -= left;
      }
    }
  }
  return {};
}

Status BufferSink::write(std::span<const ByteView> pieces) {
  for (ByteView p : pieces) {
    if (p.size() > m_max - m_data.size()) return fail(Errc::malformed, "decrypted data exceeds the size limit");
    m_data.insert(m_data.end(), p.begin(), p.end());
  }
  return {};
}

}  // namespace vps::formats::age
