#pragma once
// age ASCII armor: PEM-like "-----BEGIN AGE ENCRYPTED FILE-----", strict padded base64 in
// lines of exactly 64 columns (the last one 1..64), no PEM headers. Like age's reader we
// accept CRLF line endings and whitespace-only lines before the armor and whitespace after it
// (1024 bytes at most each); everything else is an error (Errc::malformed, "invalid armor: ...").

#include <string_view>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>
#include <vps/formats/age/io.hpp>

namespace vps::formats::age {

inline constexpr std::string_view k_armor_begin = "-----BEGIN AGE ENCRYPTED FILE-----";
inline constexpr std::string_view k_armor_end = "-----END AGE ENCRYPTED FILE-----";

// Leading whitespace accepted before the BEGIN line (and trailing after the END line).
inline constexpr std::size_t k_armor_max_whitespace = 1024;
// How many bytes of an input the detectors below need to see to decide.
inline constexpr std::size_t k_detect_bytes = k_armor_max_whitespace + k_armor_begin.size();

// True when the input (after at most 1024 bytes of whitespace) starts like an armored file.
bool looks_armored(ByteView start);

// True when the input starts like an age file, binary ("age-encryption.org/...") or armored
// (looks_armored): exactly what decryption accepts, so every caller that picks "age or
// something else" (vps-agent decrypt, the secrets loader, the endpoint's bundle check) decides
// alike. `start` is the first k_detect_bytes of the input (or all of it).
bool looks_like_age_file(ByteView start);

// Streaming decoder: a ByteSource yielding the binary age file.
class ArmorReader final : public ByteSource {
 public:
  explicit ArmorReader(ByteSource& inner) : m_in(inner, 4096) {}
  Result<std::size_t> read(std::span<std::uint8_t> out) override;
  // True once an armor error was returned: lets callers classify a failure as an armor one.
  bool failed() const { return m_failed; }

 private:
  Status next_line();
  Status finish();
  tl::unexpected<Error> error(std::string message);

  BufferedReader m_in;
  std::uint8_t m_line[48];
  std::size_t m_pos = 0;
  std::size_t m_len = 0;
  bool m_started = false;
  bool m_done = false;
  bool m_failed = false;
};

// Streaming encoder writing to a sink; close() writes the last line and the END line.
class ArmorWriter {
 public:
  explicit ArmorWriter(ByteSink& out) : m_out(out) {}
  Status write(ByteView data);
  Status close();

 private:
  Status flush_lines(bool final);
  ByteSink& m_out;
  Bytes m_pending;
  bool m_started = false;
};

// Whole-buffer helpers.
Result<Bytes> armor_decode(ByteView armored);
Bytes armor_encode(ByteView data);

}  // namespace vps::formats::age
