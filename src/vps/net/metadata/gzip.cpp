#include <vps/net/metadata/gzip.hpp>

#include <zlib.h>

#include <array>

namespace vps::net::metadata {

bool looks_gzipped(ByteView data) { return data.size() >= 2 && data[0] == 0x1f && data[1] == 0x8b; }

Result<Bytes> gunzip(ByteView data, std::size_t max_output) {
  z_stream stream{};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) return fail(Errc::internal, "gzip: inflateInit2 failed");
  struct Guard {
    z_stream* s;
    ~Guard() { inflateEnd(s); }
  } guard{&stream};
  // zlib's API is not const-correct; it never writes through next_in.
  stream.next_in = const_cast<Bytef*>(data.data());
  stream.avail_in = static_cast<uInt>(data.size());
  Bytes out;
  std::array<Bytef, 16384> chunk{};
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    stream.next_out = chunk.data();
    stream.avail_out = static_cast<uInt>(chunk.size());
    rc = inflate(&stream, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      return fail(Errc::malformed,
                  std::string("gzip: corrupt data (") + (stream.msg ? stream.msg : "inflate failed") + ")");
    }
    const std::size_t produced = chunk.size() - stream.avail_out;
    if (out.size() + produced > max_output) {
      return fail(Errc::malformed, "gzip: decompresses to more than " + std::to_string(max_output) + " bytes");
    }
    out.insert(out.end(), chunk.data(), chunk.data() + produced);
    if (rc == Z_OK && produced == 0 && stream.avail_in == 0) return fail(Errc::malformed, "gzip: truncated data");
  }
  if (stream.avail_in != 0) return fail(Errc::malformed, "gzip: trailing data after the compressed stream");
  return out;
}

}  // namespace vps::net::metadata
