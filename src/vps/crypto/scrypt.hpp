#pragma once
// scrypt (RFC 7914) with r=8, p=1 as age uses it. The caller enforces its own work-factor cap.

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>

namespace vps::crypto {

// N = 2^log2_n. Fails with Errc::internal if libsodium refuses the parameters or memory.
Result<SecretArray<32>> scrypt32(ByteView password, ByteView salt, unsigned log2_n);

}  // namespace vps::crypto
