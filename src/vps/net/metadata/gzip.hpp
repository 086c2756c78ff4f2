#pragma once
// Bounded gzip decompression (zlib), for gzip-compressed user-data.

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>

namespace vps::net::metadata {

bool looks_gzipped(ByteView data);  // 1f 8b magic

// One gzip member, nothing after it; output capped at max_output (Errc::malformed beyond).
Result<Bytes> gunzip(ByteView data, std::size_t max_output);

}  // namespace vps::net::metadata
